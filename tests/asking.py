"""Reaching out in tests: what the Reach out form sends, as a browser would send it,
what a test that reaches out in code may change of the ask, and a request made with its
first step paged."""

from __future__ import annotations

from datetime import datetime
from typing import TypedDict

from backline.accounts.models import Region, User
from backline.lib import tokens
from backline.support import escalation
from backline.support.models import SupportRequest

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


def reach_out(
    requester: User, region: Region, ask: escalation.Ask, now: datetime | None = None
) -> tuple[SupportRequest, str | None]:
    """Reach out as the Reach out page does, then escalate as the engine does the moment
    it is woken: the request comes back with its first step paged."""
    made = escalation.reach_out(requester, region, ask, now)
    escalation.escalate_due(now)
    return made
