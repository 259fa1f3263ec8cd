"""Sessions as an organiser schedules them, through the scheduling page, and the
e-mails Backline sends about them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from email.message import Message

from django.core import mail
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from backline.accounts.models import User
from backline.lib import clock
from backline.meetings.models import Invitee, Kind, Meeting
from backline.notify import outbox
from tests.personas import World


def form(
    *,
    facilitators: list[User],
    invite: list[User] = (),  # type: ignore[assignment]
    everyone: bool = False,
    starts: datetime | None = None,
    hours: float = 1.5,
    capacity: int = 8,
    kind: str = Kind.SUPPORT_GROUP,
    place: str = "Training room 2, Harbor 911",
    video_link: str = "",
    zone_of: User | None = None,
) -> dict[str, object]:
    """The form's fields, times in ``zone_of``'s zone (the organiser's; by default the
    first facilitator's)."""
    zone = (zone_of or facilitators[0]).time_zone
    start = (starts or clock.now() + timedelta(days=3)).astimezone(zone)
    end = start + timedelta(hours=hours)
    data: dict[str, object] = {
        "kind": str(kind),
        "day": start.date().isoformat(),
        "start": start.strftime("%H:%M"),
        "end": end.strftime("%H:%M"),
        "place": place,
        "video_link": video_link,
        "capacity": str(capacity),
        "facilitators": [str(p.pk) for p in facilitators],
        "invite": "\n".join(p.email.upper() for p in invite),  # as typed, in capitals
    }
    if everyone:
        data["invite_team"] = "on"
    return data


def schedule(organiser_client: Client, data: dict[str, object]) -> Meeting:
    before = set(Meeting.objects.values_list("pk", flat=True))
    response = organiser_client.post(reverse("meetings:new"), data)
    assert response.status_code == 302, response.content.decode()
    return Meeting.objects.exclude(pk__in=before).get()


def answer(client: Client, meeting: Meeting, said: str, sequence: int | None = None) -> str:
    """An invitee's tap; returns the message the next page shows."""
    response = client.post(
        reverse("meetings:answer", args=[meeting.pk]),
        {"answer": said, "sequence": meeting.sequence if sequence is None else sequence},
        follow=True,
    )
    assert response.status_code == 200
    return " ".join(str(m) for m in response.context["messages"])


def sent_mail() -> list[mail.EmailMessage]:
    """Send what the outbox holds; returns the e-mails, and empties the mailbox."""
    outbox.process(clock.now())
    sent = list(mail.outbox)
    mail.outbox.clear()
    return sent


def calendar_of(email: mail.EmailMessage) -> tuple[Message, Calendar]:
    """The e-mail's calendar part, and the calendar it holds."""
    parts = [p for p in email.message().walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1, [p.get_content_type() for p in email.message().walk()]
    payload = parts[0].get_payload(decode=True)
    assert isinstance(payload, bytes)
    return parts[0], Calendar.from_ical(payload)


def decoded(email: mail.EmailMessage) -> str:
    """Every part of the e-mail, decoded (the calendar file is sent in base64)."""
    parts = []
    for part in email.message().walk():
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            parts.append(payload.decode())
    return "\n".join([str(email.subject), *parts])


def row(
    world: World,
    *,
    invite: Sequence[User] = (),
    facilitators: Sequence[User] = (),
    **values: object,
) -> Meeting:
    """A training tomorrow, written straight to the database (``values`` change it)."""
    now = clock.now()
    fields: dict[str, object] = {
        "region": world.region,
        "kind": Kind.TRAINING,
        "starts_at": now + timedelta(days=1),
        "ends_at": now + timedelta(days=1, hours=2),
        "place": "Room 1",
        "capacity": 6,
        **values,
    }
    meeting = Meeting.objects.create(**fields)
    meeting.facilitators.set(facilitators)
    Invitee.objects.bulk_create(Invitee(meeting=meeting, person=p) for p in invite)
    return meeting
