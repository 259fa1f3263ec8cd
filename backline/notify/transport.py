"""What every transport is: ``send(message, address) -> provider id``, or a typed error."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from backline.notify.models import OutgoingMessage


class TransportError(Exception):
    """Sending failed. ``retryable`` says whether trying again later can help."""

    def __init__(self, reason: str, *, retryable: bool = True) -> None:
        super().__init__(reason)
        self.retryable = retryable


class Transport(Protocol):
    def send(self, message: OutgoingMessage, address: str) -> str:
        """Hand the message to the provider; return the provider's id for it."""
        ...
