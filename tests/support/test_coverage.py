"""Coordinators are warned about escalation policies that would page nobody, then about
on-call's own gaps (tests/oncall/test_coverage.py), on one page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from backline.accounts.models import User
from backline.notify.models import Channel, ContactMethod
from backline.oncall.coverage import CoverageWarning, Kind, Period
from backline.oncall.models import Override
from backline.support import coverage
from backline.support.coverage import HORIZON, PolicyKind, PolicyWarning, RegionWarning
from backline.support.models import EscalationStep, StepTarget, TargetKind
from tests import harness
from tests.harness import START, ClientOf
from tests.oncall import builders
from tests.personas import World


@pytest.fixture
def team(world: World, moment: harness.Clock) -> builders.Peers:
    """The on-call tests' team (no policy, nobody reachable yet), in place of the
    support tests' ready-made one."""
    return builders.peers(world)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def kinds(warnings: list[RegionWarning]) -> list[str]:
    return [w.kind for w in warnings]


def reachable(*people: User) -> None:
    for person in people:
        ContactMethod.objects.create(
            user=person, channel=Channel.EMAIL, value=person.email, verified_at=START
        )


def test_a_well_covered_team_has_no_warnings(team: builders.Peers) -> None:
    region = team.world.region
    primary = builders.rotation(region, [team.a, team.b])
    builders.policy(region, primary)
    reachable(team.a, team.b, team.c)
    assert coverage.region_warnings(region, START) == []


def test_warnings_for_a_team_with_holes(team: builders.Peers) -> None:
    region = team.world.region
    reachable(team.a)
    empty = builders.rotation(region, [], name="Empty")
    nights = builders.rotation(region, [team.a], name="Nights source", starts_on=START.date())
    schedule = builders.schedule(region, nights)  # weekday nights only
    builders.schedule(region, nights, name="Bare").windows.all().delete()
    policy = builders.policy(region, empty, default=False)
    StepTarget.objects.create(step=policy.steps.get(), kind=TargetKind.SCHEDULE, schedule=schedule)
    EscalationStep.objects.create(policy=policy, order=1, delay_minutes=5)  # pages nobody

    warnings = coverage.region_warnings(region, START)
    assert kinds(warnings) == [
        PolicyKind.NO_DEFAULT_POLICY,
        PolicyKind.EMPTY_STEP,
        PolicyKind.POLICY_GAP,
        Kind.ROTATION_WITHOUT_MEMBERS,
        Kind.SCHEDULE_WITHOUT_WINDOWS,
        Kind.SCHEDULE_UNCOVERED,
        Kind.NO_CONTACT_METHOD,
    ]
    by_kind = {w.kind: w for w in warnings if isinstance(w, PolicyWarning)}
    on_call = {w.kind: w for w in warnings if isinstance(w, CoverageWarning)}
    assert by_kind[PolicyKind.EMPTY_STEP].step == 2
    gap = by_kind[PolicyKind.POLICY_GAP]
    assert gap.policy == policy
    # nobody until the rotation starts (08:00 PST), then weekday nights only
    assert gap.periods[0] == Period(START, utc(2026, 3, 3, 2))  # until Monday 18:00 PST
    assert gap.periods[1].starts_at == utc(2026, 3, 3, 16)  # Tuesday 08:00 PST
    assert gap.periods[-1].ends_at == START + HORIZON
    assert on_call[Kind.ROTATION_WITHOUT_MEMBERS].subject == empty
    assert on_call[Kind.SCHEDULE_UNCOVERED].subject == schedule
    assert set(on_call[Kind.NO_CONTACT_METHOD].people) == {team.b, team.c}


def test_an_override_fills_a_gap(team: builders.Peers) -> None:
    region = team.world.region
    reachable(team.a, team.b, team.c)
    primary = builders.rotation(region, [team.a], starts_on=START.date() + timedelta(days=1))
    builders.policy(region, primary)
    first = primary.starts_on
    gaps = coverage.region_warnings(region, START)
    assert kinds(gaps) == [PolicyKind.POLICY_GAP]
    assert isinstance(gaps[0], PolicyWarning)
    assert gaps[0].periods == (Period(START, utc(first.year, first.month, first.day, 16)),)
    Override.objects.create(
        rotation=primary, starts_at=START, ends_at=START + timedelta(days=2), covered_by=team.b
    )
    assert coverage.region_warnings(region, START) == []


def test_members_who_can_no_longer_be_paged(team: builders.Peers) -> None:
    region = team.world.region
    reachable(team.a, team.b, team.c)
    primary = builders.rotation(region, [team.a, team.b])
    builders.policy(region, primary)
    team.b.is_active = False
    team.b.save()
    warnings = coverage.region_warnings(region, START)
    assert kinds(warnings) == [PolicyKind.POLICY_GAP, Kind.UNPAGEABLE_MEMBERS]  # B's weeks
    assert isinstance(warnings[1], CoverageWarning)
    assert warnings[1].people == (team.b,)


def test_a_policy_without_steps(team: builders.Peers) -> None:
    region = team.world.region
    reachable(team.a, team.b, team.c)
    builders.policy(region).steps.all().delete()
    assert kinds(coverage.region_warnings(region, START)) == [PolicyKind.POLICY_WITHOUT_STEPS]


def test_the_coverage_page_and_its_summary(team: builders.Peers, client_of: ClientOf) -> None:
    region = team.world.region
    builders.rotation(region, [], name="Empty")
    coordinator = client_of(team.world.coordinator)
    url = reverse("policies:coverage")
    assert url == "/policies/coverage/"
    response = coordinator.get(url)
    page = response.content.decode()
    assert "No escalation policy is the team's policy" in page
    assert "Empty has no members" in page
    assert "3 peers have no verified way to be reached" in page
    assert "Pat Peer" in page
    assert f'href="{url}" aria-current="page"' in page  # the on-call tab "Coverage"
    assert f'href="{reverse("policies:list")}" aria-current' not in page
    # the main home page counts the warnings and links here; so does the on-call menu
    home = coordinator.get(reverse("home"))
    assert home.context["regions"][0]["coverage_warnings"] == 3
    assert url in home.content.decode()
    assert url in coordinator.get(reverse("oncall:home")).content.decode()
    # a peer gets no link; an outsider sees only their own region
    assert url not in client_of(team.a).get(reverse("oncall:home")).content.decode()
    outsider = client_of(team.world.outsider).get(url)
    assert "Empty has no members" not in outsider.content.decode()
