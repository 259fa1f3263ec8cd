"""Who is on call when: rotations of each kind, daylight-saving hand-offs, overrides,
schedule windows past midnight, and timelines that agree with the moment-by-moment answer."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise

import pytest

from backline.accounts.models import User
from backline.oncall import resolve
from backline.oncall.models import Override, Rotation, RotationKind, ScheduleWindow
from tests.oncall import builders
from tests.oncall.builders import rotation


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def who(r: Rotation, when: datetime) -> int | None:
    return resolve.rotation_on_call(r, when)


def agrees_with_timeline(r: Rotation, start: datetime, end: datetime, step: timedelta) -> None:
    """``rotation_on_call`` and ``timeline`` give the same person at every sampled moment."""
    shifts = resolve.timeline(r, start, end)
    assert shifts[0].starts_at == start and shifts[-1].ends_at == end
    for earlier, later in pairwise(shifts):
        assert earlier.ends_at == later.starts_at  # no holes, no overlaps
        assert earlier.user_id != later.user_id  # equal turns are merged
    moment = start
    while moment < end:
        expected = next(s.user_id for s in shifts if s.starts_at <= moment < s.ends_at)
        assert who(r, moment) == expected, moment
        moment += step


def test_a_daily_rotation_hands_off_each_morning(team: builders.Peers) -> None:
    r = rotation(
        team.world.region,
        [team.a, team.b, team.c],
        kind=RotationKind.DAILY,
        starts_on=date(2026, 3, 2),
    )  # 08:00 in Los Angeles is 16:00 UTC before daylight saving
    assert who(r, utc(2026, 3, 2, 15, 59)) is None  # before the first shift
    assert who(r, utc(2026, 3, 2, 16)) == team.a.pk
    assert who(r, utc(2026, 3, 3, 15, 59)) == team.a.pk
    assert who(r, utc(2026, 3, 3, 16)) == team.b.pk
    assert who(r, utc(2026, 3, 4, 16)) == team.c.pk
    assert who(r, utc(2026, 3, 5, 16)) == team.a.pk


def test_a_weekly_rotation_hands_off_at_the_same_local_time_after_daylight_saving(
    team: builders.Peers,
) -> None:
    r = rotation(team.world.region, [team.a, team.b], starts_on=date(2026, 3, 2))
    assert who(r, utc(2026, 3, 9, 14, 59)) == team.a.pk
    assert who(r, utc(2026, 3, 9, 15)) == team.b.pk  # 08:00 PDT
    first = resolve.timeline(r, utc(2026, 3, 2, 16), utc(2026, 3, 16, 15))
    assert [(s.user_id, s.ends_at - s.starts_at) for s in first] == [
        (team.a.pk, timedelta(hours=167)),  # the week the clocks go forward
        (team.b.pk, timedelta(hours=168)),
    ]


def test_a_custom_rotation_counts_whole_hours_through_daylight_saving(team: builders.Peers) -> None:
    r = rotation(
        team.world.region,
        [team.a, team.b, team.c],
        kind=RotationKind.CUSTOM,
        shift_hours=12,
        starts_on=date(2026, 3, 2),
    )
    assert who(r, utc(2026, 3, 2, 16)) == team.a.pk
    assert who(r, utc(2026, 3, 3, 4)) == team.b.pk
    assert who(r, utc(2026, 3, 3, 16)) == team.c.pk
    # fourteen shifts later it is 09:00 local: custom shifts do not follow the clock change
    assert who(r, utc(2026, 3, 9, 16)) == team.c.pk
    assert who(r, utc(2026, 3, 9, 15, 59)) == team.b.pk
    agrees_with_timeline(r, utc(2026, 3, 2, 16), utc(2026, 3, 12), timedelta(minutes=30))


def test_a_daily_hand_off_in_chicago_across_spring_forward(team: builders.Peers) -> None:
    r = rotation(
        team.world.region,
        [team.a, team.b],
        kind=RotationKind.DAILY,
        time_zone="America/Chicago",
        starts_on=date(2026, 3, 6),
    )
    assert who(r, utc(2026, 3, 7, 14)) == team.b.pk  # 08:00 CST
    assert who(r, utc(2026, 3, 8, 12, 59)) == team.b.pk  # 07:59 CDT
    assert who(r, utc(2026, 3, 8, 13)) == team.a.pk  # 08:00 CDT
    shifts = resolve.timeline(r, utc(2026, 3, 7, 14), utc(2026, 3, 9, 13))
    assert [(s.user_id, s.starts_at, s.ends_at) for s in shifts] == [
        (team.b.pk, utc(2026, 3, 7, 14), utc(2026, 3, 8, 13)),  # a 23-hour shift
        (team.a.pk, utc(2026, 3, 8, 13), utc(2026, 3, 9, 13)),
    ]


def test_a_daily_hand_off_in_chicago_across_fall_back(team: builders.Peers) -> None:
    r = rotation(
        team.world.region,
        [team.a, team.b],
        kind=RotationKind.DAILY,
        time_zone="America/Chicago",
        starts_on=date(2026, 10, 30),
    )
    shifts = resolve.timeline(r, utc(2026, 10, 31, 13), utc(2026, 11, 2, 14))
    assert [(s.user_id, s.ends_at - s.starts_at) for s in shifts] == [
        (team.b.pk, timedelta(hours=25)),  # 08:00 CDT to 08:00 CST
        (team.a.pk, timedelta(hours=24)),
    ]
    assert who(r, utc(2026, 11, 1, 13, 30)) == team.b.pk  # 07:30 CST
    assert who(r, utc(2026, 11, 1, 14)) == team.a.pk


@pytest.mark.parametrize(
    ("handoff", "start", "end"),
    [
        (time(2, 30), utc(2026, 3, 7), utc(2026, 3, 10)),  # skipped on 8 March
        (time(1, 30), utc(2026, 10, 31), utc(2026, 11, 3)),  # happens twice on 1 November
    ],
)
def test_a_hand_off_the_clock_change_skips_or_repeats_stays_consistent(
    team: builders.Peers, handoff: time, start: datetime, end: datetime
) -> None:
    r = rotation(
        team.world.region,
        [team.a, team.b, team.c],
        kind=RotationKind.DAILY,
        time_zone="America/Chicago",
        starts_on=start.date() - timedelta(days=2),
        handoff=handoff,
    )
    agrees_with_timeline(r, start, end, timedelta(minutes=5))


def test_overrides_apply_oldest_first_and_follow_swaps_of_swaps(team: builders.Peers) -> None:
    r = rotation(team.world.region, [team.a, team.b], starts_on=date(2026, 2, 23))
    # week of 2 March 08:00 PST: B's turn (A had the week before)
    moment = utc(2026, 3, 3, 12)
    assert who(r, moment) == team.b.pk

    def cover(covered_by: User, replaces: User | None = None, minutes: int = 0) -> Override:
        return Override.objects.create(
            rotation=r,
            starts_at=utc(2026, 3, 3),
            ends_at=utc(2026, 3, 4),
            covered_by=covered_by,
            replaces=replaces,
            created_at=utc(2026, 3, 1) + timedelta(minutes=minutes),
        )

    cover(team.c, replaces=team.a)  # A is not on call then: it does not apply
    assert who(r, moment) == team.b.pk
    swap = cover(team.a, replaces=team.b, minutes=1)
    assert who(r, moment) == team.a.pk
    cover(team.c, replaces=team.a, minutes=2)  # A passes the swapped shift on to C
    assert who(r, moment) == team.c.pk
    assert who(r, utc(2026, 3, 4, 12)) == team.b.pk  # after the overrides: B again
    swap.delete()
    assert who(r, moment) == team.b.pk  # the swap of the swap no longer applies either
    cover(team.a, minutes=3)  # without "replaces": whoever is on call
    assert who(r, moment) == team.a.pk
    agrees_with_timeline(r, utc(2026, 3, 2), utc(2026, 3, 6), timedelta(minutes=30))


def test_the_newest_override_wins(team: builders.Peers) -> None:
    r = rotation(team.world.region, [team.a], starts_on=date(2026, 2, 23))
    for minutes, person in ((0, team.b), (1, team.c)):
        Override.objects.create(
            rotation=r,
            starts_at=utc(2026, 3, 3),
            ends_at=utc(2026, 3, 4),
            covered_by=person,
            replaces=team.a,
            created_at=utc(2026, 3, 1) + timedelta(minutes=minutes),
        )
    assert who(r, utc(2026, 3, 3, 12)) == team.c.pk


def test_a_timeline_merges_equal_turns_and_splits_around_overrides(team: builders.Peers) -> None:
    r = rotation(team.world.region, [team.a], kind=RotationKind.DAILY, starts_on=date(2026, 2, 1))
    start, end = utc(2026, 3, 2), utc(2026, 3, 5)
    assert resolve.timeline(r, start, end) == [resolve.Shift(start, end, team.a.pk)]
    Override.objects.create(
        rotation=r, starts_at=utc(2026, 3, 3), ends_at=utc(2026, 3, 3, 6), covered_by=team.a
    )
    assert len(resolve.timeline(r, start, end)) == 1  # covering oneself changes nothing
    Override.objects.create(
        rotation=r, starts_at=utc(2026, 3, 3, 6), ends_at=utc(2026, 3, 3, 9), covered_by=team.b
    )
    assert [(s.user_id, s.starts_at, s.ends_at) for s in resolve.timeline(r, start, end)] == [
        (team.a.pk, start, utc(2026, 3, 3, 6)),
        (team.b.pk, utc(2026, 3, 3, 6), utc(2026, 3, 3, 9)),
        (team.a.pk, utc(2026, 3, 3, 9), end),
    ]


def test_a_timeline_before_the_first_shift_has_nobody(team: builders.Peers) -> None:
    r = rotation(team.world.region, [team.a], kind=RotationKind.DAILY, starts_on=date(2026, 3, 4))
    shifts = resolve.timeline(r, utc(2026, 3, 2), utc(2026, 3, 6))
    assert [(s.user_id, s.starts_at) for s in shifts] == [
        (None, utc(2026, 3, 2)),
        (team.a.pk, utc(2026, 3, 4, 16)),
    ]


def test_now_and_next(team: builders.Peers) -> None:
    r = rotation(team.world.region, [team.a, team.b], kind=RotationKind.DAILY)
    shifts, horizon = resolve.now_and_next(r, utc(2026, 3, 2, 15))
    assert [s.user_id for s in shifts] == [team.a.pk, team.b.pk]
    assert shifts[0].starts_at == utc(2026, 3, 2, 15) and shifts[0].ends_at == utc(2026, 3, 2, 16)
    assert horizon > shifts[1].ends_at


def test_schedule_windows_run_past_midnight(team: builders.Peers) -> None:
    region = team.world.region
    evenings = rotation(region, [team.a], name="Evenings", starts_on=date(2026, 2, 1))
    weekends = rotation(region, [team.b], name="Weekends", starts_on=date(2026, 2, 1))
    schedule = builders.schedule(region, evenings)  # Monday to Friday, 18:00 to 08:00
    ScheduleWindow.objects.create(
        schedule=schedule,
        rotation=weekends,
        weekdays=[5, 6],
        starts_at=time(0),
        ends_at=time(0),  # all day
        order=1,
    )
    # Friday 6 March, Los Angeles (PST, UTC-8); Monday 9 March is already PDT (UTC-7)
    assert resolve.schedule_on_call(schedule, utc(2026, 3, 6, 20)) is None  # Friday noon
    assert resolve.schedule_on_call(schedule, utc(2026, 3, 7, 7)) == team.a.pk  # Fri 23:00
    assert resolve.schedule_on_call(schedule, utc(2026, 3, 7, 11)) == team.a.pk  # Sat 03:00
    assert resolve.schedule_on_call(schedule, utc(2026, 3, 7, 18)) == team.b.pk  # Sat 10:00
    assert resolve.schedule_on_call(schedule, utc(2026, 3, 9, 10)) is None  # Mon 03:00
    start, end = utc(2026, 3, 6, 20), utc(2026, 3, 9, 19)
    shifts = resolve.schedule_timeline(schedule, start, end)
    assert [(s.user_id, s.starts_at, s.ends_at) for s in shifts] == [
        (None, start, utc(2026, 3, 7, 2)),
        (team.a.pk, utc(2026, 3, 7, 2), utc(2026, 3, 7, 16)),
        (team.b.pk, utc(2026, 3, 7, 16), utc(2026, 3, 9, 7)),  # through the clock change
        (None, utc(2026, 3, 9, 7), end),
    ]
    moment = start
    while moment < end:
        expected = next(s.user_id for s in shifts if s.starts_at <= moment < s.ends_at)
        assert resolve.schedule_on_call(schedule, moment) == expected, moment
        moment += timedelta(minutes=20)


def test_a_schedule_window_starting_in_the_skipped_hour(team: builders.Peers) -> None:
    r = rotation(team.world.region, [team.a], starts_on=date(2026, 2, 1), time_zone="UTC")
    schedule = builders.schedule(team.world.region, r)
    schedule.time_zone = "America/Chicago"
    schedule.save()
    schedule.windows.update(weekdays=[6], starts_at=time(2, 30), ends_at=time(5))  # Sunday
    start, end = utc(2026, 3, 8, 6), utc(2026, 3, 8, 12)
    shifts = resolve.schedule_timeline(schedule, start, end)
    moment = start
    while moment < end:
        expected = next(s.user_id for s in shifts if s.starts_at <= moment < s.ends_at)
        assert resolve.schedule_on_call(schedule, moment) == expected, moment
        moment += timedelta(minutes=1)
    # 02:30 does not exist that night: the window opens when the clock jumps to 03:00
    assert [(s.user_id, s.starts_at) for s in shifts] == [
        (None, start),
        (team.a.pk, utc(2026, 3, 8, 8)),
        (None, utc(2026, 3, 8, 10)),
    ]


def test_quiet_hours_run_past_midnight(team: builders.Peers) -> None:
    from backline.oncall.models import QuietHours

    quiet = QuietHours(
        user=team.a, starts_at=time(22), ends_at=time(7), time_zone="America/Los_Angeles"
    )
    assert resolve.in_quiet_hours(quiet, utc(2026, 3, 3, 7))  # 23:00 PST
    assert resolve.in_quiet_hours(quiet, utc(2026, 3, 3, 14, 59))  # 06:59
    assert not resolve.in_quiet_hours(quiet, utc(2026, 3, 3, 15))  # 07:00
    assert not resolve.in_quiet_hours(None, utc(2026, 3, 3, 7))
