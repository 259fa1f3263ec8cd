"""A browser's push subscription: read strictly, and only towards known push services.

The subscription's endpoint is a URL Backline will POST to. Accepting any URL would let
a signed-in person make Backline's server call into its own network, so the endpoint
must be HTTPS on a known push service (``BACKLINE_PUSH_SERVICES``, host names or their
parent domains). Plain HTTP is accepted only for loopback hosts that are listed there
explicitly: the tests' fake push service.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

PUSH_SERVICES = (
    "fcm.googleapis.com",  # Chrome, Edge on Android, Opera, Samsung Internet
    "android.googleapis.com",
    "push.services.mozilla.com",  # Firefox
    "push.apple.com",  # Safari
    "notify.windows.com",  # Edge on Windows
)
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
MAX_LENGTH = 2048


class Invalid(ValueError):
    """Not a push subscription Backline will use."""


@dataclass(frozen=True)
class Subscription:
    endpoint: str
    p256dh: str
    auth: str

    def as_json(self) -> str:
        return json.dumps(
            {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}},
            separators=(",", ":"),
        )

    def as_info(self) -> dict[str, Any]:
        """What pywebpush calls ``subscription_info``."""
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}


def services() -> tuple[str, ...]:
    return tuple(getattr(settings, "BACKLINE_PUSH_SERVICES", PUSH_SERVICES))


def _known(host: str) -> bool:
    return any(host == name or host.endswith("." + name) for name in services())


def _b64url(value: Any, length: int, name: str) -> str:
    if not isinstance(value, str) or len(value) > 200:
        raise Invalid(f"keys.{name} is missing")
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError) as exc:
        raise Invalid(f"keys.{name} is not base64url") from exc
    if len(raw) != length:
        raise Invalid(f"keys.{name} has {len(raw)} bytes, not {length}")
    return value.rstrip("=")


def parse(raw: str | bytes) -> Subscription:
    """The subscription in ``raw`` (the JSON of ``PushSubscription.toJSON()``)."""
    if len(raw) > MAX_LENGTH:
        raise Invalid("too long")
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise Invalid("not JSON") from exc
    return from_data(data)


def from_data(data: Any) -> Subscription:
    if not isinstance(data, dict):
        raise Invalid("not an object")
    endpoint = data.get("endpoint")
    keys = data.get("keys")
    if not isinstance(endpoint, str) or not isinstance(keys, dict):
        raise Invalid("endpoint and keys are required")
    try:
        url = urlsplit(endpoint)
        host = (url.hostname or "").lower()
    except ValueError as exc:
        raise Invalid("the endpoint is not a URL") from exc
    if url.username or url.password or not host:
        raise Invalid("the endpoint is not a push service URL")
    secure = url.scheme == "https"
    loopback = url.scheme == "http" and host in LOOPBACK
    if not (secure or loopback) or not _known(host):
        raise Invalid(f"{host} is not a known push service")
    p256dh = _b64url(keys.get("p256dh"), 65, "p256dh")
    if base64.urlsafe_b64decode(p256dh + "=" * (-len(p256dh) % 4))[0] != 4:
        raise Invalid("keys.p256dh is not an uncompressed P-256 point")
    auth = _b64url(keys.get("auth"), 16, "auth")
    return Subscription(endpoint=endpoint, p256dh=p256dh, auth=auth)
