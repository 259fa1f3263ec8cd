"""Fixtures for the transports' own tests (each channel's ``tests/`` folder): a person,
their contact methods, a page to send them, a clock that only moves when told, and
recording transports."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest
import time_machine

from backline.accounts.models import User
from backline.lib import clock
from backline.notify import outbox, registry
from backline.notify.models import ContactMethod, OutgoingMessage
from backline.notify.transport import Envelope, Sent, Transport, TransportError

START = datetime(2026, 3, 2, 15, 0, tzinfo=clock.now().tzinfo)

PAGE = outbox.Message(
    subject="Backline: a colleague is asking for support",
    body="A colleague reached out for peer support. Open Backline to respond.",
    link="https://backline.example.org/support/pages/abc/",
)


@pytest.fixture
def person(db: None) -> User:
    return User.objects.create_user(
        email="riley@harbor.test", password=None, full_name="Riley Quinn"
    )


@pytest.fixture
def method(person: User) -> Callable[..., ContactMethod]:
    """``method(channel, value)``: a verified contact method of ``person``."""

    def make(channel: str, value: str, verified: bool = True) -> ContactMethod:
        return ContactMethod.objects.create(
            user=person,
            channel=channel,
            value=value,
            verified_at=clock.now() if verified else None,
        )

    return make


def page(person: User, channel: str) -> OutgoingMessage:
    """Page ``person`` with ``PAGE``: the message planned for ``channel``."""
    outbox.enqueue(person.pk, "group", "event", PAGE)
    return OutgoingMessage.objects.get(group_key="group", channel=channel)


class Clock:
    def __init__(self, traveller: time_machine.Traveller) -> None:
        self.traveller = traveller

    def shift(self, **delta: float) -> datetime:
        self.traveller.shift(timedelta(**delta))
        return clock.now()


@pytest.fixture
def moment() -> Iterator[Clock]:
    with time_machine.travel(START, tick=False) as traveller:
        yield Clock(traveller)


@dataclass
class Recording:
    """A transport that remembers what it was asked to send, or fails as told."""

    channel: str
    envelopes: list[Envelope] = field(default_factory=list)
    error: TransportError | None = None

    def send(self, envelope: Envelope) -> Sent:
        if self.error is not None:
            raise self.error
        self.envelopes.append(envelope)
        return Sent(provider_id=f"{self.channel}-{len(self.envelopes)}")

    @property
    def sent(self) -> list[tuple[str, str, str]]:
        """(address, subject, body) of each message sent, oldest first."""
        return [(e.address, e.subject, e.body) for e in self.envelopes]


@pytest.fixture
def recording() -> Iterator[Callable[[str], Recording]]:
    """``recording(channel)`` puts a recording transport in place for ``channel``."""
    replaced: dict[str, Transport] = {}

    def install(channel: str) -> Recording:
        transport = Recording(channel)
        previous = registry.register(channel, transport)
        replaced.setdefault(channel, previous)
        return transport

    yield install
    for channel, previous in replaced.items():
        registry.register(channel, previous)
