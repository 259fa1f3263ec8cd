"""When a plan's check-ins fall: the colleague's local time, on both sides of the clocks
changing, and the calendar's uneven months."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from backline.checkins.recurrence import Frequency, Rule

LOS_ANGELES = ZoneInfo("America/Los_Angeles")


def _all(rule: Rule) -> list[datetime]:
    found, index = [], 0
    while (at := rule.occurrence(index)) is not None:
        found.append(at)
        index += 1
    return found


def test_a_weekly_check_in_stays_at_nine_across_the_march_and_november_changes() -> None:
    rule = Rule(Frequency.WEEKLY, date(2026, 3, 2), time(9), "America/Los_Angeles",
                date(2026, 11, 9))  # fmt: skip
    weekly = _all(rule)
    assert len(weekly) == 37  # every Monday from March 2 to November 9
    assert {at.astimezone(LOS_ANGELES).time() for at in weekly} == {time(9)}
    assert {at.astimezone(LOS_ANGELES).weekday() for at in weekly} == {0}
    # Pacific standard time (UTC-8), then daylight time (UTC-7) from March 8, then
    # standard time again from November 1
    assert weekly[0] == datetime(2026, 3, 2, 17, tzinfo=UTC)
    assert weekly[1] == datetime(2026, 3, 9, 16, tzinfo=UTC)
    assert weekly[-3] == datetime(2026, 10, 26, 16, tzinfo=UTC)
    assert weekly[-2] == datetime(2026, 11, 2, 17, tzinfo=UTC)
    assert weekly[-1] == datetime(2026, 11, 9, 17, tzinfo=UTC)


def test_every_two_weeks_and_its_end() -> None:
    rule = Rule(Frequency.FORTNIGHTLY, date(2026, 3, 2), time(9), "America/Chicago",
                date(2026, 3, 30))  # fmt: skip
    assert [at.date() for at in _all(rule)] == [
        date(2026, 3, 2), date(2026, 3, 16), date(2026, 3, 30)
    ]  # fmt: skip


def test_monthly_on_the_31st_falls_on_the_last_day_of_shorter_months() -> None:
    rule = Rule(Frequency.MONTHLY, date(2026, 1, 31), time(8), "UTC", date(2026, 5, 31))
    assert [at.date() for at in _all(rule)] == [
        date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30),
        date(2026, 5, 31),
    ]  # fmt: skip


def test_a_one_off_check_in_happens_once() -> None:
    rule = Rule(Frequency.ONCE, date(2026, 3, 4), time(14, 30), "America/New_York")
    assert _all(rule) == [datetime(2026, 3, 4, 19, 30, tzinfo=UTC)]


def test_a_time_the_clocks_skip_falls_an_hour_later_and_a_doubled_one_is_the_first() -> None:
    skipped = Rule(Frequency.ONCE, date(2026, 3, 8), time(2, 30), "America/New_York")
    assert skipped.occurrence(0) == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)  # 3:30 EDT
    doubled = Rule(Frequency.ONCE, date(2026, 11, 1), time(1, 30), "America/New_York")
    assert doubled.occurrence(0) == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 1:30 EDT


def test_first_after_skips_what_has_passed() -> None:
    rule = Rule(Frequency.WEEKLY, date(2026, 3, 2), time(9), "America/Los_Angeles",
                date(2026, 3, 23))  # fmt: skip
    assert rule.first_after(datetime(2026, 3, 2, 17, tzinfo=UTC)) == (
        1, datetime(2026, 3, 9, 16, tzinfo=UTC)
    )  # fmt: skip
    assert rule.first_after(datetime(2026, 3, 23, 16, tzinfo=UTC)) is None
