"""The outbox as a state machine: recorded first, a deadline, retries with backoff, fall
back to the next method, cancellation, and what the rows may say."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.db import connection

from backline.lib import clock, host
from backline.notify import outbox, registry
from backline.notify.models import Channel, ContactMethod, NotificationRule, OutgoingMessage, Status
from backline.notify.transport import Envelope, Sent, Transport, TransportError
from backline.support import escalation
from backline.support.models import EscalationPolicy, EscalationStep, StepTarget
from tests import asking
from tests.harness import Clock, Recorder
from tests.personas import World

PAGE = outbox.Message("Backline: a colleague is asking for support", "Open Backline.", "/x")


def only(channel: str, group: str = "group") -> OutgoingMessage:
    return OutgoingMessage.objects.get(group_key=group, channel=channel)


@contextmanager
def sending_through(channel: str, transport: Transport) -> Iterator[None]:
    """``transport`` sends ``channel``'s messages for the while."""
    previous = registry.register(channel, transport)
    try:
        yield
    finally:
        registry.register(channel, previous)


@pytest.fixture
def fallback_texts(
    world: World,
    reachable: Callable[..., ContactMethod],
    recording: Callable[[str], Recorder],
    moment: Clock,
) -> Recorder:
    """A page planned for the peer's e-mail alone, then a phone added: the texts that the
    fallback sends, recorded."""
    reachable(world.peer, Channel.EMAIL, "pat@mail.test")
    outbox.enqueue(world.peer.pk, "group", "event", PAGE)
    reachable(world.peer, Channel.SMS, "+15550100001")
    texts: Recorder = recording(Channel.SMS)
    return texts


@pytest.mark.django_db(transaction=True)  # the sender's thread reads what was committed
def test_a_message_is_recorded_before_it_is_sent(
    world: World,
    reachable: Callable[..., ContactMethod],
    recording: Callable[[str], Recorder],
    moment: Clock,
) -> None:
    reachable(world.peer, Channel.EMAIL, "pat@mail.test")
    outbox.enqueue(world.peer.pk, "group", "event", PAGE)
    seen = []

    class Inspecting:
        def send(self, envelope: Envelope) -> Sent:
            row = only(Channel.EMAIL)
            seen.append(
                (row.status, row.attempts, row.sending_deadline, row.claimed_by, envelope.address)
            )
            connection.close()  # this sender thread's own
            return Sent("id-1")

    with sending_through(Channel.EMAIL, Inspecting()):
        outbox.process()
    lease_ends = clock.now() + timedelta(seconds=5)
    assert seen == [(Status.SENDING, 1, lease_ends, host.process_name(), "pat@mail.test")]
    message = only(Channel.EMAIL)
    assert (message.status, message.provider_id, message.sending_deadline, message.claimed_by) == (
        Status.SENT,
        "id-1",
        None,
        "",
    )


def test_enqueue_writes_an_inapp_message_and_one_per_usable_method(
    world: World,
    reachable: Callable[..., ContactMethod],
    recording: Callable[[str], Recorder],
    moment: Clock,
) -> None:
    reachable(world.peer, Channel.EMAIL, "pat@mail.test")
    reachable(world.peer, Channel.SMS, "+15550100001")
    reachable(world.peer, Channel.VOICE, "+15550100002", verified=False)
    off = reachable(world.peer, Channel.PUSH, "{}")
    ContactMethod.objects.filter(pk=off.pk).update(disabled=True)
    outbox.enqueue(world.peer.pk, "group", "event", PAGE)
    outbox.enqueue(world.peer.pk, "group", "event", PAGE)  # the same event twice
    rows = OutgoingMessage.objects.filter(group_key="group")
    assert sorted(rows.values_list("channel", flat=True)) == ["email", "inapp", "sms"]
    inapp = only(Channel.INAPP)
    assert (inapp.status, inapp.read_at) == (Status.SENT, None)


def test_rules_say_which_method_and_when(
    world: World,
    reachable: Callable[..., ContactMethod],
    recording: Callable[[str], Recorder],
    moment: Clock,
) -> None:
    email = reachable(world.peer, Channel.EMAIL, "pat@mail.test")
    sms = reachable(world.peer, Channel.SMS, "+15550100001")
    NotificationRule.objects.create(user=world.peer, contact_method=sms, delay_minutes=0)
    NotificationRule.objects.create(user=world.peer, contact_method=email, delay_minutes=5)
    sent = recording(Channel.SMS)
    recording(Channel.EMAIL)
    outbox.enqueue(world.peer.pk, "group", "event", PAGE)
    outbox.process()
    sent.expect(to="+15550100001")
    sent.expect_nothing()
    moment.shift(minutes=4, seconds=59)
    outbox.process()
    sent.expect_nothing()
    moment.shift(seconds=1)
    outbox.process()
    sent.expect(to="pat@mail.test")


def test_a_long_event_key_still_fits(
    world: World,
    reachable: Callable[..., ContactMethod],
    recording: Callable[[str], Recorder],
    moment: Clock,
) -> None:
    reachable(world.peer, Channel.EMAIL, "pat@mail.test")
    created = outbox.enqueue(world.peer.pk, "group", "e" * 300, PAGE)
    assert len(created) == 2
    keys = OutgoingMessage.objects.values_list("idempotency_key", flat=True)
    assert all(len(key) <= 120 for key in keys) and len(set(keys)) == 2


def test_a_row_that_failed_then_was_abandoned_is_still_delivered(
    world: World,
    reachable: Callable[..., ContactMethod],
    recording: Callable[[str], Recorder],
    moment: Clock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Four failures while mail was down, then an engine killed mid-send: the attempts
    add up past the fail-over, and the message is still sent."""
    reachable(world.peer, Channel.EMAIL, "pat@mail.test")
    mail = recording(Channel.EMAIL)
    outbox.enqueue(world.peer.pk, "group", "event", PAGE, until_cancelled=True)
    mail.fail(Channel.EMAIL, TransportError("mail server down"))
    for _ in range(4):
        outbox.process()
        moment.to(only(Channel.EMAIL).next_attempt_at)
    mail.restore(Channel.EMAIL)
    assert outbox._claim(clock.now(), 10, "engine-a")  # the fifth attempt: its engine dies
    moment.shift(seconds=31)
    for _ in range(3):
        outbox.process()
        moment.shift(seconds=outbox.BACKOFF_CAP.total_seconds())
    message = only(Channel.EMAIL)
    assert (message.status, message.attempts) == (Status.SENT, 6)
    # looked for once, when it first kept failing; not on every attempt after
    assert caplog.text.count("no contact method left") == 1
    assert mail.expect(to="pat@mail.test", subject=PAGE.subject).body == PAGE.body


def test_a_message_that_kills_every_engine_fails_over_and_is_still_tried(
    fallback_texts: Recorder, moment: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    for _ in range(outbox.FAIL_OVER_AFTER):
        message = only(Channel.EMAIL)
        moment.to(message.next_attempt_at)
        assert outbox._claim(clock.now(), 10, "engine-a")  # claimed; the engine dies each time
        moment.shift(seconds=31)
        with caplog.at_level(logging.WARNING):
            outbox.process()
    message = only(Channel.EMAIL)
    assert (message.status, message.attempts) == (Status.PENDING, 3)
    assert "sending never finished" in caplog.text
    fallback_texts.expect(to="+15550100001")


def test_retries_back_off_then_the_next_method_takes_over(
    fallback_texts: Recorder, recording: Callable[[str], Recorder], moment: Clock
) -> None:
    recording(Channel.EMAIL).fail(Channel.EMAIL, TransportError("mail server busy"))
    outbox.process()
    message = only(Channel.EMAIL)
    assert (message.status, message.attempts) == (Status.PENDING, 1)
    waits = [message.next_attempt_at - clock.now()]
    for _ in range(2):
        moment.shift(seconds=waits[-1].total_seconds() - 0.1)
        assert outbox.process() == 0
        moment.shift(seconds=0.1)
        assert outbox.process() >= 1
        message.refresh_from_db()
        waits.append(message.next_attempt_at - clock.now())
    bounds = [(2.5, 5), (5, 10), (10, 20)]  # doubling, each drawn from its upper half
    seconds = [wait.total_seconds() for wait in waits]
    assert all(lo <= s <= hi for s, (lo, hi) in zip(seconds, bounds, strict=True)), seconds
    assert (message.status, message.attempts, message.last_error) == (
        Status.PENDING,  # still tried: the e-mail may come back
        3,
        "mail server busy",
    )
    fallback = message.fallback
    assert (fallback.channel, fallback.status, fallback.attempts) == (Channel.SMS, Status.SENT, 1)
    fallback_texts.expect(to="+15550100001")
    moment.shift(seconds=waits[-1].total_seconds())
    outbox.process()
    fallback_texts.expect_nothing()  # one fallback per message, however often it fails


def test_fallback_skips_unverified_and_turned_off_methods_and_ends(
    world: World,
    reachable: Callable[..., ContactMethod],
    recording: Callable[[str], Recorder],
    moment: Clock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    reachable(world.peer, Channel.EMAIL, "pat@mail.test")
    outbox.enqueue(world.peer.pk, "group", "event", PAGE)
    reachable(world.peer, Channel.SMS, "+15550100001", verified=False)
    off = reachable(world.peer, Channel.VOICE, "+15550100002")
    ContactMethod.objects.filter(pk=off.pk).update(disabled=True)
    recording(Channel.EMAIL).fail(Channel.EMAIL, TransportError("no such mailbox", retryable=False))
    with caplog.at_level(logging.ERROR):
        outbox.process()
    assert not OutgoingMessage.objects.filter(fallback_of__isnull=False).exists()
    assert "no contact method left" in caplog.text


def test_a_method_turned_off_after_the_page_was_planned_is_skipped(
    world: World,
    reachable: Callable[..., ContactMethod],
    recording: Callable[[str], Recorder],
    moment: Clock,
) -> None:
    email = reachable(world.peer, Channel.EMAIL, "pat@mail.test")
    outbox.enqueue(world.peer.pk, "group", "event", PAGE)
    reachable(world.peer, Channel.SMS, "+15550100001")
    sent = recording(Channel.EMAIL)
    recording(Channel.SMS)
    ContactMethod.objects.filter(pk=email.pk).update(disabled=True)
    outbox.process()
    sent.expect_nothing(channel=Channel.EMAIL)
    assert only(Channel.EMAIL).status == Status.FAILED
    sent.expect(to="+15550100001")


def test_removing_a_method_fails_its_waiting_messages_over_and_keeps_history(
    world: World,
    reachable: Callable[..., ContactMethod],
    recording: Callable[[str], Recorder],
    moment: Clock,
) -> None:
    email = reachable(world.peer, Channel.EMAIL, "pat@mail.test")
    NotificationRule.objects.create(user=world.peer, contact_method=email, delay_minutes=0)
    NotificationRule.objects.create(user=world.peer, contact_method=email, delay_minutes=10)
    sent = recording(Channel.EMAIL)
    outbox.enqueue(world.peer.pk, "group", "event", PAGE)
    outbox.process()  # the first goes out; the second waits ten minutes
    sent.expect(to="pat@mail.test")
    reachable(world.peer, Channel.SMS, "+15550100001")
    recording(Channel.SMS)
    outbox.withdraw(email)
    assert not ContactMethod.objects.filter(pk=email.pk).exists()
    history = OutgoingMessage.objects.filter(channel=Channel.EMAIL).order_by("next_attempt_at")
    assert [(m.status, m.contact_method_id) for m in history] == [
        (Status.SENT, None),
        (Status.FAILED, None),
    ]
    outbox.process()
    sent.expect(to="+15550100001")


def test_an_address_that_no_key_opens_fails_alone(
    world: World,
    reachable: Callable[..., ContactMethod],
    recording: Callable[[str], Recorder],
    moment: Clock,
) -> None:
    broken = reachable(world.peer, Channel.EMAIL, "pat@mail.test")
    reachable(world.coordinator, Channel.EMAIL, "cory@mail.test")
    with connection.cursor() as cursor:  # as if its key had been removed too early
        cursor.execute(
            "UPDATE notify_contactmethod SET value = %s WHERE id = %s", ["gone:AAAA", broken.pk]
        )
    mail = recording(Channel.EMAIL)
    outbox.enqueue(world.peer.pk, "a", "a", PAGE)
    outbox.enqueue(world.coordinator.pk, "b", "b", PAGE)
    assert outbox.process() == 2
    assert only(Channel.EMAIL, "a").status == Status.FAILED
    assert only(Channel.EMAIL, "b").status == Status.SENT
    mail.expect(to="cory@mail.test")  # and nothing to the peer


def test_a_transport_that_crashes_is_retried_not_fatal(
    world: World,
    reachable: Callable[..., ContactMethod],
    recording: Callable[[str], Recorder],
    moment: Clock,
) -> None:
    reachable(world.peer, Channel.EMAIL, "pat@mail.test")
    outbox.enqueue(world.peer.pk, "group", "event", PAGE)

    class Broken:
        def send(self, envelope: Envelope) -> Sent:
            raise KeyError("bug")

    with sending_through(Channel.EMAIL, Broken()):
        outbox.process()
    message = only(Channel.EMAIL)
    assert message.status == Status.PENDING
    assert "transport crashed" in message.last_error


class TestCancel:
    def test_waiting_messages_are_cancelled_and_inapp_stays(
        self, world: World, reachable: Callable[..., ContactMethod], moment: Clock
    ) -> None:
        email = reachable(world.peer, Channel.EMAIL, "pat@mail.test")
        NotificationRule.objects.create(user=world.peer, contact_method=email, delay_minutes=5)
        outbox.enqueue(world.peer.pk, "group", "event", PAGE)
        outbox.enqueue(world.peer.pk, "other", "other", PAGE)
        assert outbox.cancel("group") == 1
        assert only(Channel.EMAIL).status == Status.CANCELLED
        assert only(Channel.INAPP).status == Status.SENT  # still in the person's list
        assert only(Channel.EMAIL, "other").status == Status.PENDING
        assert outbox.cancel("group") == 0

    @pytest.mark.django_db(transaction=True)  # the sender's thread cancels for real
    def test_a_message_being_sent_when_cancelled_is_not_retried(
        self, fallback_texts: Recorder, moment: Clock
    ) -> None:

        class TakenMeanwhile:
            def __init__(self, error: TransportError) -> None:
                self.error = error

            def send(self, envelope: Envelope) -> Sent:
                outbox.cancel("group")  # a peer took the request during the send
                connection.close()  # this sender thread's own
                raise self.error

        with sending_through(Channel.EMAIL, TakenMeanwhile(TransportError("busy"))):
            outbox.process()
        assert only(Channel.EMAIL).status == Status.CANCELLED
        moment.shift(minutes=5)
        assert outbox.process() == 0
        fallback_texts.expect_nothing()

    def test_a_message_failing_after_the_cancel_has_no_fallback(
        self, fallback_texts: Recorder
    ) -> None:
        claim = outbox._claim(clock.now(), 10, "engine-a")
        assert claim is not None
        outbox.cancel("group")
        error = TransportError("refused", retryable=False)
        outbox._record(claim, [outbox.Outcome(error=error)], clock.now())
        assert only(Channel.EMAIL).status == Status.FAILED
        assert not OutgoingMessage.objects.filter(fallback_of__isnull=False).exists()
        outbox.process()
        fallback_texts.expect_nothing()

    def test_a_sent_message_stays_sent(
        self,
        world: World,
        reachable: Callable[..., ContactMethod],
        recording: Callable[[str], Recorder],
        moment: Clock,
    ) -> None:
        reachable(world.peer, Channel.EMAIL, "pat@mail.test")
        outbox.enqueue(world.peer.pk, "group", "event", PAGE)
        claim = outbox._claim(clock.now(), 10, "engine-a")
        assert claim is not None
        outbox.cancel("group")
        outbox._record(claim, [outbox.Outcome(sent=Sent("x"))], clock.now())
        assert only(Channel.EMAIL).status == Status.SENT  # what really happened

    def test_an_abandoned_send_of_a_cancelled_group_is_dropped(
        self,
        world: World,
        reachable: Callable[..., ContactMethod],
        recording: Callable[[str], Recorder],
        moment: Clock,
    ) -> None:
        reachable(world.peer, Channel.EMAIL, "pat@mail.test")
        mail = recording(Channel.EMAIL)
        outbox.enqueue(world.peer.pk, "group", "event", PAGE)
        outbox._claim(clock.now(), 10, "engine-a")  # the engine dies mid-send
        outbox.cancel("group")
        moment.shift(minutes=1)
        assert outbox.process() == 0
        assert only(Channel.EMAIL).status == Status.CANCELLED
        mail.expect_nothing()

    def test_a_group_can_start_again_after_a_cancel(
        self,
        world: World,
        reachable: Callable[..., ContactMethod],
        recording: Callable[[str], Recorder],
        moment: Clock,
    ) -> None:
        reachable(world.peer, Channel.EMAIL, "pat@mail.test")
        mail = recording(Channel.EMAIL)
        outbox.enqueue(world.peer.pk, "group", "first", PAGE)
        outbox.cancel("group")
        outbox.enqueue(world.peer.pk, "group", "again", PAGE)  # e.g. a request reopened
        outbox.process()
        mail.expect(to="pat@mail.test")  # once


def test_the_constraint_refuses_a_waiting_message_without_a_method(
    world: World, moment: Clock
) -> None:
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        OutgoingMessage.objects.create(
            recipient=world.peer,
            channel=Channel.EMAIL,
            group_key="g",
            idempotency_key="k",
            subject="s",
            body="b",
        )


def test_page_texts_are_lock_screen_safe(
    world: World,
    reachable: Callable[..., ContactMethod],
    recording: Callable[[str], Recorder],
    moment: Clock,
) -> None:
    """Whatever support asks the outbox to send names nobody and carries no note."""
    reachable(world.peer, Channel.EMAIL, "pat@mail.test")
    reachable(world.peer, Channel.SMS, "+15550100001")
    sent = recording(Channel.EMAIL)
    recording(Channel.SMS)
    policy = EscalationPolicy.objects.create(region=world.region, name="P", is_default=True)
    step = EscalationStep.objects.create(policy=policy, order=0, delay_minutes=5)
    StepTarget.objects.create(step=step, kind="user", user=world.peer)
    note = "my partner left and the call last night"
    asking.reach_out(
        world.telecommunicator,
        world.region,
        escalation.Ask(urgency="now", contact="call", note=note),
    )
    outbox.process()
    delivered = sent.take()
    assert {d.channel for d in delivered} == {Channel.EMAIL, Channel.SMS}
    secrets = [note, "+1555"]
    for person in (world.telecommunicator, world.peer):
        secrets += [person.full_name, person.full_name.split()[0], person.email]
    secrets += [world.agency.name, world.region.name]
    said = [m.subject + m.body + m.link for m in OutgoingMessage.objects.all()]
    said += [d.subject + d.body + d.link for d in delivered]
    for text in said:
        assert not [s for s in secrets if s.lower() in text.lower()], text


def test_a_claim_records_each_outcome_on_its_own_row(
    world: World, reachable: Callable[..., ContactMethod], moment: Clock
) -> None:
    """Several messages sent at once: every success keeps its own provider id, and a
    failure among them is retried alone."""
    people = [world.peer, world.telecommunicator, world.coordinator]
    for n, person in enumerate(people):
        reachable(person, Channel.EMAIL, f"person{n}@mail.test")
        outbox.enqueue(person.pk, "group", f"event{n}", PAGE)

    class OneAddressDown:
        def send(self, envelope: Envelope) -> Sent:
            if envelope.address == "person1@mail.test":
                raise TransportError("mailbox busy")
            return Sent(f"id-for-{envelope.address}")

    with sending_through(Channel.EMAIL, OneAddressDown()):
        assert outbox.process() == 3
    rows = {
        m.recipient_id: (m.status, m.provider_id)
        for m in OutgoingMessage.objects.filter(channel=Channel.EMAIL)
    }
    assert rows == {
        world.peer.pk: (Status.SENT, "id-for-person0@mail.test"),
        world.telecommunicator.pk: (Status.PENDING, ""),
        world.coordinator.pk: (Status.SENT, "id-for-person2@mail.test"),
    }
