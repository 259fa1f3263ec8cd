"""One transport per channel; tests may put a recording one in place."""

from __future__ import annotations

from backline.notify.email.transport import EmailTransport
from backline.notify.models import Channel
from backline.notify.push.transport import PushTransport
from backline.notify.sms.transport import SmsTransport, VoiceTransport
from backline.notify.transport import Transport

_registry: dict[str, Transport] = {
    Channel.EMAIL: EmailTransport(),
    Channel.SMS: SmsTransport(),
    Channel.VOICE: VoiceTransport(),
    Channel.PUSH: PushTransport(),
}


def register(channel: str, transport: Transport) -> Transport:
    """Use ``transport`` for ``channel``; returns the one it replaces."""
    previous = _registry[channel]
    _registry[channel] = transport
    return previous


def transport_for(channel: str) -> Transport:
    return _registry[channel]
