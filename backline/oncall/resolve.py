"""Who is on call at a moment, and the timeline of shifts over a period.

Daily and weekly rotations hand off at the same local time each day, through
daylight-saving changes; custom rotations count whole hours from the first hand-off.
Overrides apply on top, oldest first: one without ``replaces`` always applies, one with
``replaces`` applies while that person is on call (by the rotation, or by an earlier
override: a swap of a swap), so the newest one covering the moment wins.
Schedules pick a rotation by their windows (local weekdays and times).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from backline.accounts.models import User
from backline.accounts.roles import Role
from backline.oncall import breaks
from backline.oncall.models import (
    Availability,
    Override,
    QuietHours,
    Rotation,
    RotationKind,
    RotationMember,
    Schedule,
    ScheduleWindow,
)

PERIOD_DAYS = {RotationKind.DAILY: 1, RotationKind.WEEKLY: 7}


@dataclass(frozen=True)
class Shift:
    starts_at: datetime
    ends_at: datetime
    user_id: int | None


def _local(day: date, at: time, zone: ZoneInfo, fold: int = 0) -> datetime:
    """The UTC moment of a local date and time (the first of two when it repeats)."""
    return datetime.combine(day, at, zone).replace(fold=fold).astimezone(UTC)


def base_shift(rotation: Rotation, member_ids: Sequence[int], when: datetime) -> Shift | None:
    """The rotation's own shift around ``when`` (before overrides); None before it starts."""
    zone = ZoneInfo(rotation.time_zone)
    when = when.astimezone(UTC)
    first = _local(rotation.starts_on, rotation.handoff_time, zone)
    if when < first:
        return None
    if rotation.kind in PERIOD_DAYS:
        days = PERIOD_DAYS[RotationKind(rotation.kind)]
        local = when.astimezone(zone)
        day: date = local.date()
        if local.time() < rotation.handoff_time:
            day -= timedelta(days=1)
        number = (day - rotation.starts_on).days // days
        # A hand-off time that a daylight-saving change skips or repeats can leave
        # ``when`` just outside the turn found by its local date: step to the right one.
        for _ in range(3):
            start_day = rotation.starts_on + timedelta(days=number * days)
            starts_at = _local(start_day, rotation.handoff_time, zone)
            ends_at = _local(start_day + timedelta(days=days), rotation.handoff_time, zone)
            if when < starts_at:
                number -= 1
            elif when >= ends_at:
                number += 1
            else:
                break
    else:
        length = timedelta(hours=rotation.shift_hours)
        number = (when - first) // length
        starts_at = first + number * length
        ends_at = starts_at + length
    user_id = member_ids[number % len(member_ids)] if member_ids else None
    return Shift(starts_at, ends_at, user_id)


@dataclass(frozen=True)
class Turns:
    """What a rotation's shifts over a period depend on: its members in turn order, and
    the overrides that touch the period."""

    member_ids: list[int]
    overrides: list[Override]


def load_turns(rotations: Iterable[Rotation], start: datetime, end: datetime) -> dict[int, Turns]:
    """``Turns`` of every rotation from ``start`` to ``end``, in two queries."""
    ids = [rotation.pk for rotation in rotations]
    members: dict[int, list[int]] = defaultdict(list)
    for rotation_id, user_id in (
        RotationMember.objects.filter(rotation_id__in=ids)
        .order_by("rotation_id", "position")
        .values_list("rotation_id", "user_id")
    ):
        members[rotation_id].append(user_id)
    overrides: dict[int, list[Override]] = defaultdict(list)
    for override in Override.objects.filter(
        rotation_id__in=ids, starts_at__lte=end, ends_at__gt=start
    ).order_by("pk"):
        overrides[override.rotation_id].append(override)
    return {pk: Turns(members[pk], overrides[pk]) for pk in ids}


def _override(overrides: Sequence[Override], when: datetime, base_user: int | None) -> int | None:
    """Who covers ``when``: overrides apply oldest first, each to whom it replaces."""
    covering = sorted(
        (o for o in overrides if o.starts_at <= when < o.ends_at),
        key=lambda o: (o.created_at, o.pk),
    )
    who = base_user
    for o in covering:
        if o.replaces_id is None or o.replaces_id in (base_user, who):
            who = o.covered_by_id
    return who


def _on_call(
    rotation: Rotation, member_ids: Sequence[int], overrides: Sequence[Override], when: datetime
) -> int | None:
    shift = base_shift(rotation, member_ids, when)
    return _override(overrides, when, shift.user_id if shift else None)


def rotation_on_call(rotation: Rotation, when: datetime, turns: Turns | None = None) -> int | None:
    turns = turns or load_turns([rotation], when, when)[rotation.pk]
    return _on_call(rotation, turns.member_ids, turns.overrides, when)


def _in_window(weekdays: Sequence[int], start: time, end: time, local: datetime) -> bool:
    clock_time = local.time()
    if start < end:
        return local.weekday() in weekdays and start <= clock_time < end
    # past midnight: the part after midnight belongs to the previous weekday
    if clock_time >= start:
        return local.weekday() in weekdays
    return clock_time < end and (local.weekday() - 1) % 7 in weekdays


def _window_rotation(windows: Sequence[ScheduleWindow], local: datetime) -> Rotation | None:
    """The rotation of the first window (in order) that holds the local moment."""
    for window in windows:
        if _in_window(window.weekdays, window.starts_at, window.ends_at, local):
            return window.rotation
    return None


def load_windows(schedules: Iterable[Schedule]) -> dict[int, list[ScheduleWindow]]:
    """Every schedule's windows, in order and with their rotations, in one query."""
    ids = [schedule.pk for schedule in schedules]
    windows: dict[int, list[ScheduleWindow]] = {pk: [] for pk in ids}
    for window in (
        ScheduleWindow.objects.filter(schedule_id__in=ids)
        .select_related("rotation")
        .order_by("order", "pk")
    ):
        windows[window.schedule_id].append(window)
    return windows


def schedules_on_call(
    schedules: Sequence[Schedule], when: datetime, turns: dict[int, Turns] | None = None
) -> dict[int, int | None]:
    """Who is on call through each schedule at ``when``: the windows of all in one
    query, then the turns of the rotations they pick in two more, unless ``turns``
    (from ``load_turns``) holds them already."""
    windows = load_windows(schedules)
    picked = {
        s.pk: _window_rotation(windows[s.pk], when.astimezone(ZoneInfo(s.time_zone)))
        for s in schedules
    }
    known = dict(turns or {})
    missing = [r for r in picked.values() if r is not None and r.pk not in known]
    if missing:
        known |= load_turns(missing, when, when)
    return {
        pk: None if rotation is None else rotation_on_call(rotation, when, known[rotation.pk])
        for pk, rotation in picked.items()
    }


def schedule_on_call(
    schedule: Schedule, when: datetime, turns: dict[int, Turns] | None = None
) -> int | None:
    """Who is on call through the schedule at ``when``; ``turns`` may hold its
    rotations' (from ``load_turns``)."""
    return schedules_on_call([schedule], when, turns)[schedule.pk]


def merged(shifts: Iterable[Shift]) -> list[Shift]:
    """Adjacent shifts of the same person (or of nobody) joined into one."""
    joined: list[Shift] = []
    for shift in shifts:
        if joined and joined[-1].user_id == shift.user_id and joined[-1].ends_at == shift.starts_at:
            joined[-1] = Shift(joined[-1].starts_at, shift.ends_at, shift.user_id)
        else:
            joined.append(shift)
    return joined


def timeline(
    rotation: Rotation, start: datetime, end: datetime, turns: Turns | None = None
) -> list[Shift]:
    """Who is on call from ``start`` to ``end``, overrides applied, equal turns merged.
    ``turns`` (from ``load_turns`` over at least the period) saves its two queries."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    turns = turns or load_turns([rotation], start, end)[rotation.pk]
    members, overrides = turns.member_ids, turns.overrides
    cuts = {start, end}
    moment = start
    while moment < end:
        shift = base_shift(rotation, members, moment)
        if shift is None:
            first = _local(rotation.starts_on, rotation.handoff_time, ZoneInfo(rotation.time_zone))
            moment = max(first, moment + timedelta(seconds=1))
        else:
            moment = shift.ends_at
        if moment < end:
            cuts.add(moment)
    for o in overrides:
        cuts.update(t for t in (o.starts_at, o.ends_at) if start < t < end)
    slices = []
    for begin, finish in pairwise(sorted(cuts)):
        shift = base_shift(rotation, members, begin)
        slices.append(
            Shift(begin, finish, _override(overrides, begin, shift.user_id if shift else None))
        )
    return merged(slices)


def turn_hours(rotation: Rotation) -> int:
    """The length of one turn, in hours (daylight-saving days aside)."""
    if rotation.kind in PERIOD_DAYS:
        return 24 * PERIOD_DAYS[RotationKind(rotation.kind)]
    return rotation.shift_hours


def look_ahead(rotation: Rotation, when: datetime) -> datetime:
    """How far ``now_and_next`` looks: far enough for the shift after the current one."""
    return (when + timedelta(hours=2 * turn_hours(rotation), days=1)).astimezone(UTC)


def now_and_next(
    rotation: Rotation, when: datetime, turns: Turns | None = None
) -> tuple[list[Shift], datetime]:
    """The shift holding ``when`` and the one after it (at most two), and how far the
    look-ahead went: a shift ending there may go on beyond it."""
    horizon = look_ahead(rotation, when)
    return timeline(rotation, when, horizon, turns)[:2], horizon


def covers(rotation: Rotation, user_id: int, start: datetime, end: datetime) -> bool:
    """Whether ``user_id`` is on call in the rotation for the whole period."""
    return all(s.user_id == user_id for s in timeline(rotation, start, end))


def timelines(
    rotations: Sequence[Rotation], start: datetime, end: datetime
) -> dict[int, list[Shift]]:
    """The ``timeline`` of every rotation from ``start`` to ``end``, in two queries."""
    turns = load_turns(rotations, start, end)
    return {
        rotation.pk: timeline(rotation, start, end, turns[rotation.pk]) for rotation in rotations
    }


def shifts_of(
    user_id: int, rotations: Sequence[Rotation], start: datetime, end: datetime
) -> list[tuple[Rotation, Shift]]:
    """``user_id``'s shifts in ``rotations`` from ``start`` to ``end``, soonest first."""
    every = timelines(rotations, start, end)
    found = [
        (rotation, shift)
        for rotation in rotations
        for shift in every[rotation.pk]
        if shift.user_id == user_id
    ]
    return sorted(found, key=lambda pair: pair[1].starts_at)


def on_call_spans(
    user_id: int, rotations: Sequence[Rotation], start: datetime, end: datetime
) -> list[Shift]:
    """When ``user_id`` is on call in any of ``rotations``: their shifts, with those that
    overlap or follow each other (in two rotations) joined."""
    spans: list[Shift] = []
    for _rotation, shift in shifts_of(user_id, rotations, start, end):
        if spans and shift.starts_at <= spans[-1].ends_at:
            last = spans[-1]
            spans[-1] = Shift(last.starts_at, max(last.ends_at, shift.ends_at), user_id)
        else:
            spans.append(shift)
    return spans


def _offset_changes(zone: ZoneInfo, day: date) -> list[datetime]:
    """The moment (UTC, to the minute) a zone changes its offset on a local day, if it does."""
    low = _local(day, time(0), zone)
    high = _local(day + timedelta(days=1), time(0), zone)
    before, after = low.astimezone(zone).utcoffset(), high.astimezone(zone).utcoffset()
    if before == after:
        return []
    while high - low > timedelta(minutes=1):
        middle = low + (high - low) // 2
        middle -= timedelta(seconds=middle.second, microseconds=middle.microsecond)
        if middle <= low:
            break
        if middle.astimezone(zone).utcoffset() == before:
            low = middle
        else:
            high = middle
    return [high]


def schedule_segments(
    schedule: Schedule, windows: Sequence[ScheduleWindow], start: datetime, end: datetime
) -> list[tuple[datetime, datetime, Rotation | None]]:
    """The schedule (with its ``windows``, from ``load_windows``) from ``start`` to
    ``end`` as (from, until, rotation) pieces; the rotation is None where no window
    applies."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    zone = ZoneInfo(schedule.time_zone)
    cuts = {start, end}
    day = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date() + timedelta(days=1)
    while day <= last:
        for window in windows:
            if day.weekday() not in window.weekdays:
                continue
            until_day = day if window.starts_at < window.ends_at else day + timedelta(days=1)
            for on, at in ((day, window.starts_at), (until_day, window.ends_at)):
                for fold in (0, 1):
                    moment = _local(on, at, zone, fold)
                    if start < moment < end:
                        cuts.add(moment)
        cuts.update(t for t in _offset_changes(zone, day) if start < t < end)
        day += timedelta(days=1)
    pieces: list[tuple[datetime, datetime, Rotation | None]] = []
    for begin, finish in pairwise(sorted(cuts)):
        rotation = _window_rotation(windows, begin.astimezone(zone))
        if pieces and pieces[-1][2] == rotation and pieces[-1][1] == begin:
            pieces[-1] = (pieces[-1][0], finish, rotation)
        else:
            pieces.append((begin, finish, rotation))
    return pieces


def _clip(shifts: Sequence[Shift], begin: datetime, finish: datetime) -> list[Shift]:
    return [
        Shift(max(s.starts_at, begin), min(s.ends_at, finish), s.user_id)
        for s in shifts
        if s.starts_at < finish and s.ends_at > begin
    ]


def schedule_timelines(
    schedules: Sequence[Schedule],
    start: datetime,
    end: datetime,
    rotation_timelines: Mapping[int, list[Shift]] | None = None,
) -> dict[int, list[Shift]]:
    """Who is on call through each schedule from ``start`` to ``end`` (nobody outside
    its windows): the windows of all in one query, then the timelines of the rotations
    they pick in two more, but for those in ``rotation_timelines`` (over the same
    period), from a caller that looks at rotations too."""
    known = rotation_timelines or {}
    windows = load_windows(schedules)
    needed = {
        w.rotation_id: w.rotation
        for held in windows.values()
        for w in held
        if w.rotation_id not in known
    }
    cache = {**known, **timelines(list(needed.values()), start, end)}
    found: dict[int, list[Shift]] = {}
    for schedule in schedules:
        slices: list[Shift] = []
        for begin, finish, rotation in schedule_segments(
            schedule, windows[schedule.pk], start, end
        ):
            if rotation is None:
                slices.append(Shift(begin, finish, None))
            else:
                slices.extend(_clip(cache[rotation.pk], begin, finish))
        found[schedule.pk] = merged(slices)
    return found


def schedule_timeline(schedule: Schedule, start: datetime, end: datetime) -> list[Shift]:
    """Who is on call through the schedule from ``start`` to ``end`` (nobody outside
    its windows)."""
    return schedule_timelines([schedule], start, end)[schedule.pk]


def in_quiet_hours(quiet: QuietHours | None, when: datetime) -> bool:
    if quiet is None:
        return False
    local = when.astimezone(ZoneInfo(quiet.time_zone))
    return _in_window(range(7), quiet.starts_at, quiet.ends_at, local)


def on_call_in(
    region_id: int, when: datetime, rotation_ids: Collection[int] | None = None
) -> dict[int, int | None]:
    """Who is on call at ``when`` in each of the region's rotations (or of those of
    ``rotation_ids`` that are the region's), in two queries: the rotations come with
    their members, then the overrides covering ``when``. A rotation with neither has
    nobody on call, and is left out; one with overrides only has whoever they put on
    call."""
    members = RotationMember.objects.filter(rotation__region_id=region_id)
    overrides = Override.objects.filter(
        rotation__region_id=region_id, starts_at__lte=when, ends_at__gt=when
    )
    if rotation_ids is not None:
        members = members.filter(rotation_id__in=rotation_ids)
        overrides = overrides.filter(rotation_id__in=rotation_ids)
    rotations: dict[int, Rotation] = {}
    turns: dict[int, Turns] = defaultdict(lambda: Turns([], []))
    for member in members.select_related("rotation").order_by("rotation_id", "position"):
        rotations[member.rotation_id] = member.rotation
        turns[member.rotation_id].member_ids.append(member.user_id)
    for override in overrides.order_by():  # ``_override`` puts them in order
        turns[override.rotation_id].overrides.append(override)
    return {
        pk: rotation_on_call(rotations[pk], when, turn)
        if pk in rotations
        else _override(turn.overrides, when, None)
        for pk, turn in turns.items()
    }


def on_call_now(region_id: int, when: datetime) -> set[int]:
    """Peers on call in any of the region's rotations at ``when`` (two queries)."""
    return {user_id for user_id in on_call_in(region_id, when).values() if user_id is not None}


def available(peer_ids: set[int], on_call: set[int], when: datetime) -> set[int]:
    """Of ``peer_ids``, who is on call (``on_call``) or said "available now", and is
    not on a break."""
    flagged = Availability.objects.filter(user_id__in=peer_ids, until__gt=when)
    found = (on_call & peer_ids) | set(flagged.values_list("user_id", flat=True))
    return found - breaks.unavailable(found, when)


def available_now(region_id: int, when: datetime) -> set[int]:
    """Peers who are on call or said "available now", and are not on a break, right
    now (three queries: the team's peers come with when their "available now" ends,
    and with their break)."""
    peers: dict[int, bool] = {}
    resting: set[int] = set()
    for pk, until, break_starts, break_ends in (
        User.objects.filter(
            is_active=True, memberships__region_id=region_id, memberships__role=Role.PEER
        )
        .order_by()
        .values_list(
            "pk", "availability__until", "break_from_paging__starts_at", "break_from_paging__until"
        )
    ):
        peers[pk] = until is not None and until > when
        if break_starts is not None and break_starts <= when < break_ends:
            resting.add(pk)
    flagged = {pk for pk, available in peers.items() if available}
    return ((on_call_now(region_id, when) & peers.keys()) | flagged) - resting


def on_call_until(user_id: int, region_ids: Iterable[int], when: datetime) -> datetime | None:
    """When ``user_id``'s time on call around ``when`` ends: the latest end of a shift
    they hold in the regions' rotations, or of their "available now"; None when they are
    not on call. A shift that goes on past the look-ahead is taken to end there."""
    rotations = list(Rotation.objects.filter(region_id__in=list(region_ids)))
    ends = list(
        Availability.objects.filter(user_id=user_id, until__gt=when).values_list("until", flat=True)
    )
    if rotations:
        turns = load_turns(rotations, when, max(look_ahead(r, when) for r in rotations))
        for rotation in rotations:
            shifts, _horizon = now_and_next(rotation, when, turns[rotation.pk])
            if shifts and shifts[0].user_id == user_id:
                ends.append(shifts[0].ends_at)
    return max(ends, default=None)
