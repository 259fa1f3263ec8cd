"""The demo team's sessions: a debriefing last week, an upcoming support group the demo
peer facilitates (some have answered; the demo telecommunicator's invitation waits in
their inbox), and a training whose seats are all taken, with a waiting list."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from backline.accounts.models import Region, User
from backline.accounts.roles import Role
from backline.lib import clock
from backline.meetings import invites
from backline.meetings.models import Answer, Invitee, Kind, Meeting, reminders

PEER_EMAIL = "peer@example.org"
COORDINATOR_EMAIL = "coordinator@example.org"
COLLEAGUE_EMAIL = "telecom@example.org"


def _at(day: datetime, hour: int, zone: object) -> datetime:
    return datetime.combine(day.date(), time(hour), tzinfo=zone)  # type: ignore[arg-type]


def _session(
    region: Region,
    kind: str,
    starts_at: datetime,
    hours: float,
    capacity: int,
    organiser: User,
    facilitators: list[User],
    place: str = "",
    video_link: str = "",
) -> Meeting:
    now = clock.now()
    meeting = Meeting(
        region=region,
        kind=kind,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
        place=place,
        video_link=video_link,
        capacity=capacity,
        organiser=organiser,
        created_at=min(now, starts_at - timedelta(days=7)),
    )
    reminders(meeting, now)
    meeting.save()
    meeting.facilitators.set(facilitators)
    return meeting


def _answer(meeting: Meeting, people: list[User], said: str, at: datetime) -> None:
    Invitee.objects.filter(meeting=meeting, person__in=people).update(
        answer=said,
        answered_at=at,
        waiting_since=at if said == Answer.WAITING_LIST else None,
    )


def load(region: Region) -> None:
    now = clock.now()
    peer = User.objects.get(email=PEER_EMAIL)
    coordinator = User.objects.get(email=COORDINATOR_EMAIL)
    colleague = User.objects.get(email=COLLEAGUE_EMAIL)
    zone = coordinator.time_zone
    local = now.astimezone(zone)
    members = User.objects.filter(memberships__region=region, is_active=True).distinct()
    peers = [p for p in members.filter(memberships__role=Role.PEER).distinct() if p != peer]
    others = [
        p for p in members.exclude(pk__in=[peer.pk, coordinator.pk, colleague.pk]).order_by("pk")
    ]

    debriefing = _session(
        region,
        Kind.DEBRIEFING,
        _at(local - timedelta(days=6), 15, zone),
        1.5,
        8,
        coordinator,
        [peer, peers[0]],
        place="Conference room B, Northfield ECC",
    )
    came = others[:5]
    Invitee.objects.bulk_create(
        Invitee(meeting=debriefing, person=p, invited_at=debriefing.created_at) for p in came
    )
    _answer(debriefing, came, Answer.YES, debriefing.starts_at - timedelta(days=2))

    group = _session(
        region,
        Kind.SUPPORT_GROUP,
        _at(local + timedelta(days=3), 18, zone),
        1.5,
        12,
        coordinator,
        [peer],
        place="Wellness room, Northfield ECC",
        video_link="https://video.example.org/backline-support-group",
    )
    invites.invite(group, [colleague.pk, *(p.pk for p in others[:9])], now)
    _answer(group, others[:4], Answer.YES, now - timedelta(hours=5))
    _answer(group, others[4:6], Answer.MAYBE, now - timedelta(hours=3))
    _answer(group, others[6:7], Answer.NO, now - timedelta(hours=2))

    training = _session(
        region,
        Kind.TRAINING,
        _at(local + timedelta(days=10), 9, zone),
        3,
        4,
        coordinator,
        peers[:2],
        place="Training center, room 4",
    )
    invites.invite(training, [peer.pk, colleague.pk, *(p.pk for p in others[:6])], now)
    _answer(training, [peer, *others[:3]], Answer.YES, now - timedelta(days=1))
    _answer(training, others[3:5], Answer.WAITING_LIST, now - timedelta(hours=20))
