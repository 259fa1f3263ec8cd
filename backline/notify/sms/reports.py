"""Where the provider reports what became of a text or a call: a URL that names the
outbox row itself, signed, so that a report which arrives before Backline has saved the
provider's id for the message still finds it (and starts its fail-over)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.crypto import constant_time_compare

from backline.lib import tokens
from backline.notify.models import Channel

CHANNELS = (Channel.SMS, Channel.VOICE)


def _signature(message_pk: int) -> str:
    return tokens.keyed("delivery-report", message_pk)


def url_for(message_pk: int) -> str:
    """The report URL for one outbox row, or nothing when Backline has no public URL."""
    if not settings.BACKLINE_PUBLIC_URL:
        return ""
    path = reverse("notify:sms_status", args=[message_pk, _signature(message_pk)])
    return settings.BACKLINE_PUBLIC_URL.rstrip("/") + path


def is_genuine(message_pk: int, signature: str) -> bool:
    return constant_time_compare(_signature(message_pk), signature)
