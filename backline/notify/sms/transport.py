"""Sends outbox messages as SMS or voice calls through the provider's REST API."""

from __future__ import annotations

from xml.sax.saxutils import escape

import httpx
from django.conf import settings
from django.urls import reverse

from backline.notify.models import OutgoingMessage
from backline.notify.sms import provider, replies
from backline.notify.transport import TransportError

TIMEOUT = httpx.Timeout(10.0, connect=5.0)


def _post(resource: str, data: dict[str, str]) -> str:
    account = provider.configured()
    if account is None:
        raise TransportError("the SMS provider is not configured", retryable=False)
    if settings.BACKLINE_PUBLIC_URL:
        data["StatusCallback"] = settings.BACKLINE_PUBLIC_URL.rstrip("/") + reverse(
            "notify:sms_status"
        )
    data["From"] = account.from_number
    try:
        response = httpx.post(
            account.endpoint(resource),
            data=data,
            auth=(account.account_sid, account.auth_token),
            timeout=TIMEOUT,
        )
    except httpx.HTTPError as exc:
        raise TransportError(f"provider unreachable: {exc}") from exc
    if response.status_code >= 500 or response.status_code == 429:
        raise TransportError(f"provider answered {response.status_code}")
    if response.status_code >= 400:
        raise TransportError(
            f"provider refused ({response.status_code}): {response.text[:200]}", retryable=False
        )
    try:
        return str(response.json()["sid"])
    except (ValueError, KeyError, TypeError) as exc:
        raise TransportError(f"provider answered without an id: {response.text[:200]}") from exc


def _text(message: OutgoingMessage) -> str:
    return " ".join(filter(None, [message.body, replies.prompt(message), message.link]))


class SmsTransport:
    def send(self, message: OutgoingMessage, address: str) -> str:
        return _post("Messages", {"To": address, "Body": _text(message)})


class VoiceTransport:
    def send(self, message: OutgoingMessage, address: str) -> str:
        spoken = escape(f"{message.subject}. {message.body}")
        twiml = f'<Response><Say>{spoken}</Say><Pause length="1"/><Say>{spoken}</Say></Response>'
        return _post("Calls", {"To": address, "Twiml": twiml})
