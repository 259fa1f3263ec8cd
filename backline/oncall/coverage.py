"""Coverage warnings about on-call alone, and the pieces policy warnings are made of.

Over a region's rotations, schedules and peers, coordinators are told about:

- rotations without members, and members who can no longer be paged (deactivated, or
  no longer a peer or coordinator of the region);
- schedules without windows, and the hours of the week their windows leave uncovered;
- peers without a usable (verified, enabled) contact method;
- members who are unavailable (on a break) some time over the next ``HORIZON``: that
  they are, and until when, never why.

What needs escalation policies (no team policy, steps that page nobody, periods when a
policy's rotations and schedules have nobody on call) is in ``support.coverage``, which
builds on ``uncovered`` here and shows every warning on one page.

Everything here reads models and returns values; nothing is changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum

from django.db.models import Exists, OuterRef, Prefetch

from backline.accounts.models import Region, User
from backline.lib import clock
from backline.notify.models import ContactMethod
from backline.oncall import breaks, people, resolve
from backline.oncall.models import WEEKDAYS, Rotation, RotationMember, Schedule, ScheduleWindow

HORIZON = timedelta(days=14)  # how far ahead the warnings look
MINUTES_A_DAY = 24 * 60
MINUTES_A_WEEK = 7 * MINUTES_A_DAY


class Kind(StrEnum):
    ROTATION_WITHOUT_MEMBERS = "rotation_without_members"
    UNPAGEABLE_MEMBERS = "unpageable_members"
    UNAVAILABLE_MEMBERS = "unavailable_members"
    SCHEDULE_WITHOUT_WINDOWS = "schedule_without_windows"
    SCHEDULE_UNCOVERED = "schedule_uncovered"
    NO_CONTACT_METHOD = "no_contact_method"


@dataclass(frozen=True)
class Period:
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class WeekSpan:
    """From a weekday and time to another (0 is Monday), in a schedule's local time."""

    from_day: int
    from_time: time
    until_day: int
    until_time: time
    minutes: int

    @property
    def from_day_name(self) -> str:
        return str(dict(WEEKDAYS)[self.from_day])

    @property
    def until_day_name(self) -> str:
        return str(dict(WEEKDAYS)[self.until_day])


@dataclass(frozen=True)
class CoverageWarning:
    kind: Kind
    region: Region
    subject: Rotation | Schedule | None = None
    spans: tuple[WeekSpan, ...] = ()
    people: tuple[User, ...] = ()

    @property
    def hours(self) -> float:
        """Hours a week that a schedule's windows leave uncovered."""
        return sum(s.minutes for s in self.spans) / 60


def _held(
    shift: resolve.Shift, away: Mapping[int, tuple[datetime, datetime]]
) -> Iterator[tuple[datetime, datetime]]:
    """The parts of a shift its person covers: all of it, but for their break."""
    begin, finish = shift.starts_at, shift.ends_at
    gone = away.get(shift.user_id) if shift.user_id is not None else None
    if gone is None:
        yield begin, finish
        return
    if begin < gone[0]:
        yield begin, min(finish, gone[0])
    if finish > gone[1]:
        yield max(begin, gone[1]), finish


def uncovered(
    timelines: Iterable[Sequence[resolve.Shift]],
    start: datetime,
    end: datetime,
    pageable: set[int],
    away: Mapping[int, tuple[datetime, datetime]] | None = None,
) -> list[Period]:
    """When, from ``start`` to ``end``, no timeline has a pageable person on call who
    is not on a break (``away``, from ``breaks.away``)."""
    covered = sorted(
        (max(begin, start), min(finish, end))
        for shifts in timelines
        for s in shifts
        if s.user_id in pageable
        for begin, finish in _held(s, away or {})
        if begin < end and finish > start
    )
    gaps: list[Period] = []
    cursor = start
    for begin, finish in covered:
        if begin > cursor:
            gaps.append(Period(cursor, begin))
        cursor = max(cursor, finish)
    if cursor < end:
        gaps.append(Period(cursor, end))
    return gaps


def _minute_of_week(day: int, at: time) -> int:
    return day * MINUTES_A_DAY + at.hour * 60 + at.minute


def weekly_uncovered(windows: Iterable[ScheduleWindow]) -> list[WeekSpan]:
    """The hours of the week (local) that no window holds; a gap over the turn of the
    week (Sunday night into Monday) is one span."""
    held: list[tuple[int, int]] = []
    for window in windows:
        length = (
            _minute_of_week(0, window.ends_at) - _minute_of_week(0, window.starts_at)
        ) % MINUTES_A_DAY or MINUTES_A_DAY  # not after its start: past midnight, or all day
        for day in set(window.weekdays):
            begin = _minute_of_week(int(day), window.starts_at)
            finish = begin + length
            held.append((begin, min(finish, MINUTES_A_WEEK)))
            if finish > MINUTES_A_WEEK:
                held.append((0, finish - MINUTES_A_WEEK))
    gaps: list[tuple[int, int]] = []
    cursor = 0
    for begin, finish in sorted(held):
        if begin > cursor:
            gaps.append((cursor, begin))
        cursor = max(cursor, finish)
    if cursor < MINUTES_A_WEEK:
        gaps.append((cursor, MINUTES_A_WEEK))
    if len(gaps) > 1 and gaps[0][0] == 0 and gaps[-1][1] == MINUTES_A_WEEK:
        first, last = gaps.pop(0), gaps.pop()
        gaps.append((last[0], MINUTES_A_WEEK + first[1]))
    return [_span(begin, finish) for begin, finish in gaps]


def _span(begin: int, finish: int) -> WeekSpan:
    def at(minute: int) -> tuple[int, time]:
        minute %= MINUTES_A_WEEK
        return minute // MINUTES_A_DAY, time(minute % MINUTES_A_DAY // 60, minute % 60)

    (from_day, from_time), (until_day, until_time) = at(begin), at(finish)
    return WeekSpan(from_day, from_time, until_day, until_time, finish - begin)


def region_warnings(
    region: Region,
    pageable: set[int] | None = None,
    away: Mapping[int, tuple[datetime, datetime]] | None = None,
) -> list[CoverageWarning]:
    """The region's rotations, then its schedules, then its peers nobody can reach.
    ``pageable`` is ``people.pageable(region.pk)``, and ``away`` the breaks of those
    people over the next ``HORIZON`` (``breaks.away``), for a caller that has them."""
    if pageable is None:
        pageable = people.pageable(region.pk)
    if away is None:
        now = clock.now()
        away = breaks.away(pageable, now, now + HORIZON)
    found: list[CoverageWarning] = []
    with_users = Prefetch("members", queryset=RotationMember.objects.select_related("user"))
    for rotation in Rotation.objects.filter(region=region).prefetch_related(with_users):
        members = list(rotation.members.all())
        if not members:
            found.append(CoverageWarning(Kind.ROTATION_WITHOUT_MEMBERS, region, rotation))
            continue
        unpageable = tuple(m.user for m in members if m.user_id not in pageable)
        if unpageable:
            found.append(
                CoverageWarning(Kind.UNPAGEABLE_MEMBERS, region, rotation, people=unpageable)
            )
        # that they are unavailable, and until when; never why
        resting = tuple(m.user for m in members if m.user_id in away)
        if resting:
            found.append(
                CoverageWarning(Kind.UNAVAILABLE_MEMBERS, region, rotation, people=resting)
            )
    schedules = list(Schedule.objects.filter(region=region))
    held = resolve.load_windows(schedules)
    for schedule in schedules:
        windows = held[schedule.pk]
        if not windows:
            found.append(CoverageWarning(Kind.SCHEDULE_WITHOUT_WINDOWS, region, schedule))
            continue
        spans = weekly_uncovered(windows)
        if spans:
            found.append(
                CoverageWarning(Kind.SCHEDULE_UNCOVERED, region, schedule, spans=tuple(spans))
            )
    usable = ContactMethod.objects.usable().filter(user=OuterRef("pk"))
    unreachable = tuple(people.peers([region.pk]).exclude(Exists(usable)))
    if unreachable:
        found.append(CoverageWarning(Kind.NO_CONTACT_METHOD, region, people=unreachable))
    return found
