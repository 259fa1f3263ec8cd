"""E-mail through Django's SMTP backend to a real SMTP server (aiosmtpd) on loopback."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from pytest_django.fixtures import Settings

from backline.accounts.models import User
from backline.notify import outbox
from backline.notify.conftest import PAGE, Clock, Recording, page
from backline.notify.email.tests.smtp_server import SmtpServer
from backline.notify.email.transport import EmailTransport
from backline.notify.models import Channel, ContactMethod, OutgoingMessage, Status


@pytest.fixture
def smtp(settings: Settings) -> Iterator[SmtpServer]:
    """A server that is not started yet: tests start it (or leave it down)."""
    server = SmtpServer()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    settings.DEFAULT_FROM_EMAIL = "Backline <backline@harbor.test>"
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
    first_retry = message.next_attempt_at
    assert (first_retry - message.created_at).total_seconds() == 5
    smtp.start()
    moment.shift(seconds=4)
    assert outbox.process() == 0  # still backing off
    moment.shift(seconds=1)
    assert outbox.process() == 1
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == (Status.SENT, 2, "")
    assert [r.to for r in smtp.received] == [["riley@mail.test"]]


def test_down_for_every_attempt_then_the_next_method(
    smtp: SmtpServer,
    person: User,
    method: Callable[..., ContactMethod],
    moment: Clock,
    recording: Callable[[str], Recording],
) -> None:
    method(Channel.EMAIL, "riley@mail.test")
    message = page(person, Channel.EMAIL)
    method(Channel.SMS, "+15550100123")  # added after the page was planned
    texts = recording(Channel.SMS)
    for wait in (0, 5, 20):
        moment.shift(seconds=wait)
        assert outbox.process() >= 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.FAILED, 3)
    assert message.fallback.channel == Channel.SMS
    assert texts.sent == [("+15550100123", PAGE.subject, PAGE.body)]


def _page_with_sms_behind(
    person: User,
    method: Callable[..., ContactMethod],
    recording: Callable[[str], Recording],
    address: str,
) -> tuple[OutgoingMessage, Recording]:
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
    recording: Callable[[str], Recording],
) -> None:
    smtp.handler.refused.add("gone@mail.test")
    smtp.start()
    message, texts = _page_with_sms_behind(person, method, recording, "gone@mail.test")
    assert (message.status, message.attempts) == (Status.FAILED, 1)
    assert "refused" in message.last_error
    assert smtp.received == []
    assert message.fallback.channel == Channel.SMS
    assert message.fallback.status == Status.SENT  # sent in the same pass
    assert texts.sent == [("+15550100123", PAGE.subject, PAGE.body)]
    moment.shift(minutes=5)
    assert outbox.process() == 0  # nothing left to retry


def test_with_e_mail_turned_off_a_page_goes_to_the_next_method_at_once(
    smtp: SmtpServer,
    settings: Settings,
    person: User,
    method: Callable[..., ContactMethod],
    moment: Clock,
    recording: Callable[[str], Recording],
) -> None:
    """``BACKLINE_EMAIL=off`` drops Django's mail; a page is never dropped with it."""
    settings.BACKLINE_EMAIL = False
    smtp.start()
    message, texts = _page_with_sms_behind(person, method, recording, "riley@mail.test")
    assert (message.status, message.attempts) == (Status.FAILED, 1)
    assert "turned off" in message.last_error
    assert smtp.received == []
    assert message.fallback.channel == Channel.SMS
    assert texts.sent == [("+15550100123", PAGE.subject, PAGE.body)]


def test_every_attempt_of_one_message_carries_the_same_message_id(
    smtp: SmtpServer, person: User, method: Callable[..., ContactMethod], moment: Clock
) -> None:
    """A resend after a crash (the server had the mail, the reply never came) is
    recognisably the same mail; another message has its own."""
    smtp.start()
    method(Channel.EMAIL, "riley@mail.test")
    message = page(person, Channel.EMAIL)
    outbox.enqueue(person.pk, "another group", "another event", PAGE)
    other = OutgoingMessage.objects.get(group_key="another group", channel=Channel.EMAIL)
    transport = EmailTransport()
    first = transport.send(message, "riley@mail.test")
    again = transport.send(message, "riley@mail.test")  # as after an engine killed mid-send
    theirs = transport.send(other, "riley@mail.test")
    ids = [received.message["Message-ID"] for received in smtp.received]
    assert ids == [first, first, theirs] and first == again != theirs
