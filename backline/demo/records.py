"""A few weeks of the demo team's contact records: each peer's everyday work, as they
would have filed it — more requests and check-ins than group sessions, most contacts
under 45 minutes, a referral now and then. The demo peer's latest can still be corrected."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from backline.accounts.models import Region, User
from backline.accounts.roles import Role
from backline.lib import clock
from backline.records.models import (
    ContactRecord,
    ContactType,
    Duration,
    RecordChannel,
    RecordMode,
    Referral,
    Topic,
)

T = TypeVar("T")
DAYS = 28
SEED = 911  # the same demo on every machine

KINDS = {
    ContactType.REQUEST: 7,
    ContactType.CHECK_IN: 5,
    ContactType.INFORMAL: 4,
    ContactType.INCIDENT_FOLLOW_UP: 3,
    ContactType.GROUP_SESSION: 1,
}
CHANNELS = {
    RecordChannel.PHONE: 5,
    RecordChannel.IN_PERSON: 4,
    RecordChannel.TEXT: 3,
    RecordChannel.VIDEO: 1,
}
DURATIONS = {Duration.UNDER_15: 4, Duration.FROM_15: 6, Duration.FROM_45: 2, Duration.OVER_90: 1}
TOPICS = {
    Topic.CRITICAL_CALL: 6,
    Topic.CUMULATIVE_STRESS: 5,
    Topic.WORKPLACE: 4,
    Topic.FAMILY: 3,
    Topic.HEALTH: 2,
    Topic.GRIEF: 2,
    Topic.OTHER: 1,
}
REFERRALS = {
    Referral.NONE: 14,
    Referral.EAP: 3,
    Referral.CLINICIAN: 2,
    Referral.SUPPORT_GROUP: 1,
    Referral.CHAPLAIN: 1,
}


def _pick(rng: random.Random, weights: dict[T, int]) -> T:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def load(region: Region) -> None:
    rng = random.Random(SEED)  # noqa: S311 - invented data, not a secret
    zone = region.agencies.values_list("time_zone", flat=True).first() or "UTC"
    today = clock.now().astimezone(ZoneInfo(zone)).date()
    peers = User.objects.filter(memberships__region=region, memberships__role=Role.PEER)
    rows = []
    for peer in peers.order_by("pk"):
        for days_ago in range(DAYS, -1, -1):
            if rng.random() > 0.22:  # most days, a peer has no contact
                continue
            day = today - timedelta(days=days_ago)
            topics = {_pick(rng, TOPICS) for _ in range(rng.choice([1, 1, 2]))}
            rows.append(
                ContactRecord(
                    region=region,
                    peer=peer,
                    mode=RecordMode.CATEGORIES,
                    date=day,
                    filed_on=min(day + timedelta(days=rng.choice([0, 0, 0, 1])), today),
                    contact_type=_pick(rng, KINDS),
                    channel=_pick(rng, CHANNELS),
                    duration=_pick(rng, DURATIONS),
                    topics=[t for t in Topic.values if t in topics],
                    referral=_pick(rng, REFERRALS),
                    follow_up_planned=rng.random() < 0.3,
                )
            )
    ContactRecord.objects.bulk_create(rows)
