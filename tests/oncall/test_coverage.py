"""Coordinators are warned about gaps in coverage and peers nobody can reach."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from django.urls import reverse

from backline.notify.models import Channel, ContactMethod
from backline.oncall import coverage
from backline.oncall.coverage import Kind, Period, uncovered, weekly_uncovered
from backline.oncall.models import Override, ScheduleWindow
from backline.oncall.resolve import Shift
from backline.support.models import EscalationStep, StepTarget, TargetKind
from tests.oncall import builders
from tests.oncall.conftest import NOW


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def kinds(warnings) -> list[str]:
    return [w.kind for w in warnings]


def reachable(*people) -> None:
    for person in people:
        ContactMethod.objects.create(
            user=person, channel=Channel.EMAIL, value=person.email, verified_at=NOW
        )


def test_uncovered_joins_timelines_and_ignores_who_cannot_be_paged():
    start, end = utc(2026, 3, 2), utc(2026, 3, 3)
    one = [Shift(start, utc(2026, 3, 2, 6), 1), Shift(utc(2026, 3, 2, 6), end, None)]
    two = [Shift(start, utc(2026, 3, 2, 4), 2), Shift(utc(2026, 3, 2, 4), end, 3)]
    assert uncovered([one, two], start, end, {1, 2, 3}) == []
    assert uncovered([one, two], start, end, {1, 2}) == [Period(utc(2026, 3, 2, 6), end)]
    assert uncovered([one], start, end, set()) == [Period(start, end)]
    assert uncovered([], start, end, {1}) == [Period(start, end)]


def window(weekdays, starts_at, ends_at) -> ScheduleWindow:
    return ScheduleWindow(weekdays=weekdays, starts_at=starts_at, ends_at=ends_at)


def test_weekly_uncovered_hours():
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


def test_a_well_covered_team_has_no_warnings(team):
    region = team.world.region
    primary = builders.rotation(region, [team.a, team.b])
    builders.policy(region, primary)
    reachable(team.a, team.b, team.c)
    assert coverage.region_warnings(region, NOW) == []


def test_warnings_for_a_team_with_holes(team):
    region = team.world.region
    reachable(team.a)
    empty = builders.rotation(region, [], name="Empty")
    nights = builders.rotation(region, [team.a], name="Nights source", starts_on=NOW.date())
    schedule = builders.schedule(region, nights)  # weekday nights only
    builders.schedule(region, nights, name="Bare").windows.all().delete()
    policy = builders.policy(region, empty, default=False)
    StepTarget.objects.create(step=policy.steps.get(), kind=TargetKind.SCHEDULE, schedule=schedule)
    EscalationStep.objects.create(policy=policy, order=1, delay_minutes=5)  # pages nobody

    warnings = coverage.region_warnings(region, NOW)
    assert kinds(warnings) == [
        Kind.NO_DEFAULT_POLICY,
        Kind.EMPTY_STEP,
        Kind.POLICY_GAP,
        Kind.ROTATION_WITHOUT_MEMBERS,
        Kind.SCHEDULE_WITHOUT_WINDOWS,
        Kind.SCHEDULE_UNCOVERED,
        Kind.NO_CONTACT_METHOD,
    ]
    by_kind = {w.kind: w for w in warnings}
    assert by_kind[Kind.EMPTY_STEP].step == 2
    gap = by_kind[Kind.POLICY_GAP]
    assert gap.subject == policy
    # nobody until the rotation starts (08:00 PST), then weekday nights only
    assert gap.periods[0] == Period(NOW, utc(2026, 3, 3, 2))  # until Monday 18:00 PST
    assert gap.periods[1].starts_at == utc(2026, 3, 3, 16)  # Tuesday 08:00 PST
    assert gap.periods[-1].ends_at == NOW + coverage.HORIZON
    assert by_kind[Kind.ROTATION_WITHOUT_MEMBERS].subject == empty
    assert by_kind[Kind.SCHEDULE_UNCOVERED].subject == schedule
    assert set(by_kind[Kind.NO_CONTACT_METHOD].people) == {team.b, team.c}


def test_an_override_fills_a_gap(team):
    region = team.world.region
    reachable(team.a, team.b, team.c)
    primary = builders.rotation(region, [team.a], starts_on=NOW.date() + timedelta(days=1))
    builders.policy(region, primary)
    first = primary.starts_on
    gaps = coverage.region_warnings(region, NOW)
    assert kinds(gaps) == [Kind.POLICY_GAP]
    assert gaps[0].periods == (Period(NOW, utc(first.year, first.month, first.day, 16)),)
    Override.objects.create(
        rotation=primary, starts_at=NOW, ends_at=NOW + timedelta(days=2), covered_by=team.b
    )
    assert coverage.region_warnings(region, NOW) == []


def test_members_who_can_no_longer_be_paged(team):
    region = team.world.region
    reachable(team.a, team.b, team.c)
    primary = builders.rotation(region, [team.a, team.b])
    builders.policy(region, primary)
    team.b.is_active = False
    team.b.save()
    warnings = coverage.region_warnings(region, NOW)
    assert Kind.UNPAGEABLE_MEMBERS in kinds(warnings)
    unpageable = next(w for w in warnings if w.kind == Kind.UNPAGEABLE_MEMBERS)
    assert unpageable.people == (team.b,)
    assert Kind.POLICY_GAP in kinds(warnings)  # B's weeks page nobody


def test_an_unverified_or_disabled_contact_method_does_not_count(team):
    region = team.world.region
    ContactMethod.objects.create(user=team.a, channel=Channel.EMAIL, value="a@x.test")
    ContactMethod.objects.create(
        user=team.b, channel=Channel.SMS, value="+15550100", verified_at=NOW, disabled=True
    )
    reachable(team.c)
    warning = next(
        w for w in coverage.region_warnings(region, NOW) if w.kind == Kind.NO_CONTACT_METHOD
    )
    assert set(warning.people) == {team.a, team.b}


def test_a_policy_without_steps(team):
    region = team.world.region
    reachable(team.a, team.b, team.c)
    builders.policy(region).steps.all().delete()
    assert kinds(coverage.region_warnings(region, NOW)) == [Kind.POLICY_WITHOUT_STEPS]


def test_the_coverage_page_and_its_summary(team, client_of):
    region = team.world.region
    builders.rotation(region, [], name="Empty")
    coordinator = client_of(team.world.coordinator)
    page = coordinator.get(reverse("oncall:coverage")).content.decode()
    assert "No escalation policy is the team's policy" in page
    assert "Empty has no members" in page
    assert "3 peers have no verified way to be reached" in page
    assert "Pat Peer" in page
    home = coordinator.get(reverse("oncall:home"))
    assert home.context["warning_count"] == 3
    assert reverse("oncall:coverage") in home.content.decode()
    # a peer gets no warnings; an outsider sees only their own region
    assert "warning_count" not in client_of(team.a).get(reverse("oncall:home")).context
    outsider = client_of(team.world.outsider).get(reverse("oncall:coverage"))
    assert "Empty has no members" not in outsider.content.decode()
