"""The engine's check-in phase: reminders to peers, nudges to colleagues, snoozes ending.

Each piece of work is claimed by a conditional update of the moment it was due, so two
engines never send it twice, and one that fails is left for the next tick. A plan moves
to its first occurrence after now: an engine that was stopped for a week sends one
nudge, not seven.
"""

from __future__ import annotations

import logging
from datetime import datetime
from functools import partial

from django.db import transaction
from django.db.models import Min

from backline.checkins import texts
from backline.checkins.models import Answer, Nudge, Plan, opted_out, schedule
from backline.lib import clock
from backline.notify import outbox

log = logging.getLogger(__name__)

BATCH = 100


def send_due(now: datetime | None = None) -> int:
    """Everything due by ``now``; returns how many messages went out."""
    now = now or clock.now()
    return _reminders(now) + _nudges(now) + _snoozes_ended(now)


def next_due() -> datetime | None:
    """The earliest moment this phase has work."""
    live = Plan.objects.filter(peer__isnull=False)
    moments = [
        live.aggregate(at=Min("next_at"))["at"],
        live.aggregate(at=Min("remind_at"))["at"],
        Nudge.objects.filter(answer=Answer.LATER).aggregate(at=Min("snoozed_until"))["at"],
    ]
    return min((m for m in moments if m is not None), default=None)


def _group(plan_id: int) -> str:
    return f"checkin:{plan_id}"


def _reminders(now: datetime) -> int:
    sent = 0
    # a reminder as late as its check-in is not sent: the check-in's own move replaces it
    due = Plan.objects.filter(peer__isnull=False, remind_at__lte=now, next_at__gt=now)[:BATCH]
    for plan in due:
        with transaction.atomic():
            if not Plan.objects.filter(pk=plan.pk, remind_at=plan.remind_at).update(remind_at=None):
                continue  # another engine sent it
            assert plan.peer_id is not None and plan.remind_at is not None
            outbox.enqueue(
                plan.peer_id,
                _group(plan.pk),
                f"{_group(plan.pk)}:remind:{plan.next_index}:{plan.remind_at.timestamp()}",
                texts.reminder,
                start_at=now,
            )
            sent += 1
    return sent


def _nudges(now: datetime) -> int:
    sent = 0
    due = Plan.objects.filter(peer__isnull=False, next_at__lte=now)[:BATCH]
    for plan in due:
        due_at = plan.next_at
        assert due_at is not None
        schedule(plan, now)
        with transaction.atomic():
            claimed = Plan.objects.filter(pk=plan.pk, next_at=due_at).update(
                next_index=plan.next_index, next_at=plan.next_at, remind_at=plan.remind_at
            )
            if not claimed or opted_out(plan.colleague_id, plan.peer_id):
                continue
            nudge = Nudge.objects.create(
                plan=plan, colleague_id=plan.colleague_id, due_at=due_at, sent_at=now
            )
            _send(nudge, now)
            sent += 1
    return sent


def _snoozes_ended(now: datetime) -> int:
    sent = 0
    due = Nudge.objects.filter(answer=Answer.LATER, snoozed_until__lte=now)[:BATCH]
    for nudge in due:
        with transaction.atomic():
            claimed = Nudge.objects.filter(
                pk=nudge.pk, answer=Answer.LATER, snoozed_until=nudge.snoozed_until
            ).update(
                answer=Answer.WAITING,
                answered_at=None,
                snoozed_until=None,
                times_sent=nudge.times_sent + 1,
            )
            plan = nudge.plan
            if not claimed or plan is None or opted_out(nudge.colleague_id, plan.peer_id):
                continue
            nudge.times_sent += 1
            _send(nudge, now)
            sent += 1
    return sent


def _send(nudge: Nudge, now: datetime) -> None:
    assert nudge.plan_id is not None
    outbox.enqueue(
        nudge.colleague_id,
        _group(nudge.plan_id),
        f"{_group(nudge.plan_id)}:nudge:{nudge.link_id}:{nudge.times_sent}",
        partial(texts.nudge, nudge.link_id),
        start_at=now,
    )
