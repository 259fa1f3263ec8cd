"""What the Reach out form sends, as a browser would send it, and what a test that
reaches out in code may change of the ask."""

from __future__ import annotations

from typing import TypedDict

from backline.accounts.models import User
from backline.lib import tokens

CALLBACK = "+13195550142"


def reach_out_form(**fields: str) -> dict[str, str]:
    """A fresh form (its own one-time token) asking "call me, now" on ``CALLBACK``,
    with ``fields`` changed."""
    return {
        "urgency": "now",
        "contact": "call",
        "phone": "other",
        "callback_number": CALLBACK,
        "once": tokens.new_token(),
        **fields,
    }


class Asked(TypedDict, total=False):
    """The wishes of an ``escalation.Ask`` beyond its urgency and contact, as a test that
    reaches out in code changes them (``Ask("now", "call", **asked)``)."""

    anonymous: bool
    outside_agency: bool
    preferred_peer: User | None
    note: str
    callback_number: str
    place: str
    once: str
