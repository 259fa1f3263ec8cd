"""What every transport is: ``send(envelope) -> Sent``, or a typed error.

A transport is given the outbox's own values, opened and resolved (``Envelope``): it
never sees the database row, and the verification code's message, which has no row,
takes the same path.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from backline.notify.attachments import Attachment


@dataclass(frozen=True)
class Envelope:
    """One message on its way: lock-screen safe, as the outbox row says it.

    ``key`` is the same on every attempt of one outbox row (the e-mail's
    ``Message-ID``, the SMS provider's idempotency key), so a resend after a crash is
    recognisably the same message. ``button``, ``tap_url`` and ``reply_prompt`` are the
    message's action as each channel offers it (``notify.actions``). ``report_url`` is
    where the provider posts what became of a text or a call. ``attachments`` are the
    files an e-mail carries (``notify.attachments``). ``language`` is the one the
    message is written in (the recipient's): what a transport adds is written in it
    too. Empty: the language active where it is sent.
    """

    address: str
    subject: str
    body: str
    key: str
    link: str = ""
    button: str = ""
    tap_url: str = ""
    reply_prompt: str = ""
    report_url: str = ""
    attachments: tuple[Attachment, ...] = ()
    language: str = ""


@dataclass(frozen=True)
class Sent:
    """What the provider said when it took the message: its own id for it."""

    provider_id: str = ""


class TransportError(Exception):
    """Sending failed. ``retryable`` says whether trying again later can help; ``gone``
    says the address itself is dead for good (a push subscription the browser dropped,
    a number the provider calls invalid), so the contact method should be turned off."""

    def __init__(self, reason: str, *, retryable: bool = True, gone: bool = False) -> None:
        super().__init__(reason)
        self.retryable = retryable and not gone
        self.gone = gone


class Transport(Protocol):
    def send(self, envelope: Envelope) -> Sent:
        """Hand the message to the provider; return what it said."""
        ...
