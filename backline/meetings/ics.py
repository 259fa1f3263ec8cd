"""A session as iCalendar: the invitation an e-mail carries, and the events of a
person's calendar subscription (``oncall.ics``).

The event's ``UID`` is the session's, never changed; its ``SEQUENCE`` is the session's,
raised at every change, so a calendar replaces its copy. An invitation is
``METHOD:REQUEST`` while the session stands and ``METHOD:CANCEL`` once cancelled. No
``ATTENDEE`` line is ever written, and the organiser is Backline itself: a calendar file
forwarded, synced or shown on a lock screen names nobody.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parseaddr

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress

from backline.accounts.models import User
from backline.lib import clock
from backline.meetings import invites, texts
from backline.meetings.models import Answer, Invitee, Meeting
from backline.notify import attachments

REQUEST = "REQUEST"
CANCEL = "CANCEL"
FILENAME = "invitation.ics"


def register() -> None:
    for prefix in (invites.INVITE, invites.CANCEL):
        attachments.register(prefix, _files)


def _files(argument: str, recipient_id: int) -> tuple[attachments.Attachment, ...]:
    meeting = Meeting.objects.filter(pk=int(argument)).first() if argument.isdigit() else None
    if meeting is None:
        return ()
    method = CANCEL if meeting.cancelled else REQUEST
    content = invitation(meeting).decode()
    return (attachments.Attachment(FILENAME, content, "text/calendar", (("method", method),)),)


def _organiser() -> vCalAddress:
    address = vCalAddress(f"mailto:{parseaddr(settings.DEFAULT_FROM_EMAIL)[1]}")
    address.params["cn"] = "Backline"
    return address


def event(meeting: Meeting, now: datetime) -> Event:
    found = Event()
    found.add("uid", meeting.uid)
    found.add("sequence", meeting.sequence)
    found.add("dtstamp", now.astimezone(UTC))
    found.add("dtstart", meeting.starts_at.astimezone(UTC))
    found.add("dtend", meeting.ends_at.astimezone(UTC))
    # the title is what a phone shows on its lock screen: never the kind of session
    found.add("summary", _("Backline session"))
    found.add("location", meeting.place or meeting.video_link)
    here = texts.link(meeting.pk)
    found.add("url", here)
    lines = [
        str(meeting.get_kind_display()),
        _("Answer and see the details in Backline: %(link)s") % {"link": here},
    ]
    if meeting.video_link:
        lines.append(_("Video link: %(link)s") % {"link": meeting.video_link})
    found.add("description", "\n".join(lines))
    found.add("status", "CANCELLED" if meeting.cancelled else "CONFIRMED")
    found.add("transp", "OPAQUE")
    return found


def invitation(meeting: Meeting, now: datetime | None = None) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Backline//Sessions//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", CANCEL if meeting.cancelled else REQUEST)
    found = event(meeting, now or clock.now())
    found.add("organizer", _organiser())
    cal.add_component(found)
    ical: bytes = cal.to_ical()  # icalendar leaves it unannotated
    return ical


def events_for(user: User, start: datetime, end: datetime, now: datetime) -> list[Event]:
    """The sessions ``user`` facilitates, or is invited to and did not decline, that
    overlap ``start`` to ``end``; cancelled ones are left out."""
    invited = Invitee.objects.filter(person=user).exclude(answer=Answer.NO).values("meeting_id")
    mine = Q(facilitators=user) | Q(pk__in=invited)
    meetings = (
        Meeting.objects.visible_to(user)
        .filter(mine, cancelled_at__isnull=True, starts_at__lt=end, ends_at__gt=start)
        .distinct()
    )
    return [event(meeting, now) for meeting in meetings]
