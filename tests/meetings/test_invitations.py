"""Invitations, changes and cancellations by e-mail, with their calendar file read
back with ``icalendar``: the UID stays, SEQUENCE grows, METHOD says what happened, and
no file, subject or feed names anyone who was invited."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from django.core import mail
from django.urls import reverse
from icalendar import Calendar, Component
from pytest_django.fixtures import Settings

from backline.lib import clock
from backline.meetings.models import Answer, Invitee
from backline.notify import outbox
from backline.notify.models import Channel, OutgoingMessage
from tests.harness import ClientOf, Clock
from tests.meetings import builders
from tests.personas import World

NAMES = ("Tess", "Caller", "Pat", "Peer", "Cory", "Coordinator", "Cleo", "Ada")


def _events(email: mail.EmailMessage) -> tuple[str, list[Component]]:
    part, calendar = builders.calendar_of(email)
    method = part.get_param("method")
    assert isinstance(method, str)
    return method, calendar.walk("VEVENT")


def test_invitation_change_and_cancellation_carry_one_event(
    world: World, moment: Clock, client_of: ClientOf
) -> None:
    coordinator = client_of(world.coordinator)
    data = builders.form(
        facilitators=[world.peer], invite=[world.telecommunicator], zone_of=world.coordinator
    )
    meeting = builders.schedule(coordinator, data)
    invited = builders.sent_mail()
    assert sorted(m.to[0] for m in invited) == ["peer@harbor.test", "tc@harbor.test"]
    calendars = [builders.calendar_of(m) for m in invited]
    uids = set()
    for part, calendar in calendars:
        assert part.get_param("method") == "REQUEST"
        assert calendar["METHOD"] == "REQUEST"
        (event,) = calendar.walk("VEVENT")
        uids.add(str(event["UID"]))
        assert event["SEQUENCE"] == 0
        assert event.decoded("DTSTART") == meeting.starts_at
        assert event.decoded("DTEND") == meeting.ends_at
        assert "ATTENDEE" not in event
        assert event["ORGANIZER"].params["CN"] == "Backline"
        assert str(event["LOCATION"]) == "Training room 2, Harbor 911"
        assert str(event["SUMMARY"]) == "Backline session"  # what a lock screen shows
        assert str(event["DESCRIPTION"]).startswith("Support group\n")
    assert uids == {meeting.uid}

    moment.shift(minutes=5)
    data["start"], data["end"] = "10:00", "11:30"
    data["sequence"] = "0"
    changed = coordinator.post(reverse("meetings:edit", args=[meeting.pk]), data)
    assert changed.status_code == 302
    meeting.refresh_from_db()
    assert meeting.sequence == 1
    updates = builders.sent_mail()
    assert len(updates) == 2
    for email in updates:
        part, calendar = builders.calendar_of(email)
        (event,) = calendar.walk("VEVENT")
        assert part.get_param("method") == "REQUEST"
        assert (str(event["UID"]), event["SEQUENCE"]) == (meeting.uid, 1)
        assert event.decoded("DTSTART").astimezone(world.coordinator.time_zone).hour == 10

    moment.shift(minutes=5)
    cancel = coordinator.post(reverse("meetings:cancel", args=[meeting.pk]), {"confirm": "yes"})
    assert cancel.status_code == 302
    cancellations = builders.sent_mail()
    assert len(cancellations) == 2
    for email in cancellations:
        part, calendar = builders.calendar_of(email)
        (event,) = calendar.walk("VEVENT")
        assert part.get_param("method") == "CANCEL" and calendar["METHOD"] == "CANCEL"
        assert (str(event["UID"]), event["SEQUENCE"]) == (meeting.uid, 2)
        assert event["STATUS"] == "CANCELLED"

    for email in invited + updates + cancellations:
        text = builders.decoded(email)
        assert "BEGIN:VCALENDAR" in text  # the check below reads the file too
        assert not any(name in text for name in NAMES), email.subject
        assert email.subject.startswith("Backline: ")
        assert "support group" not in email.subject.lower()  # nothing about why


def test_the_invitation_is_in_app_too(world: World, moment: Clock, client_of: ClientOf) -> None:
    meeting = builders.schedule(
        client_of(world.peer), builders.form(facilitators=[world.peer], invite=[world.clinician])
    )
    inbox = OutgoingMessage.objects.get(recipient=world.clinician, channel=Channel.INAPP)
    assert inbox.link.endswith(reverse("meetings:detail", args=[meeting.pk]))
    assert Invitee.objects.get(meeting=meeting).person == world.clinician


def test_a_mail_sent_after_a_cancellation_cancels(
    world: World, moment: Clock, client_of: ClientOf
) -> None:
    """The file is made when the mail goes: an invitation still waiting when the session
    is cancelled is not sent, and no calendar ever gets a REQUEST after the CANCEL."""
    peer = client_of(world.peer)
    meeting = builders.schedule(
        peer, builders.form(facilitators=[world.peer], invite=[world.telecommunicator])
    )
    peer.post(reverse("meetings:cancel", args=[meeting.pk]), {"confirm": "yes"})
    methods = [_events(m)[0] for m in builders.sent_mail()]
    assert methods == ["CANCEL", "CANCEL"]


def test_the_calendar_feed_lists_sessions_without_who_is_coming(
    world: World, moment: Clock, client_of: ClientOf
) -> None:
    coordinator = client_of(world.coordinator)
    meeting = builders.schedule(
        coordinator,
        builders.form(facilitators=[world.peer], everyone=True, zone_of=world.coordinator),
    )
    tess = client_of(world.telecommunicator)
    builders.answer(tess, meeting, Answer.YES)
    declined = builders.schedule(
        coordinator,
        builders.form(
            facilitators=[world.peer],
            invite=[world.telecommunicator],
            starts=clock.now() + timedelta(days=5),
            zone_of=world.coordinator,
        ),
    )
    assert declined.pk != meeting.pk
    page = client_of(world.peer).post(reverse("oncall:calendar")).content.decode()
    found = re.search(r"/oncall/calendar/([^/\"<]+)\.ics", page)
    assert found
    feed = client_of(world.peer).get(reverse("oncall:calendar_feed", args=[found[1]]))
    text = feed.content.decode()
    events = {str(e["UID"]): e for e in Calendar.from_ical(feed.content).walk("VEVENT")}
    assert meeting.uid in events and declined.uid in events  # the peer facilitates both
    assert events[meeting.uid]["SEQUENCE"] == 0
    assert "ATTENDEE" not in text
    assert not any(name in text for name in ("Tess", "Caller", "Cleo", "Ada", "Cory"))


def test_the_development_mailbox_shows_the_invitation_file(
    world: World, moment: Clock, client_of: ClientOf, settings: Settings, tmp_path: Path
) -> None:
    """As in `make run`: mail goes to files, and the mailbox lists what each carries."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    builders.schedule(
        client_of(world.peer), builders.form(facilitators=[world.peer], invite=[world.clinician])
    )
    outbox.process(clock.now())
    page = client_of(world.clinician).get(reverse("dev_mail")).content.decode()
    assert "Backline: an invitation" in page
    assert "Attached: invitation.ics" in page
