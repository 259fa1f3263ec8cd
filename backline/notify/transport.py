"""What every transport is: ``send(message, address) -> provider id``, or a typed error."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from backline.notify.models import OutgoingMessage


class TransportError(Exception):
    """Sending failed. ``retryable`` says whether trying again later can help; ``gone``
    says the address itself is dead for good (a push subscription the browser dropped),
    so the contact method should be turned off."""

    def __init__(self, reason: str, *, retryable: bool = True, gone: bool = False) -> None:
        super().__init__(reason)
        self.retryable = retryable and not gone
        self.gone = gone


class Transport(Protocol):
    def send(self, message: OutgoingMessage, address: str) -> str:
        """Hand the message to the provider; return the provider's id for it."""
        ...
