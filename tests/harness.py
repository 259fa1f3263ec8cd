"""What a story test is built from (docs/adr/0022): a clock that moves only when told and
runs the engine, one recording transport whose every message the test must assert, and
the peer team most stories start from. The people themselves are in ``tests.personas``.

The conftest files turn these into fixtures (``moment``, ``recorder``, ``recording``,
``team``, ``reachable``, ``person``, ``method``); tests import the names from here.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Protocol, Self, TypeAlias

import time_machine
from django.test import Client

from backline.accounts.models import User
from backline.accounts.roles import Role
from backline.lib import clock
from backline.notify import outbox, registry
from backline.notify.models import Channel, ContactMethod, OutgoingMessage
from backline.notify.transport import Envelope, Sent, Transport, TransportError
from backline.oncall.models import Rotation, RotationKind, RotationMember
from backline.support.models import EscalationPolicy, EscalationStep, StepTarget, TargetKind
from tests.personas import PASSWORD, World, enrol_totp, make_person

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse

    from backline.engine.loop import TickResult

# What the test client answers: a response with the test client's additions (``json()``,
# ``context``, ``redirect_chain``), a type that only django-stubs names.
Response: TypeAlias = "_MonkeyPatchedWSGIResponse"

# A Monday afternoon in Washington: 07:00 in Los Angeles, where the agencies are.
START = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


# --- the clock ---------------------------------------------------------------------


class Clock:
    """Time that stands still until a test moves it: ``shift(minutes=5)`` moves it,
    ``to(when)`` moves it to a moment, ``later(minutes=5)`` moves it and runs one tick of
    the engine, ``tick()`` runs one now."""

    def __init__(self, traveller: time_machine.Traveller) -> None:
        self.traveller = traveller

    def shift(self, **delta: float) -> datetime:
        self.traveller.shift(timedelta(**delta))
        return clock.now()

    def to(self, when: datetime) -> datetime:
        """Move forward to ``when`` (a moment already past leaves the clock where it is)."""
        self.traveller.shift(max(when - clock.now(), timedelta(0)))
        return clock.now()

    def tick(self) -> TickResult:
        from backline.engine.loop import tick  # the top layer, imported when a test runs it

        return tick()

    def later(self, **delta: float) -> TickResult:
        self.shift(**delta)
        return self.tick()


@contextmanager
def frozen(at: datetime = START) -> Iterator[Clock]:
    """The clock stands at ``at`` for the while."""
    with time_machine.travel(at, tick=False) as traveller:
        yield Clock(traveller)


# --- the recording transport -------------------------------------------------------

# the channels that leave Backline (in-app messages are rows, not sends)
EXTERNAL = (Channel.EMAIL, Channel.SMS, Channel.VOICE, Channel.PUSH)


@dataclass(frozen=True)
class Delivery:
    """One message a recorder took: by which channel, and the envelope as it was given."""

    channel: str
    envelope: Envelope
    provider_id: str

    @property
    def address(self) -> str:
        return self.envelope.address

    @property
    def subject(self) -> str:
        return self.envelope.subject

    @property
    def body(self) -> str:
        return self.envelope.body

    @property
    def link(self) -> str:
        return self.envelope.link

    def __str__(self) -> str:
        return f"{self.channel} to {self.address}: {self.subject!r}"


class NotAsserted(AssertionError):
    """Messages were sent that the test did not assert."""


class Recorder:
    """Stands in for the transports of the channels it is put in place for, and keeps
    what they were asked to send, as GoAlert's smoke harness does: a test asserts each
    message with ``expect`` (exactly one) or ``take`` (any number), which hands it over,
    and ``close`` (at the end of the test) fails on any message nobody asserted.
    ``ignore_rest()`` says, where that is the story, that the rest does not matter.

    ``fail(channel)`` makes a channel's sends fail (a retryable error unless another is
    given) until ``restore(channel)``; a failed send is not a message.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()  # engines may send from threads of their own
        self._unasserted: list[Delivery] = []
        self._count = 0
        self._failing: dict[str, TransportError] = {}
        self._replaced: dict[str, Transport] = {}
        self._ignoring = False

    # in place

    def stand_in(self, *channels: str) -> Self:
        """Send ``channels``' messages here until ``close``."""
        for channel in channels:
            previous = registry.register(channel, _Standing(self, channel))
            self._replaced.setdefault(channel, previous)
        return self

    def close(self) -> None:
        """Put the real transports back; fail if a message was not asserted."""
        for channel, previous in self._replaced.items():
            registry.register(channel, previous)
        self._replaced.clear()
        if self._unasserted and not self._ignoring:
            raise NotAsserted(
                _listed(
                    self._unasserted,
                    "sent but not asserted (expect or take them, or "
                    "recorder.ignore_rest() where the rest is not the story)",
                )
            )

    def fail(self, channel: str, error: TransportError | None = None) -> None:
        self._failing[channel] = error or TransportError(f"{channel} is down")

    def restore(self, channel: str) -> None:
        self._failing.pop(channel, None)

    def _send(self, channel: str, envelope: Envelope) -> Sent:
        if channel in self._failing:
            raise self._failing[channel]
        with self._lock:
            self._count += 1
            delivery = Delivery(channel, envelope, provider_id=f"{channel}-{self._count}")
            self._unasserted.append(delivery)
        return Sent(delivery.provider_id)

    # asserting

    def _matching(
        self, to: str | None, channel: str | None, subject: str | None, containing: str | None
    ) -> list[Delivery]:
        return [
            d
            for d in self._unasserted
            if (to is None or d.address == to)
            and (channel is None or d.channel == channel)
            and (subject is None or d.subject == subject)
            and (containing is None or containing in f"{d.subject}\n{d.body}\n{d.link}")
        ]

    def _hand_over(self, taken: list[Delivery]) -> list[Delivery]:
        self._unasserted = [d for d in self._unasserted if d not in taken]
        return taken

    def take(
        self,
        *,
        to: str | None = None,
        channel: str | None = None,
        subject: str | None = None,
        containing: str | None = None,
    ) -> list[Delivery]:
        """The messages not asserted yet that match (all of them, without a filter),
        oldest first; they count as asserted from now on. ``containing`` is looked for in
        the subject, the body and the link."""
        with self._lock:
            return self._hand_over(self._matching(to, channel, subject, containing))

    def expect(
        self,
        *,
        to: str | None = None,
        channel: str | None = None,
        subject: str | None = None,
        containing: str | None = None,
    ) -> Delivery:
        """The one message not asserted yet that matches; fails if there is none, or more
        than one (a message sent twice is a surprise too)."""
        with self._lock:
            found = self._matching(to, channel, subject, containing)
            if len(found) == 1:
                return self._hand_over(found)[0]
            looking = {"to": to, "channel": channel, "subject": subject, "containing": containing}
            wanted = ", ".join(f"{k}={v!r}" for k, v in looking.items() if v is not None)
            raise AssertionError(
                f"expected one message ({wanted or 'any'}), found {len(found)}.\n"
                + _listed(self._unasserted, "not asserted yet")
            )

    def expect_nothing(self, *, to: str | None = None, channel: str | None = None) -> None:
        """Nothing was sent (to ``to``, by ``channel``) that was not asserted already."""
        found = self._matching(to, channel, None, None)
        if found:
            raise AssertionError(_listed(found, "sent, where nothing was expected"))

    def ignore_rest(self) -> None:
        """What this test sends beyond what it asserted is not its story."""
        self._ignoring = True


class _Standing:
    def __init__(self, recorder: Recorder, channel: str) -> None:
        self.recorder = recorder
        self.channel = channel

    def send(self, envelope: Envelope) -> Sent:
        return self.recorder._send(self.channel, envelope)


def _listed(deliveries: list[Delivery], what: str) -> str:
    if not deliveries:
        return f"(no message {what})"
    lines = "\n".join(f"  - {d}" for d in deliveries)
    return f"{len(deliveries)} message(s) {what}:\n{lines}"


@contextmanager
def recording(*channels: str) -> Iterator[Recorder]:
    """A recorder in place for ``channels`` (more with ``stand_in``) for the while; on
    leaving, what was sent must have been asserted."""
    recorder = Recorder().stand_in(*channels)
    try:
        yield recorder
    finally:
        recorder.close()


# --- people, their contact methods and what is sent to them ------------------------


class ClientOf(Protocol):
    """What the ``client_of`` fixture is: ``client_of(user)``, a test client signed in as
    ``user``, who has just confirmed their password."""

    def __call__(self, user: User, password: str = PASSWORD) -> Client: ...


def reachable(user: User, channel: str, value: str, verified: bool = True) -> ContactMethod:
    """A contact method of ``user``: verified (now) unless said otherwise."""
    return ContactMethod.objects.create(
        user=user, channel=channel, value=value, verified_at=clock.now() if verified else None
    )


# the page the transports' own tests send
PAGE = outbox.Message(
    subject="Backline: a colleague is asking for support",
    body="A colleague reached out for peer support. Open Backline to respond.",
    link="https://backline.example.org/support/pages/abc/",
)


def page(person: User, channel: str) -> OutgoingMessage:
    """Page ``person`` with ``PAGE``: the message planned for ``channel``."""
    outbox.enqueue(person.pk, "group", "event", PAGE)
    return OutgoingMessage.objects.get(group_key="group", channel=channel)


_PEER = (Role.TELECOMMUNICATOR, Role.PEER)


@dataclass
class Team:
    """The world's people and three peers: A (the world's peer, on call in the
    rotation), B at the same agency, C at the other one; and the default policy."""

    world: World
    a: User
    b: User
    c: User
    rotation: Rotation
    policy: EscalationPolicy


def build_team(world: World) -> Team:
    """A reaches e-mail a@mail.test, B texts +15550100002, C e-mail c@mail.test, the
    coordinator coord@mail.test. The policy: 1. the rotation's on-call peer, wait 5 min;
    2. peer B, wait 5 min; 3. the coordinator, wait 5 min; repeated once."""
    a = world.peer
    b = make_person("b@harbor.test", "Bo Bee", world.agency, *_PEER)
    c = make_person("c@bayside.test", "Cy Sea", world.other_agency, *_PEER)
    for peer in (b, c):
        enrol_totp(peer)
    reachable(a, Channel.EMAIL, "a@mail.test")
    reachable(b, Channel.SMS, "+15550100002")
    reachable(c, Channel.EMAIL, "c@mail.test")
    reachable(world.coordinator, Channel.EMAIL, "coord@mail.test")
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
    targets: list[tuple[str, dict[str, object]]] = [
        (TargetKind.ROTATION, {"rotation": rotation}),
        (TargetKind.USER, {"user": b}),
        (TargetKind.COORDINATOR, {}),
    ]
    for order, (kind, target) in enumerate(targets):
        step = EscalationStep.objects.create(policy=policy, order=order, delay_minutes=5)
        StepTarget.objects.create(step=step, kind=kind, **target)
    return Team(world, a, b, c, rotation, policy)
