"""A fake Twilio-compatible provider on loopback, for the real httpx client.

It answers each POST with the next scripted ``Reply`` (by default 201 with a new sid),
optionally after a delay, and records what it was sent.
"""

from __future__ import annotations

import json
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs

from backline.notify.tests.loopback import FakeHTTPService


@dataclass(frozen=True)
class Reply:
    status: int = 201
    body: Any = None  # a dict is sent as JSON; None means {"sid": <new sid>}
    delay: float = 0.0


@dataclass(frozen=True)
class Request:
    path: str
    form: dict[str, str]
    authorization: str


@dataclass
class FakeProvider(FakeHTTPService):
    replies: deque[Reply] = field(default_factory=deque)
    requests: list[Request] = field(default_factory=list)

    def reply(self, *replies: Reply) -> None:
        self.replies.extend(replies)

    def answer_post(self, request: BaseHTTPRequestHandler, body: bytes) -> None:
        form = {key: values[-1] for key, values in parse_qs(body.decode()).items()}
        self.requests.append(Request(request.path, form, request.headers.get("Authorization", "")))
        reply = self.replies.popleft() if self.replies else Reply()
        if reply.delay:
            time.sleep(reply.delay)
        kind = "SM" if request.path.endswith("/Messages.json") else "CA"
        answer = (
            reply.body
            if reply.body is not None
            else {"sid": f"{kind}{len(self.requests):032d}", "status": "queued"}
        )
        data = answer.encode() if isinstance(answer, str) else json.dumps(answer).encode()
        try:
            request.send_response(reply.status)
            request.send_header("Content-Type", "application/json")
            request.send_header("Content-Length", str(len(data)))
            request.end_headers()
            request.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (a timeout test)
