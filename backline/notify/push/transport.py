"""Sends outbox messages as web push notifications (the address is the subscription)."""

from __future__ import annotations

import json

from django.conf import settings
from pywebpush import WebPushException, webpush

from backline.notify.models import OutgoingMessage
from backline.notify.transport import TransportError

GONE = {404, 410}


class PushTransport:
    def send(self, message: OutgoingMessage, address: str) -> str:
        if not settings.BACKLINE_VAPID_PRIVATE_KEY:
            raise TransportError("web push is not configured", retryable=False)
        try:
            subscription = json.loads(address)
        except ValueError as exc:
            raise TransportError("the push subscription is unreadable", retryable=False) from exc
        payload = json.dumps({"title": message.subject, "body": message.body, "url": message.link})
        try:
            response = webpush(
                subscription_info=subscription,
                data=payload,
                vapid_private_key=settings.BACKLINE_VAPID_PRIVATE_KEY,
                vapid_claims={"sub": settings.BACKLINE_VAPID_SUBJECT},
                ttl=300,
                timeout=10,
            )
        except WebPushException as exc:
            status = exc.response.status_code if exc.response is not None else None
            raise TransportError(f"push service: {exc}", retryable=status not in GONE) from exc
        except OSError as exc:
            raise TransportError(f"push service unreachable: {exc}") from exc
        return str(getattr(response, "headers", {}).get("Location", ""))
