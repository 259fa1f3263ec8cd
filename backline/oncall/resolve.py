"""Who is on call at a moment, and the timeline of shifts over a period.

Daily and weekly rotations hand off at the same local time each day, through
daylight-saving changes; custom rotations count whole hours from the first hand-off.
Overrides apply on top: the newest one covering the moment wins.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from django.db.models import Q

from backline.accounts.models import User
from backline.accounts.roles import Role
from backline.oncall.models import (
    Availability,
    Override,
    QuietHours,
    Rotation,
    RotationKind,
    Schedule,
)

PERIOD_DAYS = {RotationKind.DAILY: 1, RotationKind.WEEKLY: 7}


@dataclass(frozen=True)
class Shift:
    starts_at: datetime
    ends_at: datetime
    user_id: int | None


def base_shift(rotation: Rotation, member_ids: Sequence[int], when: datetime) -> Shift | None:
    """The rotation's own shift around ``when`` (before overrides); None before it starts."""
    zone = ZoneInfo(rotation.time_zone)
    first = datetime.combine(rotation.starts_on, rotation.handoff_time, zone)
    if when < first:
        return None
    if rotation.kind in PERIOD_DAYS:
        days = PERIOD_DAYS[RotationKind(rotation.kind)]
        local = when.astimezone(zone)
        day: date = local.date()
        if local.time() < rotation.handoff_time:
            day -= timedelta(days=1)
        number = (day - rotation.starts_on).days // days
        start_day = rotation.starts_on + timedelta(days=number * days)
        starts_at = datetime.combine(start_day, rotation.handoff_time, zone)
        ends_at = datetime.combine(start_day + timedelta(days=days), rotation.handoff_time, zone)
    else:
        length = timedelta(hours=rotation.shift_hours)
        first_utc = first.astimezone(UTC)
        number = (when - first_utc) // length
        starts_at = first_utc + number * length
        ends_at = starts_at + length
    user_id = member_ids[number % len(member_ids)] if member_ids else None
    return Shift(starts_at.astimezone(UTC), ends_at.astimezone(UTC), user_id)


def _member_ids(rotation: Rotation) -> list[int]:
    return list(rotation.members.order_by("position").values_list("user_id", flat=True))


def _override(overrides: Sequence[Override], when: datetime, base_user: int | None) -> int | None:
    covering = [
        o
        for o in overrides
        if o.starts_at <= when < o.ends_at and (o.replaces_id is None or o.replaces_id == base_user)
    ]
    if not covering:
        return base_user
    return max(covering, key=lambda o: (o.created_at, o.pk)).covered_by_id


def rotation_on_call(rotation: Rotation, when: datetime) -> int | None:
    shift = base_shift(rotation, _member_ids(rotation), when)
    overrides = list(rotation.overrides.filter(starts_at__lte=when, ends_at__gt=when))
    return _override(overrides, when, shift.user_id if shift else None)


def _in_window(weekdays: Sequence[int], start, end, local: datetime) -> bool:
    clock_time = local.time()
    if start < end:
        return local.weekday() in weekdays and start <= clock_time < end
    # past midnight: the part after midnight belongs to the previous weekday
    if clock_time >= start:
        return local.weekday() in weekdays
    return clock_time < end and (local.weekday() - 1) % 7 in weekdays


def schedule_rotation(schedule: Schedule, when: datetime) -> Rotation | None:
    local = when.astimezone(ZoneInfo(schedule.time_zone))
    for window in schedule.windows.select_related("rotation"):
        if _in_window(window.weekdays, window.starts_at, window.ends_at, local):
            return window.rotation
    return None


def schedule_on_call(schedule: Schedule, when: datetime) -> int | None:
    rotation = schedule_rotation(schedule, when)
    return rotation_on_call(rotation, when) if rotation else None


def timeline(rotation: Rotation, start: datetime, end: datetime) -> list[Shift]:
    """Who is on call from ``start`` to ``end``, overrides applied, equal turns merged."""
    members = _member_ids(rotation)
    overrides = list(rotation.overrides.filter(starts_at__lt=end, ends_at__gt=start))
    cuts = {start, end}
    moment = start
    while moment < end:
        shift = base_shift(rotation, members, moment)
        if shift is None:
            first = datetime.combine(
                rotation.starts_on, rotation.handoff_time, ZoneInfo(rotation.time_zone)
            ).astimezone(UTC)
            moment = max(first, moment + timedelta(seconds=1))
        else:
            moment = shift.ends_at
        if moment < end:
            cuts.add(moment)
    for o in overrides:
        cuts.update(t for t in (o.starts_at, o.ends_at) if start < t < end)
    ordered = sorted(cuts)
    shifts: list[Shift] = []
    for begin, finish in pairwise(ordered):
        shift = base_shift(rotation, members, begin)
        user_id = _override(overrides, begin, shift.user_id if shift else None)
        if shifts and shifts[-1].user_id == user_id and shifts[-1].ends_at == begin:
            shifts[-1] = Shift(shifts[-1].starts_at, finish, user_id)
        else:
            shifts.append(Shift(begin, finish, user_id))
    return shifts


def in_quiet_hours(quiet: QuietHours | None, when: datetime) -> bool:
    if quiet is None:
        return False
    local = when.astimezone(ZoneInfo(quiet.time_zone))
    return _in_window(range(7), quiet.starts_at, quiet.ends_at, local)


def on_call_now(region_id: int, when: datetime) -> set[int]:
    """Peers on call in any of the region's rotations at ``when``."""
    ids = {
        rotation_on_call(rotation, when)
        for rotation in Rotation.objects.filter(region_id=region_id)
    }
    ids.discard(None)
    return {i for i in ids if i is not None}


def available_now(region_id: int, when: datetime) -> set[int]:
    """Peers who are on call or said "available now", right now."""
    peer_ids = set(
        User.objects.filter(
            is_active=True, memberships__region_id=region_id, memberships__role=Role.PEER
        ).values_list("pk", flat=True)
    )
    flagged = set(
        Availability.objects.filter(Q(user_id__in=peer_ids) & Q(until__gt=when)).values_list(
            "user_id", flat=True
        )
    )
    return (on_call_now(region_id, when) & peer_ids) | flagged
