"""A contact record as a test needs it: filed today by ``peer`` in ``region``, in
categories, with ``changes``."""

from __future__ import annotations

from typing import Any

from backline.accounts.models import Region, User
from backline.lib import clock
from backline.records.models import ContactRecord, RecordMode

CATEGORIES: dict[str, Any] = {
    "mode": RecordMode.CATEGORIES,
    "contact_type": "request",
    "channel": "phone",
    "duration": "under_15",
    "topics": ["workplace"],
    "referral": "eap",
    "follow_up_planned": False,
}
# what a counts-only record keeps besides its week
COUNTS: dict[str, Any] = {"mode": RecordMode.COUNTS, "contact_type": "informal"}


def record(region: Region, peer: User | None, **changes: Any) -> ContactRecord:
    today = clock.now().astimezone(peer.time_zone if peer else None).date()
    kept = COUNTS if changes.get("mode") == RecordMode.COUNTS else CATEGORIES
    fields = {"date": today, "filed_on": today} | kept | changes
    return ContactRecord.objects.create(region=region, peer=peer, **fields)
