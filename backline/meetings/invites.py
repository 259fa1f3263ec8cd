"""Telling people about a session: invitations, changes and cancellations (each
e-mail carries the session's calendar file, ``meetings.ics``), reminders and seats.

Invitations and changes share one outbox group per session; a cancellation cancels
what of it is still waiting, and goes in a group of its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import partial

from backline.meetings import texts
from backline.meetings.models import Answer, Invitee, Meeting
from backline.notify import outbox

INVITE = "meeting-invite"  # carries the invitation (METHOD:REQUEST)
CANCEL = "meeting-cancel"  # carries the cancellation (METHOD:CANCEL)
NOTICE = "meeting"  # reminders and seats: no file


def group(prefix: str, meeting: Meeting) -> str:
    return f"{prefix}:{meeting.pk}"


def everyone(meeting: Meeting) -> list[int]:
    """Whom a change concerns: every invitee and every facilitator."""
    invited = Invitee.objects.filter(meeting=meeting).values_list("person_id", flat=True)
    facilitating = meeting.facilitators.values_list("pk", flat=True)
    return sorted({*invited, *facilitating})


def coming(meeting: Meeting) -> list[int]:
    """Whom a reminder is for: who said yes or maybe, and the facilitators."""
    answered = Invitee.objects.filter(
        meeting=meeting, answer__in=[Answer.YES, Answer.MAYBE]
    ).values_list("person_id", flat=True)
    return sorted({*answered, *meeting.facilitators.values_list("pk", flat=True)})


def _send(
    prefix: str,
    meeting: Meeting,
    people: Iterable[int],
    text: str,
    event: str,
    now: datetime,
) -> None:
    """Tell ``people`` about ``meeting`` (``texts.TEXTS[text]``), once per ``event``."""
    said = partial(texts.about, text, meeting.pk)  # written in each one's language
    key = group(prefix, meeting)
    outbox.enqueue_many([(p, said) for p in people], key, f"{key}:{event}", start_at=now)


def invite(meeting: Meeting, people: Iterable[int], now: datetime) -> list[int]:
    """Invite those not invited yet; returns whom."""
    already = set(Invitee.objects.filter(meeting=meeting).values_list("person_id", flat=True))
    new = sorted(set(people) - already)
    Invitee.objects.bulk_create(
        [Invitee(meeting=meeting, person_id=p, invited_at=now) for p in new],
        ignore_conflicts=True,
    )
    _send(INVITE, meeting, new, "invited", f"{meeting.sequence}", now)
    return new


def invite_facilitators(meeting: Meeting, now: datetime) -> None:
    facilitating = meeting.facilitators.values_list("pk", flat=True)
    _send(INVITE, meeting, facilitating, "facilitating", f"{meeting.sequence}", now)


def changed(meeting: Meeting, skip: Iterable[int], now: datetime) -> None:
    """Tell everyone but ``skip`` (just invited, with the new version) of a change."""
    people = set(everyone(meeting)) - set(skip)
    _send(INVITE, meeting, people, "changed", f"{meeting.sequence}", now)


def cancelled(meeting: Meeting, now: datetime) -> None:
    outbox.cancel(group(INVITE, meeting))
    _send(CANCEL, meeting, everyone(meeting), "cancelled", f"{meeting.sequence}", now)


def remind(meeting: Meeting, which: str, now: datetime) -> int:
    """The reminder ``which`` ("day" or "hour") of the session's start; returns to how
    many people."""
    people = coming(meeting)
    _send(NOTICE, meeting, people, which, f"{which}:{meeting.starts_at.timestamp()}", now)
    return len(people)


def seat_is_yours(invitee: Invitee, now: datetime) -> None:
    _send(
        NOTICE,
        invitee.meeting,
        [invitee.person_id],
        "seat",
        f"seat:{invitee.pk}:{now.timestamp()}",
        now,
    )
