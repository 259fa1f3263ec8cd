"""What the Reach out form sends, as a browser would send it."""

from __future__ import annotations

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
