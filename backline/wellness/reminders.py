"""Reminders a person set for their own self-checks, and the engine's phase that sends
them. The message is lock-screen safe: it says a reminder is waiting, never of what.

A reminder moves on by whole weeks or months in the person's time zone, so it keeps its
local hour across daylight-saving changes; an engine stopped for a month sends one, not
several. Each is claimed by a conditional update of its moment: two engines never send
it twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.db.models import Min
from django.urls import reverse
from django.utils.translation import gettext as _

from backline.accounts.models import User
from backline.lib import clock, months
from backline.notify import outbox
from backline.notify.outbox import Message
from backline.support.messages import absolute
from backline.wellness.models import Every, Reminder

BATCH = 100
MONTHS = {Every.MONTH: 1, Every.QUARTER: 3}


def following(every: Every, after: datetime, user: User) -> datetime:
    """One ``every`` on from ``after``, at the same local time in the person's zone."""
    local = after.astimezone(user.time_zone)
    if every == Every.TWO_WEEKS:
        day = local.date() + timedelta(weeks=2)
    else:
        day = months.add_months(local.date(), MONTHS[every])
    moved = datetime.combine(day, local.timetz().replace(fold=0))
    return moved.astimezone(UTC)


def set_reminder(user: User, every: Every | None, now: datetime) -> Reminder | None:
    """Sets (or, with ``every`` None, removes) the person's reminder; the first comes one
    step from now."""
    if every is None:
        Reminder.objects.filter(owner=user).delete()
        return None
    reminder, _created = Reminder.objects.update_or_create(
        owner=user, defaults={"every": every, "next_at": following(every, now, user)}
    )
    return reminder


def message() -> Message:
    return Message(
        subject=_("Backline: a reminder you asked for"),
        body=_("The reminder you set in Backline is here. Open Backline when you have a moment."),
        link=absolute(reverse("wellness:index")),
    )


def send_due(now: datetime | None = None) -> int:
    now = now or clock.now()
    sent = 0
    for reminder in Reminder.objects.filter(next_at__lte=now).select_related("owner")[:BATCH]:
        following_at = following(Every(reminder.every), reminder.next_at, reminder.owner)
        while following_at <= now:  # stopped for a while: the next one still lies ahead
            following_at = following(Every(reminder.every), following_at, reminder.owner)
        with transaction.atomic():
            claimed = Reminder.objects.filter(pk=reminder.pk, next_at=reminder.next_at).update(
                next_at=following_at
            )
            if not claimed:
                continue  # another engine sent it, or the person changed it meanwhile
            outbox.enqueue(
                reminder.owner_id,
                f"wellness:{reminder.pk}",
                f"wellness:{reminder.pk}:{reminder.next_at.timestamp()}",
                message,
                start_at=now,
            )
            sent += 1
    return sent


def next_due() -> datetime | None:
    found: datetime | None = Reminder.objects.aggregate(at=Min("next_at"))["at"]
    return found


PEER_CHECK_DAYS = 91  # a peer supporter is offered ProQOL 5 once a quarter


def proqol_suggested(last_taken: datetime | None, now: datetime) -> bool:
    return last_taken is None or now - last_taken >= timedelta(days=PEER_CHECK_DAYS)
