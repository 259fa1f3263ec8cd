"""Rotations, schedules, offers and policies for on-call tests, and the URL arguments
of the on-call and policy pages for the access table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any

from backline.accounts.models import Region, User
from backline.accounts.roles import Role
from backline.lib import clock
from backline.oncall import ics
from backline.oncall.models import (
    Override,
    Rotation,
    RotationKind,
    RotationMember,
    Schedule,
    ScheduleWindow,
    ShiftOffer,
)
from backline.support.models import EscalationPolicy, EscalationStep, StepTarget, TargetKind
from tests.personas import World, enrol_totp, make_person


@dataclass
class Peers:
    world: World
    a: User  # the world's peer
    b: User
    c: User


def peers(world: World) -> Peers:
    """The world's peer and two more, at the same agency; nobody has a contact method."""
    return Peers(
        world,
        world.peer,
        peer(world, "b@harbor.test", "Bo Bee"),
        peer(world, "c@harbor.test", "Cy Sea"),
    )


def rotation(
    region: Region,
    members: list[User],
    name: str = "Primary",
    kind: str = RotationKind.WEEKLY,
    time_zone: str = "America/Los_Angeles",
    starts_on: date | None = None,
    handoff: time = time(8),
    shift_hours: int = 24,
) -> Rotation:
    made = Rotation.objects.create(
        region=region,
        name=name,
        kind=kind,
        time_zone=time_zone,
        starts_on=starts_on or clock.now().date() - timedelta(days=3),
        handoff_time=handoff,
        shift_hours=shift_hours,
    )
    for position, user in enumerate(members):
        RotationMember.objects.create(rotation=made, user=user, position=position)
    return made


def peer(world: World, email: str, name: str) -> User:
    made = make_person(email, name, world.agency, Role.TELECOMMUNICATOR, Role.PEER)
    enrol_totp(made)
    return made


def schedule(region: Region, used: Rotation, name: str = "Nights") -> Schedule:
    made = Schedule.objects.create(region=region, name=name, time_zone="America/Los_Angeles")
    ScheduleWindow.objects.create(
        schedule=made, rotation=used, weekdays=[0, 1, 2, 3, 4], starts_at=time(18), ends_at=time(8)
    )
    return made


def policy(region: Region, used: Rotation | None = None, default: bool = True) -> EscalationPolicy:
    made = EscalationPolicy.objects.create(region=region, name="Standard", is_default=default)
    step = EscalationStep.objects.create(policy=made, order=0, delay_minutes=5)
    if used is not None:
        StepTarget.objects.create(step=step, kind=TargetKind.ROTATION, rotation=used)
    else:
        StepTarget.objects.create(step=step, kind=TargetKind.ALL_AVAILABLE)
    return made


# --- URL arguments for tests/test_access.py ----------------------------------------------


def ROTATION(world: World) -> dict[str, Any]:
    return {"pk": rotation(world.region, [world.peer]).pk}


def ROTATION_MEMBER(world: World) -> dict[str, Any]:
    made = rotation(world.region, [world.peer])
    return {"pk": made.pk, "member_pk": made.members.get().pk}


def SCHEDULE(world: World) -> dict[str, Any]:
    return {"pk": schedule(world.region, rotation(world.region, [world.peer])).pk}


def SCHEDULE_WINDOW(world: World) -> dict[str, Any]:
    made = schedule(world.region, rotation(world.region, [world.peer]))
    return {"pk": made.pk, "window_pk": made.windows.get().pk}


def OVERRIDE(world: World) -> dict[str, Any]:
    now = clock.now()
    made = Override.objects.create(
        rotation=rotation(world.region, []),
        starts_at=now + timedelta(hours=1),
        ends_at=now + timedelta(hours=5),
        covered_by=world.peer,
    )
    return {"pk": made.pk}


def SHIFT_OFFER(world: World) -> dict[str, Any]:
    """An offer of the peer's current shift, open."""
    now = clock.now()
    made = ShiftOffer.objects.create(
        rotation=rotation(world.region, [world.peer]),
        starts_at=now + timedelta(hours=1),
        ends_at=now + timedelta(hours=3),
        offered_by=world.peer,
    )
    return {"pk": made.pk}


def CALENDAR(world: World) -> dict[str, Any]:
    return {"token": ics.issue(world.peer)}


def POLICY(world: World) -> dict[str, Any]:
    return {"pk": policy(world.region, default=False).pk}


def POLICY_STEP(world: World) -> dict[str, Any]:
    made = policy(world.region, default=False)
    return {"pk": made.pk, "step_pk": made.steps.get().pk}


def STEP_TARGET(world: World) -> dict[str, Any]:
    made = policy(world.region, default=False)
    step = made.steps.get()
    return {"pk": made.pk, "step_pk": step.pk, "target_pk": step.targets.get().pk}
