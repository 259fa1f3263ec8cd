"""Two claimers at once never take the same row: each message is sent exactly once.

Real threads with their own database connections, so the test commits for real
(``transaction=True``). PostgreSQL claims with ``FOR UPDATE SKIP LOCKED``; SQLite
serialises writers, and the same test holds there too when the test database is a
file that both connections share.
"""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest
from django.db import connection

from backline.lib import clock
from backline.notify import outbox, registry
from backline.notify.models import Channel, ContactMethod, OutgoingMessage, Status
from backline.notify.transport import Envelope, Sent
from tests.personas import World

pytestmark = pytest.mark.django_db(transaction=True)

MESSAGES = 60


class Counting:
    """Records every send; slow enough that the two claimers overlap."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.sent: Counter[str] = Counter()

    def send(self, envelope: Envelope) -> Sent:
        time.sleep(0.005)
        with self.lock:
            self.sent[envelope.key] += 1
        return Sent(f"id-{envelope.key}")


@pytest.mark.skipif(
    connection.vendor == "sqlite" and ":memory:" in str(connection.settings_dict["NAME"]),
    reason="an in-memory SQLite database is not shared between threads",
)
def test_two_claimers_never_send_one_message_twice(world: World) -> None:
    ContactMethod.objects.create(
        user=world.peer, channel=Channel.EMAIL, value="pat@mail.test", verified_at=clock.now()
    )
    for n in range(MESSAGES):
        outbox.enqueue(world.peer.pk, f"group-{n}", f"event-{n}", outbox.Message("s", "b"))
    counting = Counting()
    previous = registry.register(Channel.EMAIL, counting)
    start = threading.Barrier(2)
    errors: list[BaseException] = []
    attempted = [0, 0]

    def claimer(me: int) -> None:
        try:
            start.wait()
            while done := outbox.process(limit=5):
                attempted[me] += done
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=claimer, args=(me,)) for me in range(2)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        registry.register(Channel.EMAIL, previous)
    assert errors == []
    assert all(attempted) and sum(attempted) == MESSAGES  # both claimed, none twice
    emails = OutgoingMessage.objects.filter(channel=Channel.EMAIL)
    assert set(counting.sent) == {outbox.key_of(pk) for pk in emails.values_list("pk", flat=True)}
    assert set(counting.sent.values()) == {1}  # exactly once each
    assert set(emails.values_list("status", "attempts")) == {(Status.SENT, 1)}
