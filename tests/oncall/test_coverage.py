"""On-call's own coverage warnings: rotations, schedules, and peers nobody can reach.
Warnings about escalation policies, and the page, are in tests/support/test_coverage.py."""

from __future__ import annotations

from datetime import UTC, datetime, time

from backline.accounts.models import User
from backline.notify.models import Channel, ContactMethod
from backline.oncall import coverage
from backline.oncall.coverage import CoverageWarning, Kind, Period, uncovered, weekly_uncovered
from backline.oncall.models import ScheduleWindow
from backline.oncall.resolve import Shift
from tests.harness import START
from tests.oncall import builders


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def kinds(warnings: list[CoverageWarning]) -> list[str]:
    return [w.kind for w in warnings]


def reachable(*people: User) -> None:
    for person in people:
        ContactMethod.objects.create(
            user=person, channel=Channel.EMAIL, value=person.email, verified_at=START
        )


def test_uncovered_joins_timelines_and_ignores_who_cannot_be_paged() -> None:
    start, end = utc(2026, 3, 2), utc(2026, 3, 3)
    one = [Shift(start, utc(2026, 3, 2, 6), 1), Shift(utc(2026, 3, 2, 6), end, None)]
    two = [Shift(start, utc(2026, 3, 2, 4), 2), Shift(utc(2026, 3, 2, 4), end, 3)]
    assert uncovered([one, two], start, end, {1, 2, 3}) == []
    assert uncovered([one, two], start, end, {1, 2}) == [Period(utc(2026, 3, 2, 6), end)]
    assert uncovered([one], start, end, set()) == [Period(start, end)]
    assert uncovered([], start, end, {1}) == [Period(start, end)]


def window(weekdays: list[int], starts_at: time, ends_at: time) -> ScheduleWindow:
    return ScheduleWindow(weekdays=weekdays, starts_at=starts_at, ends_at=ends_at)


def test_weekly_uncovered_hours() -> None:
    nights = window([0, 1, 2, 3, 4], time(18), time(8))
    spans = [
        (s.from_day, s.from_time, s.until_day, s.until_time) for s in weekly_uncovered([nights])
    ]
    assert spans == [
        (1, time(8), 1, time(18)),
        (2, time(8), 2, time(18)),
        (3, time(8), 3, time(18)),
        (4, time(8), 4, time(18)),
        (5, time(8), 0, time(18)),  # Saturday morning to Monday evening, over the week's turn
    ]
    days = window([0, 1, 2, 3, 4], time(8), time(18))
    weekend = window([5, 6], time(0), time(0))  # all day
    gaps = weekly_uncovered([nights, days, weekend])
    assert [(g.from_day, g.from_time, g.until_day, g.until_time) for g in gaps] == [
        (0, time(0), 0, time(8)),  # Sunday's all-day window ends at midnight
    ]
    assert gaps[0].minutes == 8 * 60
    assert weekly_uncovered([window(list(range(7)), time(0), time(0))]) == []


def test_a_well_staffed_team_has_no_warnings(team: builders.Peers) -> None:
    region = team.world.region
    primary = builders.rotation(region, [team.a, team.b])
    all_week = {"weekdays": list(range(7)), "starts_at": time(0), "ends_at": time(0)}
    builders.schedule(region, primary).windows.update(**all_week)
    reachable(team.a, team.b, team.c)
    assert coverage.region_warnings(region) == []


def test_warnings_about_rotations_schedules_and_peers(team: builders.Peers) -> None:
    region = team.world.region
    reachable(team.a)
    empty = builders.rotation(region, [], name="Empty")
    primary = builders.rotation(region, [team.a, team.b])
    schedule = builders.schedule(region, primary)  # weekday nights only
    builders.schedule(region, primary, name="Bare").windows.all().delete()
    team.b.is_active = False
    team.b.save()

    warnings = coverage.region_warnings(region)
    assert kinds(warnings) == [
        Kind.ROTATION_WITHOUT_MEMBERS,
        Kind.UNPAGEABLE_MEMBERS,
        Kind.SCHEDULE_WITHOUT_WINDOWS,
        Kind.SCHEDULE_UNCOVERED,
        Kind.NO_CONTACT_METHOD,
    ]
    by_kind = {w.kind: w for w in warnings}
    assert by_kind[Kind.ROTATION_WITHOUT_MEMBERS].subject == empty
    assert by_kind[Kind.UNPAGEABLE_MEMBERS].subject == primary
    assert by_kind[Kind.UNPAGEABLE_MEMBERS].people == (team.b,)
    uncovered_nights = by_kind[Kind.SCHEDULE_UNCOVERED]
    assert uncovered_nights.subject == schedule
    assert uncovered_nights.hours == 4 * 10 + 58  # Tuesday to Friday days; Sat 08 to Mon 18
    assert by_kind[Kind.NO_CONTACT_METHOD].people == (team.c,)  # B is no longer a peer


def test_an_unverified_or_disabled_contact_method_does_not_count(team: builders.Peers) -> None:
    region = team.world.region
    ContactMethod.objects.create(user=team.a, channel=Channel.EMAIL, value="a@x.test")
    ContactMethod.objects.create(
        user=team.b, channel=Channel.SMS, value="+15550100", verified_at=START, disabled=True
    )
    reachable(team.c)
    warning = next(w for w in coverage.region_warnings(region) if w.kind == Kind.NO_CONTACT_METHOD)
    assert set(warning.people) == {team.a, team.b}
