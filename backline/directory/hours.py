"""Whether a resource is open at a moment: its weekly schedules are read in its own time
zone (so a daylight-saving change moves nothing), a closing time at or before the opening
time runs into the next day, and a 24/7 line is always open.

``is_open`` answers for one resource whose schedules are loaded; ``open_filter`` asks the
database the same question for a whole search.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.db.models import Exists, F, OuterRef, Q

from backline.directory.models import Resource, Schedule


def _covers(schedule: Schedule, weekday: int, at: time) -> bool:
    today = bool(schedule.days & (1 << weekday))
    yesterday = bool(schedule.days & (1 << ((weekday - 1) % 7)))
    if schedule.opens_at < schedule.closes_at:
        return today and schedule.opens_at <= at < schedule.closes_at
    return (today and at >= schedule.opens_at) or (yesterday and at < schedule.closes_at)


def is_open(resource: Resource, now: datetime) -> bool:
    if resource.always_open:
        return True
    local = now.astimezone(ZoneInfo(resource.time_zone))
    moment = local.time().replace(tzinfo=None)
    return any(_covers(s, local.weekday(), moment) for s in resource.schedules.all())


def _open_in(zone: str, now: datetime) -> Q:
    local = now.astimezone(ZoneInfo(zone))
    at = local.time().replace(tzinfo=None, microsecond=0)
    today = 1 << local.weekday()
    yesterday = 1 << ((local.weekday() - 1) % 7)
    schedules = Schedule.objects.filter(resource=OuterRef("pk")).annotate(
        today=F("days").bitand(today), yesterday=F("days").bitand(yesterday)
    )
    same_day = Q(opens_at__lt=F("closes_at"), today__gt=0, opens_at__lte=at, closes_at__gt=at)
    overnight_start = Q(opens_at__gte=F("closes_at"), today__gt=0, opens_at__lte=at)
    overnight_end = Q(opens_at__gte=F("closes_at"), yesterday__gt=0, closes_at__gt=at)
    return Q(Exists(schedules.filter(same_day | overnight_start | overnight_end)), time_zone=zone)


def open_filter(zones: Iterable[str], now: datetime) -> Q:
    """The resources open at ``now``, among those whose time zone is one of ``zones``."""
    found = Q(always_open=True)
    for zone in zones:
        found = found | _open_in(zone, now)
    return found
