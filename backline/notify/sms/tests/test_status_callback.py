"""Delivery reports from the provider: signed, or refused without changing anything."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

import pytest
from django.test import Client
from pytest_django.fixtures import Settings

from backline.accounts.models import User
from backline.lib import clock, tokens
from backline.notify import outbox
from backline.notify.models import Channel, ContactMethod, OutgoingMessage, Status
from backline.notify.sms import provider as signing
from backline.notify.sms import reports
from backline.notify.sms.tests.fake_provider import ACCOUNT, PUBLIC_URL, TOKEN, FakeProvider
from tests.harness import Clock, Response

PAGE = outbox.Message("Backline: a colleague is asking for support", "Open Backline.")


@pytest.fixture
def configured(settings: Settings) -> None:
    settings.BACKLINE_SMS_ACCOUNT_SID = ACCOUNT
    settings.BACKLINE_SMS_AUTH_TOKEN = TOKEN
    settings.BACKLINE_SMS_FROM = "+15550109999"
    settings.BACKLINE_SMS_API_URL = "http://127.0.0.1:9"
    settings.BACKLINE_PUBLIC_URL = PUBLIC_URL


@pytest.fixture
def accepted(
    configured: None, person: User, method: Callable[..., ContactMethod], moment: Clock
) -> Callable[..., OutgoingMessage]:
    """``accepted(channel, number, provider_id, fallback=(channel, value))``: a page by
    ``channel`` that the provider accepted as ``provider_id``, and a method added after
    it to fall back to."""

    def accept(
        channel: str, number: str, provider_id: str, fallback: tuple[str, str]
    ) -> OutgoingMessage:
        method(channel, number)
        outbox.enqueue(person.pk, "group", "event", PAGE)
        message = OutgoingMessage.objects.get(channel=channel)
        OutgoingMessage.objects.filter(pk=message.pk).update(
            status=Status.SENT, provider_id=provider_id, attempts=1, sent_at=clock.now()
        )
        method(*fallback)
        message.refresh_from_db()
        return message

    return accept


@pytest.fixture
def sent(accepted: Callable[..., OutgoingMessage]) -> OutgoingMessage:
    """A text the provider accepted as SM1, and an e-mail address to fall back to."""
    return accepted(Channel.SMS, "+15550100123", "SM1", fallback=(Channel.EMAIL, "riley@mail.test"))


def report_path(message: OutgoingMessage | int) -> str:
    """Where the provider posts reports of ``message``: its own signed path."""
    pk = message if isinstance(message, int) else message.pk
    return urlsplit(reports.url_for(pk)).path


def report(
    fields: dict[str, str],
    token: str = TOKEN,
    url: str | None = None,
    of: OutgoingMessage | int | None = None,
) -> Response:
    """The provider posts ``fields`` about ``of`` (the one text or call there is when not
    said), signed with ``token`` over ``url`` (by default the URL it was given)."""
    if of is None:
        of = OutgoingMessage.objects.get(channel__in=[Channel.SMS, Channel.VOICE])
    path = report_path(of)
    signature = signing.signature(token, url or PUBLIC_URL + path, fields)
    return Client().post(path, fields, headers={"X-Twilio-Signature": signature})


def test_delivered(sent: OutgoingMessage) -> None:
    response = report({"MessageSid": "SM1", "MessageStatus": "delivered", "AccountSid": ACCOUNT})
    assert response.status_code == 204
    sent.refresh_from_db()
    assert sent.status == Status.DELIVERED
    assert not OutgoingMessage.objects.filter(fallback_of=sent).exists()


@pytest.mark.parametrize("status", ["failed", "undelivered"])
def test_failed_falls_over_at_once_and_is_tried_again(
    sent: OutgoingMessage, status: str, moment: Clock
) -> None:
    fields = {"MessageSid": "SM1", "MessageStatus": status, "ErrorCode": "30003"}
    assert report(fields).status_code == 204
    sent.refresh_from_db()
    assert (sent.status, sent.provider_id, sent.sent_at) == (Status.PENDING, "", None)
    assert sent.last_error == f"provider reported {status} (error 30003): handset unreachable"
    assert sent.next_attempt_at > clock.now()  # the handset may be back later
    fallback = OutgoingMessage.objects.get(fallback_of=sent)
    assert (fallback.channel, fallback.status) == (Channel.EMAIL, Status.PENDING)
    assert report(fields).status_code == 204  # the provider reports twice
    assert OutgoingMessage.objects.filter(channel=Channel.EMAIL).count() == 1


def test_a_number_the_provider_calls_dead_is_turned_off_and_failed_over(
    sent: OutgoingMessage,
) -> None:
    fields = {"MessageSid": "SM1", "MessageStatus": "undelivered", "ErrorCode": "30005"}
    assert report(fields).status_code == 204
    sent.refresh_from_db()
    assert sent.status == Status.FAILED
    assert ContactMethod.objects.filter(messages=sent, disabled=True).exists()
    assert OutgoingMessage.objects.get(fallback_of=sent).channel == Channel.EMAIL


def test_a_call_nobody_answered_falls_over(accepted: Callable[..., OutgoingMessage]) -> None:
    call = accepted(Channel.VOICE, "+15550100124", "CA1", fallback=(Channel.SMS, "+15550100123"))
    assert report({"CallSid": "CA1", "CallStatus": "no-answer"}).status_code == 204
    call.refresh_from_db()
    assert call.status == Status.PENDING  # rung again later
    assert call.fallback.channel == Channel.SMS


def test_no_fallback_after_the_group_was_cancelled(sent: OutgoingMessage) -> None:
    outbox.cancel("group")  # the request was taken meanwhile
    assert report({"MessageSid": "SM1", "MessageStatus": "failed"}).status_code == 204
    sent.refresh_from_db()
    assert sent.status == Status.CANCELLED
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
    elsewhere = f"{PUBLIC_URL}{report_path(sent.pk + 1)}"
    assert report(fields, url=elsewhere).status_code == 403
    assert unchanged(sent)


def test_a_signature_over_other_fields_is_refused(sent: OutgoingMessage) -> None:
    path = report_path(sent)
    fields = {"MessageSid": "SM1", "MessageStatus": "sent"}
    signature = signing.signature(TOKEN, PUBLIC_URL + path, fields)
    response = Client().post(
        path,
        {"MessageSid": "SM1", "MessageStatus": "failed"},
        headers={"X-Twilio-Signature": signature},
    )
    assert response.status_code == 403
    assert unchanged(sent)


def test_an_unsigned_report_is_refused(sent: OutgoingMessage) -> None:
    response = Client().post(report_path(sent), {"MessageSid": "SM1", "MessageStatus": "failed"})
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
    path = report_path(sent)
    signature = signing.signature(TOKEN, PUBLIC_URL + path, {})
    response = Client().post(
        path,
        b'{"MessageSid": "SM1", "MessageStatus": "failed"}',
        content_type="application/json",
        headers={"X-Twilio-Signature": signature},
    )
    assert response.status_code == 400
    assert unchanged(sent)


def test_a_repeated_field_is_refused(sent: OutgoingMessage) -> None:
    fields = {"MessageSid": "SM1", "MessageStatus": "failed"}
    path = report_path(sent)
    signature = signing.signature(TOKEN, PUBLIC_URL + path, fields)
    response = Client().post(
        path,
        "MessageSid=SM2&MessageSid=SM1&MessageStatus=failed",
        content_type="application/x-www-form-urlencoded",
        headers={"X-Twilio-Signature": signature},
    )
    assert response.status_code == 400
    assert unchanged(sent)


def test_progress_earlier_attempts_and_unknown_rows_change_nothing(sent: OutgoingMessage) -> None:
    assert report({"MessageSid": "SM1", "MessageStatus": "sent"}).status_code == 204
    # a report of another send of the same row: the last send's own report decides
    assert report({"MessageSid": "SM404", "MessageStatus": "failed"}).status_code == 204
    # a row that is not there (any more), named with its genuine signature
    assert report({"MessageSid": "SM1", "MessageStatus": "failed"}, of=10**6).status_code == 204
    assert unchanged(sent)


def test_a_forged_row_signature_is_refused(sent: OutgoingMessage) -> None:
    """The provider's signature alone is not enough: the path must be one Backline gave."""
    path = f"/notify/sms/status/{sent.pk}/{tokens.keyed('delivery-report', sent.pk + 1)}/"
    fields = {"MessageSid": "SM1", "MessageStatus": "failed"}
    signature = signing.signature(TOKEN, PUBLIC_URL + path, fields)
    response = Client().post(path, fields, headers={"X-Twilio-Signature": signature})
    assert response.status_code == 403
    assert unchanged(sent)


def test_only_post(sent: OutgoingMessage) -> None:
    assert Client().get(report_path(sent)).status_code == 405


def test_the_callback_url_the_transport_gives_is_the_one_that_verifies(
    provider: FakeProvider,
    person: User,
    method: Callable[..., ContactMethod],
    moment: Clock,
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
