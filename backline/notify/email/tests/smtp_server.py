"""A real SMTP server on loopback (aiosmtpd) that records what it accepts. It can be told
to refuse some recipients, to hold every message (to catch a sender mid-send) and then
refuse it, or to take each message and answer too late (``stall``). The e-mail
transport's tests use it, and so do the engine's process tests (through
``tests/engine/smtp.py``)."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller
from pytest_django.fixtures import Settings

from backline.notify.tests.loopback import free_port


@dataclass
class Received:
    sender: str
    to: list[str]
    message: Message

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    def part(self, content_type: str) -> str:
        """The decoded text of the (first) part of this type, with the line ends it had
        before SMTP made them CRLF."""
        for part in self.message.walk():
            if part.get_content_type() == content_type:
                payload = part.get_payload(decode=True)
                assert isinstance(payload, bytes)
                text = payload.decode(part.get_content_charset() or "utf-8", errors="replace")
                return text.replace("\r\n", "\n")
        raise LookupError(content_type)

    @property
    def body(self) -> str:
        return self.part("text/plain")

    @property
    def html(self) -> str:
        return self.part("text/html")


@dataclass
class Handler:
    received: list[Received] = field(default_factory=list)
    refused: set[str] = field(default_factory=set)  # recipients refused at RCPT
    hold: threading.Event | None = None  # while set, DATA waits and then refuses
    stall: float = 0.0  # seconds to wait, with the message taken, before answering DATA

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refused:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.hold is not None:
            while self.hold.is_set():
                await asyncio.sleep(0.05)
            return "451 try again later"
        self.received.append(
            Received(
                envelope.mail_from, list(envelope.rcpt_tos), message_from_bytes(envelope.content)
            )
        )
        if self.stall:
            await asyncio.sleep(self.stall)
        return "250 Message accepted"


class SmtpServer:
    """On a free port unless given one. ``with SmtpServer() as server:``, or ``start()``
    and ``stop()``, which may be called again: the server comes back on its port."""

    def __init__(self, port: int | None = None) -> None:
        self.port = free_port() if port is None else port
        self.handler = Handler()
        self.controller: Controller | None = None

    def start(self) -> SmtpServer:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.handler.hold is not None:
            self.handler.hold.clear()  # let a held DATA end before the server stops
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def __enter__(self) -> SmtpServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def receive_django_mail(self, settings: Settings) -> None:
        """Points this process's Django mail at this server (plain SMTP, no login);
        ``settings`` is pytest-django's fixture, which puts them back after the test."""
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = self.port
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = ""
        settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_TIMEOUT = 5
        settings.DEFAULT_FROM_EMAIL = "Backline <backline@harbor.test>"

    def settings(self) -> dict[str, str]:
        """The environment that points a Backline process at this server."""
        return {
            "BACKLINE_SMTP_HOST": "127.0.0.1",
            "BACKLINE_SMTP_PORT": str(self.port),
            "BACKLINE_SMTP_STARTTLS": "no",
        }
