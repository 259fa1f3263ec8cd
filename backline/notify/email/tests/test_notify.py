"""E-mail through Django's SMTP backend to a real SMTP server (aiosmtpd) on loopback."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from pytest_django.fixtures import Settings

from backline.accounts.models import User
from backline.lib import clock
from backline.notify import outbox
from backline.notify.email.tests.smtp_server import SmtpServer
from backline.notify.models import Channel, ContactMethod, OutgoingMessage, Status
from tests.harness import PAGE, Clock, Recorder, page


@pytest.fixture
def smtp(settings: Settings) -> Iterator[SmtpServer]:
    """A server that is not started yet: tests start it (or leave it down)."""
    server = SmtpServer()
    server.receive_django_mail(settings)
    yield server
    server.stop()


def test_a_page_is_delivered_by_smtp(
    smtp: SmtpServer, person: User, method: Callable[..., ContactMethod], moment: Clock
) -> None:
    smtp.start()
    method(Channel.EMAIL, "riley@mail.test")
    message = page(person, Channel.EMAIL)
    assert outbox.process() == 1
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert message.attempts == 1
    [received] = smtp.received
    assert received.to == ["riley@mail.test"]
    assert received.sender == "backline@harbor.test"
    assert received.message["Subject"] == PAGE.subject
    assert received.message["Message-ID"] == message.provider_id
    assert received.message["Auto-Submitted"] == "auto-generated"
    assert PAGE.body in received.body and PAGE.link in received.body
    # lock-screen safe: nothing about anyone but the address it goes to
    assert "Riley" not in received.message.as_string()


def test_a_server_that_is_down_is_tried_again_with_backoff_until_it_is_back(
    smtp: SmtpServer, person: User, method: Callable[..., ContactMethod], moment: Clock
) -> None:
    method(Channel.EMAIL, "riley@mail.test")
    message = page(person, Channel.EMAIL)
    assert outbox.process() == 1  # refused: nobody listens on the port
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.PENDING, 1)
    assert "SMTP" in message.last_error
    wait = (message.next_attempt_at - message.created_at).total_seconds()
    assert 2.5 <= wait <= 5  # the first back-off, with its jitter
    smtp.start()
    moment.shift(seconds=wait - 0.5)
    assert outbox.process() == 0  # still backing off
    moment.shift(seconds=0.5)
    assert outbox.process() == 1
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == (Status.SENT, 2, "")
    assert [r.to for r in smtp.received] == [["riley@mail.test"]]


def test_a_page_outlives_a_long_outage_and_fails_over_meanwhile(
    smtp: SmtpServer,
    person: User,
    method: Callable[..., ContactMethod],
    moment: Clock,
    recording: Callable[[str], Recorder],
) -> None:
    """Mail down for ten minutes: the page is never given up, its waits grow to the cap
    and no further, the text goes out meanwhile, and the e-mail once mail is back."""
    method(Channel.EMAIL, "riley@mail.test")
    outbox.enqueue(person.pk, "group", "event", PAGE, until_cancelled=True)
    message = OutgoingMessage.objects.get(channel=Channel.EMAIL)
    method(Channel.SMS, "+15550100123")  # added after the page was planned
    texts = recording(Channel.SMS)
    waits = []
    while clock.now() < message.created_at + timedelta(minutes=10):
        outbox.process()
        message.refresh_from_db()
        assert message.status == Status.PENDING
        waits.append(message.next_attempt_at - clock.now())
        moment.to(message.next_attempt_at)
    assert max(waits) <= outbox.BACKOFF_CAP and max(waits) >= outbox.BACKOFF_CAP / 2
    assert message.attempts >= 8 and "SMTP" in message.last_error
    # from the third attempt
    assert texts.expect(to="+15550100123", subject=PAGE.subject).body == PAGE.body
    smtp.start()
    moment.to(message.next_attempt_at)
    outbox.process()
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert [r.to for r in smtp.received] == [["riley@mail.test"]]


def test_when_mail_is_back_every_waiting_retry_goes_at_once(
    smtp: SmtpServer, person: User, method: Callable[..., ContactMethod], moment: Clock
) -> None:
    """The first retry through brings the others forward: an outage ends for all its
    messages together, not each at the end of its own back-off."""
    method(Channel.EMAIL, "riley@mail.test")
    for n in range(5):
        outbox.enqueue(person.pk, f"group-{n}", f"event-{n}", PAGE, until_cancelled=True)
    for _ in range(4):  # down for a while: the waits grow apart with their jitter
        outbox.process()
        moment.shift(seconds=outbox.BACKOFF_CAP.total_seconds())
    emails = OutgoingMessage.objects.filter(channel=Channel.EMAIL)
    outbox.process()
    assert set(emails.values_list("status", flat=True)) == {Status.PENDING}
    smtp.start()
    first_due = min(emails.values_list("next_attempt_at", flat=True))
    moment.to(first_due)
    assert outbox.process() == 5
    assert set(emails.values_list("status", flat=True)) == {Status.SENT}
    assert len(smtp.received) == 5


def test_a_message_other_than_a_page_is_given_up_after_its_retry_window(
    smtp: SmtpServer, person: User, method: Callable[..., ContactMethod], moment: Clock
) -> None:
    method(Channel.EMAIL, "riley@mail.test")
    message = page(person, Channel.EMAIL)
    assert message.retry_until == message.created_at + outbox.RETRY_FOR
    outbox.process()
    message.refresh_from_db()
    assert message.status == Status.PENDING
    moment.shift(seconds=(message.retry_until - clock.now()).total_seconds() - 1)
    outbox.process()  # a retry within its window
    message.refresh_from_db()
    assert message.status == Status.PENDING
    moment.shift(seconds=outbox.BACKOFF_CAP.total_seconds())
    outbox.process()  # the window is over
    message.refresh_from_db()
    assert message.status == Status.FAILED


def _page_with_sms_behind(
    person: User,
    method: Callable[..., ContactMethod],
    recording: Callable[[str], Recorder],
    address: str,
) -> tuple[OutgoingMessage, Recorder]:
    """A page by e-mail to ``address``, a text number added after it was planned, and
    one pass of the outbox."""
    method(Channel.EMAIL, address)
    message = page(person, Channel.EMAIL)
    method(Channel.SMS, "+15550100123")
    texts = recording(Channel.SMS)
    outbox.process()
    message.refresh_from_db()
    return message, texts


def test_a_refused_recipient_is_not_retried_and_the_next_method_is_used(
    smtp: SmtpServer,
    person: User,
    method: Callable[..., ContactMethod],
    moment: Clock,
    recording: Callable[[str], Recorder],
) -> None:
    smtp.handler.refused.add("gone@mail.test")
    smtp.start()
    message, texts = _page_with_sms_behind(person, method, recording, "gone@mail.test")
    assert (message.status, message.attempts) == (Status.FAILED, 1)
    assert "refused" in message.last_error
    assert smtp.received == []
    assert message.fallback.channel == Channel.SMS
    assert message.fallback.status == Status.SENT  # sent in the same pass
    assert texts.expect(to="+15550100123", subject=PAGE.subject).body == PAGE.body
    moment.shift(minutes=5)
    assert outbox.process() == 0  # nothing left to retry


def test_with_e_mail_turned_off_a_page_goes_to_the_next_method_at_once(
    smtp: SmtpServer,
    settings: Settings,
    person: User,
    method: Callable[..., ContactMethod],
    moment: Clock,
    recording: Callable[[str], Recorder],
) -> None:
    """``BACKLINE_EMAIL=off`` drops Django's mail; a page is never dropped with it."""
    settings.BACKLINE_EMAIL = False
    smtp.start()
    message, texts = _page_with_sms_behind(person, method, recording, "riley@mail.test")
    assert (message.status, message.attempts) == (Status.FAILED, 1)
    assert "turned off" in message.last_error
    assert smtp.received == []
    assert message.fallback.channel == Channel.SMS
    assert texts.expect(to="+15550100123", subject=PAGE.subject).body == PAGE.body


def test_a_resend_after_a_lost_answer_carries_the_first_message_id(
    smtp: SmtpServer,
    settings: Settings,
    person: User,
    method: Callable[..., ContactMethod],
    moment: Clock,
) -> None:
    """A server that takes the message and answers too late: Backline cannot know it
    was sent, so it sends again, and the resend is recognisably the same mail."""
    settings.EMAIL_TIMEOUT = 0.5
    smtp.handler.stall = 2.0
    smtp.start()
    method(Channel.EMAIL, "riley@mail.test")
    message = page(person, Channel.EMAIL)
    outbox.enqueue(person.pk, "another group", "another event", PAGE)
    other = OutgoingMessage.objects.get(group_key="another group", channel=Channel.EMAIL)
    outbox.process()
    message.refresh_from_db()
    assert message.status == Status.PENDING and "timed out" in message.last_error
    smtp.handler.stall = 0.0
    moment.shift(seconds=5)
    outbox.process()
    message.refresh_from_db()
    other.refresh_from_db()
    assert (message.status, other.status) == (Status.SENT, Status.SENT)
    ids = {
        r.message["Message-ID"]
        for r in smtp.received
        if r.message["Message-ID"] != other.provider_id
    }
    assert ids == {message.provider_id} and len(smtp.received) == 4
    assert message.provider_id == f"<{outbox.key_of(message.pk)}@backline>"
    assert other.provider_id != message.provider_id
