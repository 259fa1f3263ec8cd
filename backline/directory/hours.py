"""Whether a resource is open at a moment: its weekly schedules are read in its own time
zone (so a daylight-saving change moves nothing), a closing time at or before the opening
time runs into the next day, and a 24/7 line is always open.

``is_open`` answers for one resource whose schedules are loaded; ``open_filter`` asks the
database the same question for a whole search; ``openings_in`` gives the hours as a
reader in another time zone reads them (the hand-off card).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Exists, F, OuterRef, Q

from backline.directory.models import Resource, Schedule, day_names


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


@dataclass(frozen=True)
class Opening:
    """Opening hours as a reader in another time zone reads them: on ``days`` (a bit a
    weekday, in the reader's zone), from ``opens_at`` to ``closes_at``."""

    days: int
    opens_at: time
    closes_at: time
    description: str

    @property
    def day_names(self) -> str:
        return day_names(self.days)


def openings_in(resource: Resource, zone: ZoneInfo, now: datetime) -> list[Opening]:
    """The resource's weekly hours moved into ``zone`` as they stand this week (the
    week of ``now``): a day whose hours start on another day there moves with them."""
    own = ZoneInfo(resource.time_zone)
    monday = now.astimezone(own).date() - timedelta(days=now.astimezone(own).weekday())
    found: dict[tuple[time, time, str], int] = {}
    for schedule in resource.schedules.all():
        for day in range(7):
            if not schedule.days & (1 << day):
                continue
            opens = datetime.combine(monday + timedelta(days=day), schedule.opens_at, own)
            length = datetime.combine(opens.date(), schedule.closes_at) - opens.replace(tzinfo=None)
            if length <= timedelta(0):  # runs past midnight
                length += timedelta(days=1)
            there = opens.astimezone(zone)
            closes = (opens + length).astimezone(zone)
            key = (there.time(), closes.time(), schedule.description)
            found[key] = found.get(key, 0) | (1 << there.weekday())
    return [Opening(days, o, c, note) for (o, c, note), days in found.items()]
