"""A claim is a lease (docs/adr/0024-claims-held-by-a-lease.md): the engine that claimed
a message renews it while the send is under way; one that stops renewing (killed, or cut
off from the database) loses the message to the next engine within one lease, not at
the sending deadline; and whatever a lapsed claim reports late never undoes the claim
that followed it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from backline.lib import clock
from backline.notify import outbox
from backline.notify.models import Channel, ContactMethod, OutgoingMessage, Status
from backline.notify.transport import Sent, TransportError
from tests.harness import Clock, Recorder
from tests.personas import World

PAGE = outbox.Message("Backline: a colleague is asking for support", "Open Backline.", "/x")
LEASE = outbox.claim_lease().total_seconds()


@pytest.fixture
def mail(
    world: World,
    reachable: Callable[..., ContactMethod],
    recording: Callable[[str], Recorder],
    moment: Clock,
) -> Recorder:
    """A page to the peer's e-mail, waiting to be sent; the e-mails sent, recorded."""
    reachable(world.peer, Channel.EMAIL, "pat@mail.test")
    outbox.enqueue(world.peer.pk, "group", "event", PAGE, until_cancelled=True)
    return recording(Channel.EMAIL)


def email() -> OutgoingMessage:
    return OutgoingMessage.objects.get(channel=Channel.EMAIL)


def claimed_by(claimer: str) -> outbox.Claim:
    claim = outbox._claim(clock.now(), 10, claimer)
    assert claim is not None
    return claim


def test_the_lease_is_shorter_than_the_sending_deadline() -> None:
    assert outbox.claim_lease() < outbox.sending_deadline()  # else nothing gained


def test_a_claim_its_engine_stops_renewing_is_sent_by_another_engine_after_one_lease(
    mail: Recorder, moment: Clock
) -> None:
    claimed_by("engine-a")  # engine A claims the page, and is killed mid-send
    assert (email().status, email().claimed_by) == (Status.SENDING, "engine-a")
    moment.shift(seconds=LEASE - 0.5)
    assert outbox.process(claimer="engine-b") == 0  # A may still be sending it
    mail.expect_nothing()

    moment.shift(seconds=1)  # A's lease lapsed, long before the sending deadline
    outbox.process(claimer="engine-b")
    message = email()
    assert (message.status, message.attempts, message.claimed_by) == (Status.PENDING, 1, "")
    assert message.last_error == "no outcome: the engine stopped while sending"
    moment.to(message.next_attempt_at)  # the back-off of any failed attempt
    assert outbox.process(claimer="engine-b") == 1
    message = email()
    assert (message.status, message.attempts) == (Status.SENT, 2)
    resent = mail.expect(to="pat@mail.test")
    assert resent.envelope.key == outbox.key_of(message.pk)  # A's Message-ID, if it got out


def test_a_claim_its_engine_keeps_renewing_holds_until_the_sending_deadline(
    mail: Recorder, moment: Clock
) -> None:
    claim = claimed_by("engine-a")  # A is alive: its send is slow, and it renews the claim
    step = outbox.claim_lease() * 0.8
    while clock.now() + step < claim.renewable_until:
        moment.shift(seconds=step.total_seconds())
        outbox._renew(claim)
        assert outbox.process(claimer="engine-b") == 0
        assert (email().status, email().claimed_by) == (Status.SENDING, "engine-a")
    mail.expect_nothing()
    assert email().sending_deadline == claim.renewable_until  # renewed up to it, not past

    moment.to(claim.renewable_until)
    moment.shift(seconds=0.1)
    outbox._renew(claim)  # a send that hangs is not renewed forever
    assert email().sending_deadline == claim.renewable_until
    outbox.process(claimer="engine-b")
    assert (email().status, email().attempts) == (Status.PENDING, 1)  # tried again


def test_a_lapsed_claims_late_failure_leaves_the_next_claim_alone(
    mail: Recorder, moment: Clock
) -> None:
    lapsed = claimed_by("engine-a")
    moment.shift(seconds=LEASE + 1)
    outbox.process(claimer="engine-b")  # A's attempt failed: retried after its back-off
    moment.to(email().next_attempt_at)
    current = claimed_by("engine-b")
    # A was only cut off from the database: it comes back and reports its send failed
    outbox._record(lapsed, [outbox.Outcome(error=TransportError("timed out"))], clock.now())
    message = email()
    assert (message.status, message.claimed_by, message.attempts) == (Status.SENDING, "engine-b", 2)
    assert not OutgoingMessage.objects.filter(fallback_of=message).exists()
    outbox._record(current, [outbox.Outcome(sent=Sent("id-b"))], clock.now())
    assert (email().status, email().provider_id) == (Status.SENT, "id-b")


def test_a_lapsed_claims_late_success_is_recorded_and_the_next_claims_failure_is_not(
    mail: Recorder, moment: Clock
) -> None:
    lapsed = claimed_by("engine-a")
    moment.shift(seconds=LEASE + 1)
    outbox.process(claimer="engine-b")
    moment.to(email().next_attempt_at)
    current = claimed_by("engine-b")
    outbox._record(lapsed, [outbox.Outcome(sent=Sent("id-a"))], clock.now())
    assert (email().status, email().provider_id, email().claimed_by) == (Status.SENT, "id-a", "")
    outbox._record(current, [outbox.Outcome(error=TransportError("busy"))], clock.now())
    message = email()
    assert (message.status, message.provider_id) == (Status.SENT, "id-a")  # it did go out
    assert outbox.process(claimer="engine-b") == 0


def test_a_renewal_never_takes_back_a_row_another_engine_claimed(
    mail: Recorder, moment: Clock
) -> None:
    lapsed = claimed_by("engine-a")
    moment.shift(seconds=LEASE + 1)
    outbox.process(claimer="engine-b")
    moment.to(email().next_attempt_at)
    current = claimed_by("engine-b")
    deadline = email().sending_deadline
    moment.shift(seconds=1)
    outbox._renew(lapsed)
    assert (email().claimed_by, email().sending_deadline) == ("engine-b", deadline)
    outbox._renew(current)
    assert email().sending_deadline == clock.now() + outbox.claim_lease()
