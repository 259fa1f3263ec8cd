"""Texts and calls through the real httpx client to a fake Twilio-compatible provider."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import timedelta

import httpx
import pytest
from pytest_django.fixtures import Settings

from backline.accounts.models import User
from backline.lib import clock
from backline.notify import outbox
from backline.notify.models import Channel, ContactMethod, Status
from backline.notify.sms import reports, transport
from backline.notify.sms.tests.fake_provider import ACCOUNT, PUBLIC_URL, TOKEN, FakeProvider, Reply
from tests.harness import PAGE, Clock, Recorder, page


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
    assert request.form["StatusCallback"] == reports.url_for(message.pk)
    assert request.form["StatusCallback"].startswith(f"{PUBLIC_URL}/notify/sms/status/")
    assert request.idempotency_key == outbox.key_of(message.pk)
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
    assert clock.now() + timedelta(seconds=2.5) <= message.next_attempt_at
    assert message.next_attempt_at <= clock.now() + timedelta(seconds=5)
    moment.shift(seconds=5)
    outbox.process()
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.PENDING, 2)
    assert clock.now() + timedelta(seconds=5) <= message.next_attempt_at
    assert message.next_attempt_at <= clock.now() + timedelta(seconds=10)
    moment.shift(seconds=10)
    outbox.process()
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.SENT, 3)
    assert len(provider.requests) == 3


def test_a_number_the_provider_calls_invalid_is_turned_off_and_the_next_method_used(
    provider: FakeProvider,
    person: User,
    method: Callable[..., ContactMethod],
    moment: Clock,
    recording: Callable[[str], Recorder],
) -> None:
    provider.reply(Reply(400, {"code": 21211, "message": "not a valid phone number"}))
    method(Channel.SMS, "+15550100123")
    message = page(person, Channel.SMS)
    method(Channel.EMAIL, "riley@mail.test")
    mail = recording(Channel.EMAIL)
    outbox.process()
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.FAILED, 1)
    assert message.last_error == "provider refused 400 (error 21211): invalid number"
    assert ContactMethod.objects.filter(messages=message, disabled=True).exists()
    assert message.fallback.channel == Channel.EMAIL
    assert mail.expect(to="riley@mail.test", subject=PAGE.subject).body == PAGE.body
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
    # the provider had taken the first one: the second, with the same key, sent nothing
    first, again = provider.requests
    assert first.idempotency_key == again.idempotency_key == outbox.key_of(message.pk)
    assert message.provider_id == f"SM{1:032d}"
    assert len(provider.texts_to("+15550100123")) == 1


@pytest.mark.parametrize(
    ("code", "turned_off", "tried_again"),
    [
        ("21610", True, False),
        ("21408", False, False),
        ("20429", False, True),
        ("99999", False, True),
    ],
    ids=["replied STOP", "region not enabled", "too many requests", "a code never seen"],
)
def test_the_providers_error_code_says_what_a_refusal_means(
    provider: FakeProvider,
    person: User,
    method: Callable[..., ContactMethod],
    moment: Clock,
    caplog: pytest.LogCaptureFixture,
    code: str,
    turned_off: bool,
    tried_again: bool,
) -> None:
    provider.reply(Reply(400, {"code": int(code), "message": "refused"}))
    method(Channel.SMS, "+15550100123")
    message = page(person, Channel.SMS)
    outbox.process()
    message.refresh_from_db()
    assert message.status == (Status.PENDING if tried_again else Status.FAILED)
    assert ContactMethod.objects.filter(messages=message, disabled=True).exists() == turned_off
    assert (f"provider error code {code} is not known" in caplog.text) == (code == "99999")


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
