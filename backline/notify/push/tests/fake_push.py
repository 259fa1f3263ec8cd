"""A fake push service on loopback: it records each push (headers and encrypted body)
and answers with the next scripted status; 201 with a Location by default."""

from __future__ import annotations

import base64
import os
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from backline.notify.tests.loopback import FakeHTTPService


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@dataclass(frozen=True)
class Push:
    path: str
    headers: dict[str, str]  # names in lower case
    body: bytes


@dataclass
class Device:
    """What a browser holds for one subscription: its key pair and auth secret."""

    private_key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    auth: bytes = field(default_factory=lambda: os.urandom(16))

    @property
    def p256dh(self) -> str:
        return b64url(
            self.private_key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )

    def subscription(self, endpoint: str) -> dict[str, Any]:
        return {"endpoint": endpoint, "keys": {"p256dh": self.p256dh, "auth": b64url(self.auth)}}


@dataclass
class FakePushService(FakeHTTPService):
    statuses: deque[int] = field(default_factory=deque)
    pushes: list[Push] = field(default_factory=list)

    def endpoint(self, name: str = "device-1") -> str:
        return f"{self.url}/push/{name}"

    def answer(self, *statuses: int) -> None:
        self.statuses.extend(statuses)

    def answer_post(self, request: BaseHTTPRequestHandler, body: bytes) -> None:
        headers = {k.lower(): v for k, v in request.headers.items()}
        self.pushes.append(Push(request.path, headers, body))
        status = self.statuses.popleft() if self.statuses else 201
        request.send_response(status)
        if status == 201:
            request.send_header("Location", f"/messages/{len(self.pushes)}")
        request.send_header("Content-Length", "0")
        request.end_headers()
