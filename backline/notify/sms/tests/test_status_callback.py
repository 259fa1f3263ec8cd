"""Delivery reports from the provider: signed, or refused without changing anything."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from backline.accounts.models import User
from backline.notify import outbox
from backline.notify.conftest import Clock, Recording
from backline.notify.models import Channel, ContactMethod, OutgoingMessage, Status
from backline.notify.sms import provider as signing
from backline.notify.sms.tests.conftest import ACCOUNT, PUBLIC_URL, TOKEN
from backline.notify.sms.tests.fake_provider import FakeProvider

PAGE = outbox.Message("Backline: a colleague is asking for support", "Open Backline.")
URL = f"{PUBLIC_URL}/notify/sms/status/"


@pytest.fixture
def configured(settings: Settings) -> None:
    settings.BACKLINE_SMS_ACCOUNT_SID = ACCOUNT
    settings.BACKLINE_SMS_AUTH_TOKEN = TOKEN
    settings.BACKLINE_SMS_FROM = "+15550109999"
    settings.BACKLINE_SMS_API_URL = "http://127.0.0.1:9"
    settings.BACKLINE_PUBLIC_URL = PUBLIC_URL


@pytest.fixture
def sent(
    configured: None, person: User, method: Callable[..., ContactMethod], moment: Clock
) -> OutgoingMessage:
    """A text the provider accepted as SM1, and an e-mail address to fall back to."""
    method(Channel.SMS, "+15550100123")
    outbox.enqueue(person.pk, "group", "event", PAGE)
    message = OutgoingMessage.objects.get(channel=Channel.SMS)
    OutgoingMessage.objects.filter(pk=message.pk).update(
        status=Status.SENT, provider_id="SM1", attempts=1, sent_at=moment.shift()
    )
    method(Channel.EMAIL, "riley@mail.test")
    message.refresh_from_db()
    return message


def report(fields: dict[str, str], token: str = TOKEN, url: str = URL, **headers: str):
    signature = signing.signature(token, url, fields)
    return Client().post(
        reverse("notify:sms_status"),
        fields,
        headers={"X-Twilio-Signature": signature, **headers},
    )


def test_delivered(sent: OutgoingMessage) -> None:
    response = report({"MessageSid": "SM1", "MessageStatus": "delivered", "AccountSid": ACCOUNT})
    assert response.status_code == 204
    sent.refresh_from_db()
    assert sent.status == Status.DELIVERED
    assert not OutgoingMessage.objects.filter(fallback_of=sent).exists()


@pytest.mark.parametrize("status", ["failed", "undelivered"])
def test_failed_falls_over_to_the_next_method_once(sent: OutgoingMessage, status: str) -> None:
    fields = {"MessageSid": "SM1", "MessageStatus": status, "ErrorCode": "30003"}
    assert report(fields).status_code == 204
    sent.refresh_from_db()
    assert sent.status == Status.FAILED
    assert sent.last_error == f"provider reported {status} (error 30003)"
    fallback = OutgoingMessage.objects.get(fallback_of=sent)
    assert (fallback.channel, fallback.status) == (Channel.EMAIL, Status.PENDING)
    assert report(fields).status_code == 204  # the provider reports twice
    assert OutgoingMessage.objects.filter(channel=Channel.EMAIL).count() == 1


def test_a_call_nobody_answered_falls_over(
    configured: None, person: User, method: Callable[..., ContactMethod], moment: Clock
) -> None:
    method(Channel.VOICE, "+15550100124")
    outbox.enqueue(person.pk, "group", "event", PAGE)
    call = OutgoingMessage.objects.get(channel=Channel.VOICE)
    OutgoingMessage.objects.filter(pk=call.pk).update(status=Status.SENT, provider_id="CA1")
    method(Channel.SMS, "+15550100123")
    assert report({"CallSid": "CA1", "CallStatus": "no-answer"}).status_code == 204
    call.refresh_from_db()
    assert call.status == Status.FAILED
    assert call.fallback.channel == Channel.SMS


def test_no_fallback_after_the_group_was_cancelled(sent: OutgoingMessage) -> None:
    outbox.cancel("group")  # the request was taken meanwhile
    assert report({"MessageSid": "SM1", "MessageStatus": "failed"}).status_code == 204
    sent.refresh_from_db()
    assert sent.status == Status.FAILED
    assert not OutgoingMessage.objects.filter(fallback_of=sent).exists()


def unchanged(message: OutgoingMessage) -> bool:
    before = (message.status, message.last_error)
    message.refresh_from_db()
    return (message.status, message.last_error) == before and not (
        OutgoingMessage.objects.filter(fallback_of=message).exists()
    )


def test_a_bad_signature_is_refused(sent: OutgoingMessage) -> None:
    fields = {"MessageSid": "SM1", "MessageStatus": "failed"}
    assert report(fields, token="someone-else").status_code == 403
    assert unchanged(sent)


def test_a_signature_for_another_url_is_refused(sent: OutgoingMessage) -> None:
    fields = {"MessageSid": "SM1", "MessageStatus": "failed"}
    assert report(fields, url="http://backline.example.org/notify/sms/status/").status_code == 403
    assert unchanged(sent)


def test_a_signature_over_other_fields_is_refused(sent: OutgoingMessage) -> None:
    signature = signing.signature(TOKEN, URL, {"MessageSid": "SM1", "MessageStatus": "sent"})
    response = Client().post(
        reverse("notify:sms_status"),
        {"MessageSid": "SM1", "MessageStatus": "failed"},
        headers={"X-Twilio-Signature": signature},
    )
    assert response.status_code == 403
    assert unchanged(sent)


def test_an_unsigned_report_is_refused(sent: OutgoingMessage) -> None:
    response = Client().post(
        reverse("notify:sms_status"), {"MessageSid": "SM1", "MessageStatus": "failed"}
    )
    assert response.status_code == 403
    assert unchanged(sent)


def test_without_a_configured_provider_every_report_is_refused(
    sent: OutgoingMessage, settings: Settings
) -> None:
    fields = {"MessageSid": "SM1", "MessageStatus": "failed"}
    settings.BACKLINE_SMS_AUTH_TOKEN = ""
    assert report(fields, token="").status_code == 403
    assert unchanged(sent)


@pytest.mark.parametrize(
    "fields",
    [
        {"MessageStatus": "failed"},  # no sid
        {"MessageSid": "SM1"},  # no status
        {"MessageSid": "SM1", "MessageStatus": "exploded"},
        {"MessageSid": "S" * 200, "MessageStatus": "failed"},
    ],
    ids=["no sid", "no status", "unknown status", "sid too long"],
)
def test_a_malformed_report_is_refused(sent: OutgoingMessage, fields: dict[str, str]) -> None:
    assert report(fields).status_code == 400
    assert unchanged(sent)


def test_a_body_that_is_not_a_form_is_refused(sent: OutgoingMessage) -> None:
    signature = signing.signature(TOKEN, URL, {})
    response = Client().post(
        reverse("notify:sms_status"),
        b'{"MessageSid": "SM1", "MessageStatus": "failed"}',
        content_type="application/json",
        headers={"X-Twilio-Signature": signature},
    )
    assert response.status_code == 400
    assert unchanged(sent)


def test_a_repeated_field_is_refused(sent: OutgoingMessage) -> None:
    fields = {"MessageSid": "SM1", "MessageStatus": "failed"}
    signature = signing.signature(TOKEN, URL, fields)
    response = Client().post(
        reverse("notify:sms_status"),
        "MessageSid=SM2&MessageSid=SM1&MessageStatus=failed",
        content_type="application/x-www-form-urlencoded",
        headers={"X-Twilio-Signature": signature},
    )
    assert response.status_code == 400
    assert unchanged(sent)


def test_progress_and_unknown_ids_change_nothing(sent: OutgoingMessage) -> None:
    assert report({"MessageSid": "SM1", "MessageStatus": "sent"}).status_code == 204
    assert report({"MessageSid": "SM404", "MessageStatus": "failed"}).status_code == 204
    assert unchanged(sent)


def test_only_post(sent: OutgoingMessage) -> None:
    assert Client().get(reverse("notify:sms_status")).status_code == 405


def test_the_callback_url_the_transport_gives_is_the_one_that_verifies(
    provider: FakeProvider,
    person: User,
    method: Callable[..., ContactMethod],
    moment: Clock,
    recording: Callable[[str], Recording],
) -> None:
    method(Channel.SMS, "+15550100123")
    outbox.enqueue(person.pk, "group", "event", PAGE)
    outbox.process()
    [request] = provider.requests
    message = OutgoingMessage.objects.get(channel=Channel.SMS)
    fields = {"MessageSid": message.provider_id, "MessageStatus": "delivered"}
    assert report(fields, url=request.form["StatusCallback"]).status_code == 204
    message.refresh_from_db()
    assert message.status == Status.DELIVERED
