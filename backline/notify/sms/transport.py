"""Sends messages as SMS or voice calls through the provider's REST API.

Each request carries the envelope's key as ``Idempotency-Key``: a provider that honours
it sends a message resent after a crash only once. The provider's own error codes
decide what a refusal means (``provider.refusal``).
"""

from __future__ import annotations

from xml.sax.saxutils import escape

import httpx

from backline.notify.sms import provider
from backline.notify.transport import Envelope, Sent, TransportError

TIMEOUT = httpx.Timeout(10.0, connect=5.0)


def _post(resource: str, envelope: Envelope, data: dict[str, str]) -> Sent:
    account = provider.configured()
    if account is None:
        raise TransportError("the SMS provider is not configured", retryable=False)
    if envelope.report_url:
        data["StatusCallback"] = envelope.report_url
    data["From"] = account.from_number
    data["To"] = envelope.address
    try:
        response = httpx.post(
            account.endpoint(resource),
            data=data,
            auth=(account.account_sid, account.auth_token),
            headers={"Idempotency-Key": envelope.key},
            timeout=TIMEOUT,
        )
    except httpx.HTTPError as exc:
        raise TransportError(f"provider unreachable: {exc}") from exc
    if response.status_code >= 400:
        raise provider.refusal(response.status_code, _error_code(response), response.text)
    try:
        return Sent(provider_id=str(response.json()["sid"]))
    except (ValueError, KeyError, TypeError) as exc:
        raise TransportError(f"provider answered without an id: {response.text[:200]}") from exc


def _error_code(response: httpx.Response) -> str:
    try:
        return str(response.json().get("code") or "")
    except (ValueError, AttributeError):
        return ""


class SmsTransport:
    def send(self, envelope: Envelope) -> Sent:
        text = " ".join(filter(None, [envelope.body, envelope.reply_prompt, envelope.link]))
        return _post("Messages", envelope, {"Body": text})


class VoiceTransport:
    def send(self, envelope: Envelope) -> Sent:
        spoken = escape(f"{envelope.subject}. {envelope.body}")
        twiml = f'<Response><Say>{spoken}</Say><Pause length="1"/><Say>{spoken}</Say></Response>'
        return _post("Calls", envelope, {"Twiml": twiml})
