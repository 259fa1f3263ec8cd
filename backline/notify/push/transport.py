"""Sends outbox messages as web push notifications (the address is the subscription).

The payload is encrypted for the browser (RFC 8291) and carries only the message's
lock-screen-safe subject, body and link, and, when the message offers an action, the
words of its button and the URL the service worker posts to when it is tapped. A push
service answering 404 or 410 has dropped the subscription for good: the error says so
(``gone``) and the outbox turns the method off. 429 and 5xx are worth retrying; any
other refusal is not.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from django.conf import settings
from py_vapid import Vapid02
from pywebpush import WebPushException, webpush

from backline.notify.push import subscription
from backline.notify.transport import Envelope, Sent, TransportError

GONE = {404, 410}
TIMEOUT_SECONDS = 10
TTL_SECONDS = 300


@cache
def _vapid(private_key: str) -> Vapid02:
    """The VAPID key, given as PEM or as base64url (raw or DER), as ``vapid_keys`` prints."""
    if private_key.lstrip().startswith("-----BEGIN"):
        return Vapid02.from_pem(private_key.encode())
    return Vapid02.from_string(private_key)


def _payload(envelope: Envelope) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "title": envelope.subject,
        "body": envelope.body,
        "url": envelope.link,
        "tag": envelope.key,  # a resend replaces the notification rather than adding one
    }
    if envelope.tap_url:
        payload["action"] = {"title": envelope.button, "url": envelope.tap_url}
    return payload


class PushTransport:
    def send(self, envelope: Envelope) -> Sent:
        if not settings.BACKLINE_VAPID_PRIVATE_KEY:
            raise TransportError("web push is not configured", retryable=False)
        try:
            target = subscription.parse(envelope.address)
        except subscription.Invalid as exc:
            raise TransportError(f"unusable push subscription: {exc}", retryable=False) from exc
        try:
            vapid = _vapid(settings.BACKLINE_VAPID_PRIVATE_KEY)
        except Exception as exc:  # py_vapid raises several kinds for a bad key
            raise TransportError(
                f"the VAPID private key is unusable: {exc}", retryable=False
            ) from exc
        payload = json.dumps(_payload(envelope))
        try:
            response = webpush(
                subscription_info=target.as_info(),
                data=payload,
                vapid_private_key=vapid,
                vapid_claims={"sub": settings.BACKLINE_VAPID_SUBJECT},
                ttl=TTL_SECONDS,
                timeout=TIMEOUT_SECONDS,
                headers={"Urgency": "high"},
            )
        except WebPushException as exc:
            status = exc.response.status_code if exc.response is not None else None
            if status in GONE:
                raise TransportError(f"push subscription gone ({status})", gone=True) from exc
            retryable = status is None or status == 429 or status >= 500
            raise TransportError(f"push service answered {status}", retryable=retryable) from exc
        except OSError as exc:  # requests' connection errors and timeouts are OSErrors
            raise TransportError(f"push service unreachable: {exc}") from exc
        return Sent(provider_id=str(getattr(response, "headers", {}).get("Location", ""))[:120])
