"""The engine's sessions phase: the reminders a day and an hour before a session.

Each reminder is claimed by a conditional update of the moment it was due, so two
engines send it once. A reminder whose session has started is dropped; a day-before
reminder that falls due once the hour-before one is due too (an engine that was
stopped) gives way to it: one reminder, the nearer.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Min, Q

from backline.lib import clock
from backline.meetings import invites
from backline.meetings.models import Meeting

BATCH = 100


def send_due(now: datetime | None = None) -> int:
    """Every reminder due by ``now``; returns how many people were reminded."""
    now = now or clock.now()
    _drop_started(now)
    hour = _remind(now, "hour", "remind_hour_at", ("remind_hour_at", "remind_day_at"))
    return hour + _remind(now, "day", "remind_day_at", ("remind_day_at",))


def next_due() -> datetime | None:
    moments = Meeting.objects.filter(cancelled_at__isnull=True).aggregate(
        day=Min("remind_day_at"), hour=Min("remind_hour_at")
    )
    return min((m for m in moments.values() if m is not None), default=None)


def _drop_started(now: datetime) -> None:
    Meeting.objects.filter(
        Q(remind_day_at__isnull=False) | Q(remind_hour_at__isnull=False),
        Q(starts_at__lte=now) | Q(cancelled_at__isnull=False),
    ).update(remind_day_at=None, remind_hour_at=None)


def _remind(now: datetime, which: str, due: str, emptied: tuple[str, ...]) -> int:
    """Send the reminders whose moment ``due`` has come, each claimed by emptying the
    ``emptied`` moments of its session (the hour-before one empties the day-before one
    too: the nearer reminder replaces it)."""
    sent = 0
    for meeting in Meeting.objects.filter(**{f"{due}__lte": now})[:BATCH]:
        with transaction.atomic():
            claimed = Meeting.objects.filter(pk=meeting.pk, **{due: getattr(meeting, due)})
            if claimed.update(**dict.fromkeys(emptied)):
                sent += invites.remind(meeting, which, now)
    return sent
