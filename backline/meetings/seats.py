"""Answers and the waiting list, under a lock of the session's row.

Every answer locks the session (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's
transactions take the write lock when they begin), counts the seats taken and then
writes, so two people answering "yes" to the last seat at once get one seat and one
offer of the waiting list. When a seat frees (a "yes" changes its mind, the session
grows), the first on the waiting list moves up and is told.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backline.accounts.models import User
from backline.meetings import invites
from backline.meetings.models import Answer, Invitee, Meeting


class Refused(Exception):
    """Nothing was changed; the message says why, in plain words."""


class Full(Refused):
    """No seat is free: the person is offered the waiting list."""


SAID = {
    Answer.YES: gettext_lazy("Thank you: your seat is kept. Backline reminds you the day before."),
    Answer.MAYBE: gettext_lazy(
        "Thank you. Backline reminds you the day before; say yes or no any time."
    ),
    Answer.NO: gettext_lazy("Thank you for letting the facilitators know."),
    Answer.WAITING_LIST: gettext_lazy(
        "You are on the waiting list. Backline tells you when a seat is yours."
    ),
}


def locked(meeting_pk: int) -> Meeting:
    return Meeting.objects.select_for_update().get(pk=meeting_pk)


def check_open(meeting: Meeting, seen: int | None, now: datetime) -> None:
    """Refuse a change to a session that was cancelled, is over, or changed since the
    page that asks for it was shown (``seen``: its sequence then; None: any)."""
    if meeting.cancelled:
        raise Refused(_("This session was cancelled. Nothing was changed."))
    if meeting.ends_at <= now:
        raise Refused(_("This session is over. Nothing was changed."))
    if seen is not None and seen != meeting.sequence:
        raise Refused(
            _(
                "This session changed since you opened it. Nothing was changed: "
                "please read it again, then choose."
            )
        )


def answer(meeting_pk: int, person: User, said: str, seen: int, now: datetime) -> str:
    """Record ``person``'s answer; returns what to tell them. Raises ``Full`` for a
    "yes" with no seat free, ``Refused`` when nothing may change."""
    with transaction.atomic():
        meeting = locked(meeting_pk)
        invitee = Invitee.objects.get(meeting=meeting, person=person)
        check_open(meeting, seen, now)
        free = meeting.capacity - meeting.coming()
        if said == Answer.WAITING_LIST and free > 0 and invitee.answer != Answer.YES:
            said = Answer.YES  # a seat freed meanwhile: it is theirs
        if said == invitee.answer:
            return _("You had already answered so. Nothing was changed.")
        if said == Answer.YES and free <= 0:
            if invitee.answer == Answer.WAITING_LIST:
                return _("Every seat is still taken. You stay on the waiting list.")
            raise Full(
                _("Every seat is taken. Nothing was changed; you may join the waiting list.")
            )
        if said == Answer.WAITING_LIST and invitee.answer == Answer.YES:
            raise Refused(_("You already have a seat. Nothing was changed."))
        gave_up_a_seat = invitee.answer == Answer.YES
        invitee.answer = said
        invitee.answered_at = now
        invitee.waiting_since = now if said == Answer.WAITING_LIST else None
        invitee.save(update_fields=["answer", "answered_at", "waiting_since"])
        if gave_up_a_seat:
            move_up(meeting, now)
    return str(SAID[Answer(said)])


def move_up(meeting: Meeting, now: datetime) -> list[Invitee]:
    """Give the free seats of a locked session to the first on its waiting list, and
    tell each of them."""
    free = meeting.capacity - meeting.coming()
    if free <= 0:
        return []
    moved = list(meeting.invitees.waiting_list().select_related("meeting")[:free])
    for invitee in moved:
        invitee.answer = Answer.YES
        invitee.answered_at = now
        invitee.waiting_since = None
        invitee.save(update_fields=["answer", "answered_at", "waiting_since"])
        invites.seat_is_yours(invitee, now)
    return moved
