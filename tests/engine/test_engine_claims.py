"""Engines as processes, sharing one outbox: a message an engine is still sending stays its
own, however slow the send, because the engine renews its claim; when that engine is
killed, the other sends the message within seconds, long before the sending deadline,
with the same Message-ID (docs/adr/0024-claims-held-by-a-lease.md)."""

from __future__ import annotations

import signal
import socket
import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection

from backline.engine.models import Heartbeat
from backline.lib import clock
from backline.notify import outbox
from backline.notify.email.transport import message_id
from backline.notify.models import Channel, ContactMethod, OutgoingMessage, Status
from backline.notify.transport import Envelope
from tests.engine.processes import Engine, eventually
from tests.engine.smtp import SmtpServer
from tests.personas import World

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="two engines at once: PostgreSQL (ADR 0005)"
    ),
]

LEASE_SECONDS = 2
# far longer than the test: only the lease can let the other engine take the message
LONG_DEADLINE = {
    "BACKLINE_CLAIM_LEASE_SECONDS": str(LEASE_SECONDS),
    "BACKLINE_SENDING_DEADLINE_SECONDS": "600",
}


def name_of(engine: Engine) -> str:
    return f"{socket.gethostname()}:{engine.process.pid}"


def test_a_claim_is_held_while_its_engine_lives_and_lapses_when_it_is_killed(
    world: World, smtp: SmtpServer, engines: Callable[..., Engine]
) -> None:
    ContactMethod.objects.create(
        user=world.peer, channel=Channel.EMAIL, value="peer@mail.test", verified_at=clock.now()
    )
    both = [engines(**smtp.settings(), **LONG_DEADLINE) for _ in range(2)]
    eventually(
        lambda: Heartbeat.objects.filter(name__in=[name_of(e) for e in both]).count() == 2,
        what="both engines to run",
    )
    smtp.handler.hold = threading.Event()
    smtp.handler.hold.set()  # the mail server takes its time: the send is under way
    outbox.enqueue(world.peer.pk, "g", "g", outbox.Message("Backline: test", "body"))
    message = OutgoingMessage.objects.get(channel=Channel.EMAIL)
    eventually(
        lambda: OutgoingMessage.objects.get(pk=message.pk).status == Status.SENDING,
        what="an engine to be sending it",
    )
    claimed = OutgoingMessage.objects.get(pk=message.pk)
    assert claimed.sending_deadline is not None
    [sending] = [e for e in both if name_of(e) == claimed.claimed_by]
    [other] = [e for e in both if e is not sending]
    two_leases_later = claimed.sending_deadline + timedelta(seconds=LEASE_SECONDS)
    eventually(
        lambda: Heartbeat.objects.filter(
            name=name_of(other), beat_at__gt=two_leases_later
        ).exists(),
        what="the other engine to tick on, past the first lease of the claim",
    )
    held = OutgoingMessage.objects.get(pk=message.pk)
    assert (held.status, held.claimed_by, held.attempts) == (Status.SENDING, name_of(sending), 1)
    assert held.sending_deadline is not None
    assert held.sending_deadline > claimed.sending_deadline  # renewed meanwhile
    assert smtp.received == []

    sending.stop(signal.SIGKILL)  # mid-send
    smtp.handler.hold = None  # the mail server answers at once again
    eventually(
        lambda: OutgoingMessage.objects.get(pk=message.pk).status == Status.SENT,
        timeout=30,
        what="the other engine to send it, within seconds of the kill",
    )
    sent = OutgoingMessage.objects.get(pk=message.pk)
    assert sent.attempts == 2
    assert [r.to for r in smtp.received] == [["peer@mail.test"]]
    key = message_id(Envelope("", "", "", key=outbox.key_of(message.pk)))
    assert smtp.received[0].message["Message-ID"] == key  # as the first attempt's was
