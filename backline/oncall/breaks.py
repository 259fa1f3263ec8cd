""" "I need a break": a peer takes themselves out of paging until a date.

While on a break a peer is paged by no step — rotation, schedule, named person or "all
available peers" — and "available now" ends with the break's start. Everyone else sees
only that the peer is unavailable (``unavailable``), never why; the coverage warnings
count the break's hours as hours nobody covers (``away``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction

from backline.accounts.models import User
from backline.oncall.models import Availability, Break

LONGEST = timedelta(days=90)


def ends_at(last_day: date, zone: ZoneInfo) -> datetime:
    """The end of a break whose last day is ``last_day``: the midnight after it, where
    the peer lives."""
    return datetime.combine(last_day + timedelta(days=1), datetime.min.time(), zone).astimezone(UTC)


def last_day(until: datetime, zone: ZoneInfo) -> date:
    """The last day of a break that ends at ``until``, where the peer lives."""
    return (until - timedelta(microseconds=1)).astimezone(zone).date()


def current(user: User, when: datetime) -> Break | None:
    """The peer's break at ``when``, if they are on one."""
    return Break.objects.filter(user=user, starts_at__lte=when, until__gt=when).first()


def unavailable(user_ids: Iterable[int], when: datetime) -> set[int]:
    """Of these people, who is on a break at ``when`` (one query)."""
    ids = set(user_ids)
    if not ids:
        return set()
    return set(
        Break.objects.filter(user_id__in=ids, starts_at__lte=when, until__gt=when).values_list(
            "user_id", flat=True
        )
    )


def away(
    user_ids: Iterable[int], start: datetime, end: datetime
) -> dict[int, tuple[datetime, datetime]]:
    """Of these people, who is on a break some time from ``start`` to ``end``, and from
    when until when (one query)."""
    ids = set(user_ids)
    if not ids:
        return {}
    found = Break.objects.filter(user_id__in=ids, starts_at__lt=end, until__gt=start)
    return {b.user_id: (b.starts_at, b.until) for b in found}


def take(user: User, until: datetime, now: datetime) -> Break:
    """Start the peer's break now, until ``until``; a break they are on is moved to the
    new end. "Available now" ends with it."""
    with transaction.atomic():
        Availability.objects.filter(user=user).delete()
        taken, _created = Break.objects.update_or_create(
            user=user, defaults={"starts_at": now, "until": until}
        )
    return taken


def end(user: User) -> bool:
    """End the peer's break early; False if they were not on one."""
    deleted, _kinds = Break.objects.filter(user=user).delete()
    return bool(deleted)
