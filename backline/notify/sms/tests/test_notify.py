"""Texts and calls through the real httpx client to a fake Twilio-compatible provider."""

from __future__ import annotations

import base64
from collections.abc import Callable

import httpx
import pytest
from pytest_django.fixtures import Settings

from backline.accounts.models import User
from backline.notify import outbox
from backline.notify.conftest import PAGE, Clock, Recording, page
from backline.notify.models import Channel, ContactMethod, Status
from backline.notify.sms import transport
from backline.notify.sms.tests.conftest import ACCOUNT, PUBLIC_URL, TOKEN
from backline.notify.sms.tests.fake_provider import FakeProvider, Reply


def test_a_text_is_accepted_with_its_sid(
    provider: FakeProvider, person: User, method: Callable[..., ContactMethod], moment: Clock
) -> None:
    method(Channel.SMS, "+15550100123")
    message = page(person, Channel.SMS)
    assert outbox.process() == 1
    message.refresh_from_db()
    [request] = provider.requests
    assert message.status == Status.SENT
    assert message.provider_id == f"SM{1:032d}"
    assert request.path == f"/2010-04-01/Accounts/{ACCOUNT}/Messages.json"
    assert request.form["To"] == "+15550100123"
    assert request.form["From"] == "+15550109999"
    assert request.form["Body"] == f"{PAGE.body} {PAGE.link}"
    assert request.form["StatusCallback"] == f"{PUBLIC_URL}/notify/sms/status/"
    expected = base64.b64encode(f"{ACCOUNT}:{TOKEN}".encode()).decode()
    assert request.authorization == f"Basic {expected}"
    assert "Riley" not in str(request.form)  # lock-screen safe


def test_a_call_reads_the_message_twice(
    provider: FakeProvider, person: User, method: Callable[..., ContactMethod], moment: Clock
) -> None:
    method(Channel.VOICE, "+15550100124")
    message = page(person, Channel.VOICE)
    outbox.process()
    message.refresh_from_db()
    [request] = provider.requests
    assert request.path.endswith("/Calls.json")
    assert message.provider_id == f"CA{1:032d}"
    assert request.form["To"] == "+15550100124"
    said = f"<Say>{PAGE.subject}. {PAGE.body}</Say>"
    assert request.form["Twiml"].count(said) == 2


def test_a_server_error_is_retried_after_the_backoff(
    provider: FakeProvider, person: User, method: Callable[..., ContactMethod], moment: Clock
) -> None:
    provider.reply(Reply(500, {"message": "try later"}), Reply(429, {"message": "slow down"}))
    method(Channel.SMS, "+15550100123")
    message = page(person, Channel.SMS)
    outbox.process()
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == (
        Status.PENDING,
        1,
        "provider answered 500",
    )
    moment.shift(seconds=5)
    outbox.process()
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.PENDING, 2)
    moment.shift(seconds=20)
    outbox.process()
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.SENT, 3)
    assert len(provider.requests) == 3


def test_a_refusal_is_not_retried_and_the_next_method_is_used(
    provider: FakeProvider,
    person: User,
    method: Callable[..., ContactMethod],
    moment: Clock,
    recording: Callable[[str], Recording],
) -> None:
    provider.reply(Reply(400, {"code": 21211, "message": "not a valid phone number"}))
    method(Channel.SMS, "+15550100123")
    message = page(person, Channel.SMS)
    method(Channel.EMAIL, "riley@mail.test")
    mail = recording(Channel.EMAIL)
    outbox.process()
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.FAILED, 1)
    assert "21211" in message.last_error
    assert message.fallback.channel == Channel.EMAIL
    assert mail.sent == [("riley@mail.test", PAGE.subject, PAGE.body)]
    moment.shift(minutes=5)
    outbox.process()
    assert len(provider.requests) == 1


def test_a_provider_that_does_not_answer_in_time_is_retried(
    provider: FakeProvider,
    person: User,
    method: Callable[..., ContactMethod],
    moment: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(transport, "TIMEOUT", httpx.Timeout(0.3))
    provider.reply(Reply(201, delay=1.5))
    method(Channel.SMS, "+15550100123")
    message = page(person, Channel.SMS)
    outbox.process()
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.PENDING, 1)
    assert "unreachable" in message.last_error
    moment.shift(seconds=5)
    outbox.process()
    message.refresh_from_db()
    assert message.status == Status.SENT


def test_an_answer_without_a_sid_is_retried(
    provider: FakeProvider, person: User, method: Callable[..., ContactMethod], moment: Clock
) -> None:
    provider.reply(Reply(201, "<html>proxy page</html>"))
    method(Channel.SMS, "+15550100123")
    message = page(person, Channel.SMS)
    outbox.process()
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.PENDING, 1)
    assert "without an id" in message.last_error


def test_an_unreachable_provider_is_retried(
    provider: FakeProvider, person: User, method: Callable[..., ContactMethod], moment: Clock
) -> None:
    provider.stop()
    method(Channel.SMS, "+15550100123")
    message = page(person, Channel.SMS)
    outbox.process()
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.PENDING, 1)


def test_without_a_configured_provider_nothing_is_tried(
    settings: Settings, person: User, method: Callable[..., ContactMethod], moment: Clock
) -> None:
    settings.BACKLINE_SMS_ACCOUNT_SID = ""
    method(Channel.SMS, "+15550100123")
    message = page(person, Channel.SMS)
    outbox.process()
    message.refresh_from_db()
    assert (message.status, message.last_error) == (
        Status.FAILED,
        "the SMS provider is not configured",
    )
