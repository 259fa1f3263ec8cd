"""Who may be paged at a moment, and when a person may be woken for something that can
wait: outside their quiet hours, and not at night in their own time zone.

Night is one window for everyone, ``NIGHT_STARTS`` to ``NIGHT_ENDS`` local time (22:00
to 07:00), in the zone of the person's agency (``User.time_zone``); quiet hours are the
person's own, in the zone they gave with them. A request that can wait honours both,
on call or not. A request for support *now* pages whoever is on call at any hour; of
the peers who are only "available now", it leaves out those in their quiet hours.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from backline.accounts.models import zones_of
from backline.oncall import resolve
from backline.oncall.models import QuietHours

NIGHT_STARTS = time(22)
NIGHT_ENDS = time(7)


@dataclass(frozen=True)
class Rest:
    """What keeps one person from being woken: the night where they live, and their
    quiet hours if they set any."""

    zone: ZoneInfo
    quiet: QuietHours | None = None

    def at_night(self, when: datetime) -> bool:
        local = when.astimezone(self.zone).time()
        return local >= NIGHT_STARTS or local < NIGHT_ENDS

    def asleep(self, when: datetime) -> bool:
        return self.at_night(when) or resolve.in_quiet_hours(self.quiet, when)

    def wakes_at(self, when: datetime) -> datetime | None:
        """The first moment from ``when`` (itself, when awake) at which neither the
        night nor the quiet hours hold; None when together they cover the whole day."""
        start = when
        while when < start + timedelta(days=1):
            if self.at_night(when):
                when = _next(when, NIGHT_ENDS, self.zone)
            elif self.quiet is not None and resolve.in_quiet_hours(self.quiet, when):
                when = _next(when, self.quiet.ends_at, ZoneInfo(self.quiet.time_zone))
            else:
                return when
        return None

    def morning(self, when: datetime) -> datetime:
        """When the night around ``when`` ends (``when`` itself by day), quiet hours
        aside: for someone whose quiet hours leave no waking hour."""
        return _next(when, NIGHT_ENDS, self.zone) if self.at_night(when) else when


def _next(when: datetime, at: time, zone: ZoneInfo) -> datetime:
    """The first moment after ``when`` that reads ``at`` in ``zone`` (in UTC); a time
    that a daylight-saving change skips falls just after the change."""
    day = when.astimezone(zone).date()
    moment = datetime.combine(day, at, zone).astimezone(UTC)
    if moment > when:
        return moment
    return datetime.combine(day + timedelta(days=1), at, zone).astimezone(UTC)


def available(region_id: int, peer_ids: set[int], when: datetime, *, can_wait: bool) -> set[int]:
    """Of ``peer_ids`` (peers of the region), who may be paged at ``when`` for being
    available: on call in one of the region's rotations, or said "available now".

    For something that cannot wait, not those who are only "available now" and in their
    quiet hours (on call, a peer is paged at any hour). For something that can wait,
    everyone available: who of them is asleep is for ``rests`` to tell, since a step
    whose people are all asleep waits for the first of them to wake.
    """
    on_call = resolve.on_call_now(region_id, when)
    found = resolve.available(peer_ids, on_call, when)
    if can_wait:
        return found
    off_duty = found - on_call
    quiet = {q.user_id: q for q in QuietHours.objects.filter(user_id__in=off_duty)}
    return {p for p in found if p not in off_duty or not resolve.in_quiet_hours(quiet.get(p), when)}


def awake(user_ids: Iterable[int], when: datetime) -> set[int]:
    """Of these people, who is not asleep at ``when`` (neither night nor quiet hours)."""
    rested = rests(user_ids)
    return {i for i, rest in rested.items() if not rest.asleep(when)}


def rests(user_ids: Iterable[int]) -> dict[int, Rest]:
    """``Rest`` of each person, in two queries whatever their number."""
    ids = set(user_ids)
    if not ids:
        return {}
    quiet = {q.user_id: q for q in QuietHours.objects.filter(user_id__in=ids)}
    zones = zones_of(ids)
    return {i: Rest(zones[i], quiet.get(i)) for i in ids}


def earliest_waking(rested: Iterable[Rest], when: datetime) -> datetime | None:
    """When the first of these people wakes (``when`` if one is awake); None if none
    of them ever does."""
    return min((w for w in (rest.wakes_at(when) for rest in rested) if w), default=None)
