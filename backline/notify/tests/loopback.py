"""Servers on loopback: a free port (for the transports' tests, the throw-away PostgreSQL
cluster of ``tests/pg_cluster.py`` and the benchmarks under ``bench/``), and the base of
the fake HTTP services (the SMS provider, the push service) that answer the real clients."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self


def free_port() -> int:
    """A loopback port nobody listens on (yet)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class FakeHTTPService:
    """Serves on a free loopback port in a thread from ``start()`` to ``stop()``, and hands
    each POST (with its body read) to ``answer_post``, which subclasses write."""

    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def answer_post(self, request: BaseHTTPRequestHandler, body: bytes) -> None:
        raise NotImplementedError

    def start(self) -> Self:
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                service.answer_post(self, self.rfile.read(length))

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
