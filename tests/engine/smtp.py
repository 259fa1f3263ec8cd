"""A real SMTP server on loopback (aiosmtpd) that records what it accepts, and can be
told to hold a message (to catch a sender mid-send) or refuse it."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field
from email import message_from_bytes
from typing import Any

from aiosmtpd.controller import Controller

from tests.pg_cluster import free_port


@dataclass
class Received:
    to: list[str]
    subject: str
    body: str


@dataclass
class Handler:
    received: list[Received] = field(default_factory=list)
    hold: threading.Event | None = None  # while set, DATA waits and then refuses

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.hold is not None:
            while self.hold.is_set():
                await asyncio.sleep(0.05)
            return "451 try again later"
        message = message_from_bytes(envelope.content)
        self.received.append(
            Received(
                list(envelope.rcpt_tos),
                str(message["Subject"]),
                message.get_payload(decode=True).decode(errors="replace"),
            )
        )
        return "250 OK"


class SmtpServer:
    def __init__(self) -> None:
        self.handler = Handler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.handler.hold is not None:
            self.handler.hold.clear()
        self.controller.stop()

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def settings(self) -> dict[str, str]:
        return {
            "BACKLINE_SMTP_HOST": "127.0.0.1",
            "BACKLINE_SMTP_PORT": str(self.port),
            "BACKLINE_SMTP_STARTTLS": "no",
        }
