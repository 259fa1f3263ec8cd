"""A peer team with a policy, contact methods, a recording transport and a clock."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import pytest
import time_machine

from backline.engine.loop import tick
from backline.lib import clock
from backline.notify import registry, transport
from backline.notify.models import Channel, ContactMethod
from backline.notify.transport import Envelope, TransportError
from backline.oncall.models import Rotation, RotationKind, RotationMember
from backline.support.models import EscalationPolicy, EscalationStep, StepTarget, TargetKind
from tests.personas import World, enrol_totp, make_person

START = datetime(2026, 3, 2, 15, 0, tzinfo=clock.now().tzinfo)


@dataclass
class Sent:
    channel: str
    address: str
    subject: str
    body: str
    link: str


@dataclass
class Recorder:
    """Stands in for every external transport; remembers what it was asked to send."""

    sent: list[Sent] = field(default_factory=list)
    failing: set[str] = field(default_factory=set)

    def transport(self, channel: str):
        recorder = self

        class Recording:
            def send(self, envelope: Envelope) -> transport.Sent:
                if channel in recorder.failing:
                    raise TransportError(f"{channel} is down")
                recorder.sent.append(
                    Sent(channel, envelope.address, envelope.subject, envelope.body, envelope.link)
                )
                return transport.Sent(f"{channel}-{len(recorder.sent)}")

        return Recording()

    def to(self, address: str) -> list[Sent]:
        return [s for s in self.sent if s.address == address]


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    recorder = Recorder()
    external = [Channel.EMAIL, Channel.SMS, Channel.VOICE, Channel.PUSH]
    previous = {c: registry.register(c, recorder.transport(c)) for c in external}
    yield recorder
    for channel, replaced in previous.items():
        registry.register(channel, replaced)


class Clock:
    """Fast-forwards time and runs the engine: ``later(minutes=5)``."""

    def __init__(self, traveller: time_machine.Coordinates) -> None:
        self.traveller = traveller

    def tick(self):
        return tick()

    def later(self, **delta: float):
        self.traveller.shift(timedelta(**delta))
        return tick()


@pytest.fixture
def moment() -> Iterator[Clock]:
    with time_machine.travel(START, tick=False) as traveller:
        yield Clock(traveller)


def verified(user, channel: str, value: str) -> ContactMethod:
    return ContactMethod.objects.create(
        user=user, channel=channel, value=value, verified_at=clock.now()
    )


@dataclass
class Team:
    world: World
    a: object
    b: object
    c: object
    rotation: Rotation
    policy: EscalationPolicy


@pytest.fixture
def team(world: World, moment: Clock) -> Team:
    """Peers A (on call in the rotation), B and C (at the other agency); a policy:
    1. the rotation's on-call peer, wait 5 min; 2. peer B, wait 5 min; 3. the coordinator,
    wait 5 min; repeated once."""
    a = world.peer
    b = make_person("b@harbor.test", "Bo Bee", world.agency, "telecommunicator", "peer")
    c = make_person("c@bayside.test", "Cy Sea", world.other_agency, "telecommunicator", "peer")
    for peer in (b, c):
        enrol_totp(peer)
    verified(a, Channel.EMAIL, "a@mail.test")
    verified(b, Channel.SMS, "+15550100002")
    verified(c, Channel.EMAIL, "c@mail.test")
    verified(world.coordinator, Channel.EMAIL, "coord@mail.test")
    rotation = Rotation.objects.create(
        region=world.region,
        name="Primary",
        kind=RotationKind.WEEKLY,
        time_zone="America/Los_Angeles",
        starts_on=date(2026, 1, 5),
        handoff_time=time(8),
    )
    RotationMember.objects.create(rotation=rotation, user=a, position=0)
    policy = EscalationPolicy.objects.create(
        region=world.region, name="Standard", repeat=1, is_default=True
    )
    for order, (kind, target) in enumerate(
        [
            (TargetKind.ROTATION, {"rotation": rotation}),
            (TargetKind.USER, {"user": b}),
            (TargetKind.COORDINATOR, {}),
        ]
    ):
        step = EscalationStep.objects.create(policy=policy, order=order, delay_minutes=5)
        StepTarget.objects.create(step=step, kind=kind, **target)
    return Team(world, a, b, c, rotation, policy)
