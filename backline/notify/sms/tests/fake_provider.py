"""A fake Twilio-compatible provider on loopback, for the real httpx client.

It answers each POST with the next scripted ``Reply`` (by default 201 with a new sid),
optionally after a delay, and records what it was sent.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs


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
class FakeProvider:
    replies: deque[Reply] = field(default_factory=deque)
    requests: list[Request] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def reply(self, *replies: Reply) -> None:
        self.replies.extend(replies)

    def start(self) -> FakeProvider:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode()
                form = {key: values[-1] for key, values in parse_qs(raw).items()}
                provider.requests.append(
                    Request(self.path, form, self.headers.get("Authorization", ""))
                )
                reply = provider.replies.popleft() if provider.replies else Reply()
                if reply.delay:
                    time.sleep(reply.delay)
                kind = "SM" if self.path.endswith("/Messages.json") else "CA"
                body = (
                    reply.body
                    if reply.body is not None
                    else {
                        "sid": f"{kind}{len(provider.requests):032d}",
                        "status": "queued",
                    }
                )
                data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (a timeout test)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
