"""The paging benchmark's teams, made in its database (``python -m bench.paging.db setup``;
imported once Django is set up).

Each team is a region with an agency, telecommunicators (no second factor needed), two
or three peers and a coordinator with a verified e-mail address each, a weekly rotation
of the peers whose current shift belongs to the first, every other peer "available
now", and the team's default escalation policy: (1) the rotation's on-call peer,
1 minute; (2) all available peers, 1 minute; (3) the coordinator, 1 minute.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction

from backline.accounts import addresses
from backline.accounts.models import Agency, Membership, Region, User
from backline.accounts.roles import Role
from backline.lib import clock
from backline.notify.models import Channel, ContactMethod
from backline.oncall.models import Availability, Rotation, RotationKind, RotationMember
from backline.support.models import EscalationPolicy, EscalationStep, StepTarget, TargetKind

STEP_DELAY_MINUTES = 1
TIME_ZONE = "America/Chicago"
HANDOFF = time(8, 0)


@dataclass(frozen=True)
class Team:
    telecoms: list[str]  # their e-mail addresses
    peers: int
    available: int


def setup(teams: int, telecoms_per_team: int, password: str) -> dict[str, Any]:
    """Makes ``teams`` teams in one transaction; says who was made."""
    now = clock.now()
    probe = User()
    probe.set_password(password)  # hashed once: Argon2 on purpose costs time and memory
    with transaction.atomic():
        made = [_team(number, telecoms_per_team, probe.password, now) for number in range(teams)]
    return {
        "telecoms": [
            [email, number] for number, team in enumerate(made) for email in team.telecoms
        ],
        "peers": sum(team.peers for team in made),
        "available": sum(team.available for team in made),
        "coordinators": len(made),
        "step_delay_minutes": STEP_DELAY_MINUTES,
    }


def _team(number: int, telecoms: int, password_hash: str, now: datetime) -> Team:
    region = Region.objects.create(name=f"Bench Team {number:03d}", slug=f"bench-{number:03d}")
    agency = Agency.objects.create(
        region=region, name=f"Bench {number:03d} 911", state="IA", time_zone=TIME_ZONE
    )

    def person(email: str, name: str, *roles: Role) -> User:
        user = User.objects.create(email=email, full_name=name, password=password_hash)
        Membership.objects.bulk_create(
            Membership(user=user, region=region, agency=agency, role=role) for role in roles
        )
        addresses.record_verified(user)
        return user

    emails = [f"tc{number:03d}-{n:03d}@bench.test" for n in range(telecoms)]
    for n, email in enumerate(emails):
        person(email, f"Caller {number}-{n}", Role.TELECOMMUNICATOR)
    peers = [
        person(f"peer{number:03d}-{n}@bench.test", f"Peer {number}-{n}", Role.TELECOMMUNICATOR,
               Role.PEER)
        for n in range(2 + number % 2)
    ]  # fmt: skip
    coordinator = person(f"coord{number:03d}@bench.test", f"Coordinator {number}", Role.COORDINATOR)
    ContactMethod.objects.bulk_create(
        ContactMethod(
            user=someone, channel=Channel.EMAIL, label="work", value=someone.email, verified_at=now
        )
        for someone in [*peers, coordinator]
    )
    Availability.objects.bulk_create(
        Availability(user=peer, until=now + timedelta(hours=12)) for peer in peers[1:]
    )
    _policy(region, _rotation(region, peers, now))
    return Team(telecoms=emails, peers=len(peers), available=len(peers) - 1)


def _rotation(region: Region, peers: list[User], now: datetime) -> Rotation:
    """A weekly rotation of ``peers`` whose current shift is the first's."""
    local = now.astimezone(ZoneInfo(TIME_ZONE))
    rotation = Rotation.objects.create(
        region=region,
        name="Primary peer on call",
        kind=RotationKind.WEEKLY,
        time_zone=TIME_ZONE,
        starts_on=local.date() - timedelta(days=0 if local.time() >= HANDOFF else 1),
        handoff_time=HANDOFF,
    )
    RotationMember.objects.bulk_create(
        RotationMember(rotation=rotation, user=peer, position=i) for i, peer in enumerate(peers)
    )
    return rotation


def _policy(region: Region, rotation: Rotation) -> None:
    """The team's default policy: on-call peer, then all available peers, then the
    coordinator, ``STEP_DELAY_MINUTES`` apart."""
    policy = EscalationPolicy.objects.create(
        region=region, name="Bench", repeat=0, start_timeout_minutes=30, is_default=True
    )
    targets: list[tuple[str, dict[str, Any]]] = [
        (TargetKind.ROTATION, {"rotation": rotation}),
        (TargetKind.ALL_AVAILABLE, {}),
        (TargetKind.COORDINATOR, {}),
    ]
    for order, (kind, extra) in enumerate(targets):
        step = EscalationStep.objects.create(
            policy=policy, order=order, delay_minutes=STEP_DELAY_MINUTES
        )
        StepTarget.objects.create(step=step, kind=kind, **extra)
