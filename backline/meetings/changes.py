"""Scheduling, changing and cancelling a session, each in one transaction.

A change or a cancellation locks the session and refuses a form made from an older
version of it (its ``sequence``), so two people editing at once, or a form sent twice,
never overwrite each other silently. Each raises the sequence and tells everyone,
with the calendar file that replaces their copy.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from backline.meetings import invites, seats
from backline.meetings.forms import MeetingForm
from backline.meetings.models import Meeting, reminders


class TooFewSeats(seats.Refused):
    def __init__(self, coming: int) -> None:
        super().__init__(
            _("%(count)s people are coming: the session needs at least as many seats.")
            % {"count": coming}
        )


def schedule(form: MeetingForm, now: datetime) -> Meeting:
    with transaction.atomic():
        meeting = form.save(commit=False)
        meeting.region = form.region
        meeting.organiser = form.organiser
        reminders(meeting, now)
        meeting.save()
        meeting.facilitators.set(form.cleaned_data["facilitators"])
        invites.invite(meeting, form.invitees(), now)
        invites.invite_facilitators(meeting, now)
    return meeting


def change(form: MeetingForm, seen: int, now: datetime) -> Meeting:
    """Save the form over the session as it is now; raises ``Refused`` (nothing
    saved) when it was cancelled, is over, changed meanwhile or would have fewer
    seats than people coming."""
    edited = form.instance
    with transaction.atomic():
        meeting = seats.locked(edited.pk)
        seats.check_open(meeting, seen, now)
        coming = meeting.coming()
        if edited.capacity < coming:
            raise TooFewSeats(coming)
        moved = edited.starts_at != meeting.starts_at
        for name in ("kind", "starts_at", "ends_at", "place", "video_link", "capacity"):
            setattr(meeting, name, getattr(edited, name))
        meeting.sequence += 1
        if moved:
            reminders(meeting, now)
        meeting.save()
        meeting.facilitators.set(form.cleaned_data["facilitators"])
        new = invites.invite(meeting, form.invitees(), now)
        invites.changed(meeting, new, now)
        seats.move_up(meeting, now)
    return meeting


def cancel(meeting_pk: int, now: datetime) -> Meeting:
    """Cancel whatever version of it stands (a cancellation needs no fresh form)."""
    with transaction.atomic():
        meeting = seats.locked(meeting_pk)
        seats.check_open(meeting, None, now)
        meeting.cancelled_at = now
        meeting.sequence += 1
        meeting.remind_day_at = meeting.remind_hour_at = None
        meeting.save()
        invites.cancelled(meeting, now)
    return meeting
