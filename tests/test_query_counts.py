"""How many database queries the main pages make: as many for a large team as for a
small one, and the hot paths within their budgets.

Two teams are built side by side, alike in everything but their size: a small one and
one with more peers, coordinators, telecommunicators, requests, rotation members,
overrides, invitations and messages. Each page is asked once by a person of each team
(after a first request that warms sessions and caches) and must make the same number
of queries for both: a page whose queries grow with the team would slow down as the
team does, and a loop of queries hides there.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from backline.accounts import grants
from backline.accounts.models import Agency, Invitation, Membership, Region, User
from backline.accounts.roles import Role
from backline.lib import clock, tokens
from backline.notify.models import Channel, ContactMethod, NotificationRule
from backline.oncall import ics, resolve, sessions
from backline.oncall.models import (
    Availability,
    Break,
    Override,
    QuietHours,
    Rotation,
    RotationKind,
    RotationMember,
    Schedule,
    ScheduleWindow,
    ShiftOffer,
)
from backline.privacy.models import AuditEntry
from backline.support import coordinate, escalation, lifecycle
from backline.support.models import (
    EscalationPolicy,
    EscalationStep,
    Exclusion,
    StepTarget,
    SupportRequest,
    TargetKind,
)
from tests import asking
from tests.personas import World, enrol_totp, make_person
from tests.test_trusted_device import sign_in

# a Monday afternoon in Washington (07:00 in Los Angeles): everyone is awake
NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
SMALL, LARGE = 1, 5
REACH_OUT_BUDGET = 7
TELECOMMUNICATOR_HOME_BUDGET = 7


@dataclass
class Team:
    """One team: its people by role, and the requests each main page shows."""

    region: Region
    agency: Agency
    telecommunicator: User  # has a request open, and excludes a colleague
    caller: User  # a telecommunicator with no request: reaches out
    peer: User  # paged for every waiting request, took some, is on call
    coordinator: User
    administrator: User
    rotation: Rotation
    schedule: Schedule
    policy: EscalationPolicy
    own: SupportRequest  # the telecommunicator's
    waiting: SupportRequest  # paged to the peer, open
    taken: SupportRequest  # taken by the peer
    follow_token: str  # of an anonymous request


def _person(slug: str, name: str, agency: Agency, *roles: Role) -> User:
    person = make_person(f"{name}@{slug}.test", name.title(), agency, *roles)
    if {Role.PEER, Role.COORDINATOR, Role.ADMINISTRATOR} & set(roles):
        enrol_totp(person)
    return person


def _reach(person: User, region: Region, anonymous: bool = False) -> tuple[SupportRequest, str]:
    ask = escalation.Ask(urgency="now", contact="call", callback_number="+13195550142")
    if anonymous:
        ask = escalation.Ask(urgency="now", contact="in_person", place="Break room", anonymous=True)
    made, token = asking.reach_out(person, region, ask)
    return made, token or ""


def build_team(slug: str, size: int) -> Team:
    """A team whose every list holds ``size`` or so entries (at least one of each)."""
    now = clock.now()
    region = Region.objects.create(name=f"{slug.title()} Peer Team", slug=slug)
    agency, other = (
        Agency.objects.create(
            region=region, name=f"{slug.title()} {n}", state="IA", time_zone="America/Chicago"
        )
        for n in ("911", "ECC")
    )
    peer = _person(slug, "peer", agency, Role.TELECOMMUNICATOR, Role.PEER)
    coordinator = _person(slug, "coordinator", agency, Role.COORDINATOR)
    administrator = _person(slug, "administrator", agency, Role.ADMINISTRATOR)
    peers = [peer] + [
        _person(slug, f"peer{n}", other if n % 2 else agency, Role.TELECOMMUNICATOR, Role.PEER)
        for n in range(size)
    ]
    for n in range(size):
        _person(slug, f"coordinator{n}", other, Role.COORDINATOR)
    for n, person in enumerate(peers):
        method = ContactMethod.objects.create(
            user=person, channel=Channel.EMAIL, value=f"{n}@{slug}.mail", verified_at=now
        )
        ContactMethod.objects.create(
            user=person, channel=Channel.SMS, value=f"+1319555{n:04d}", verified_at=now
        )
        if n % 2:
            NotificationRule.objects.create(user=person, contact_method=method, delay_minutes=0)
        Availability.objects.create(user=person, until=now + timedelta(hours=8))
        if n:
            QuietHours.objects.create(
                user=person, starts_at=time(23), ends_at=time(6), time_zone="America/Chicago"
            )
        if n and n % 2 == 0:  # some peers take a break from tomorrow (all are paged now)
            tomorrow = now + timedelta(days=1)
            Break.objects.create(
                user=person, starts_at=tomorrow, until=tomorrow + timedelta(days=n)
            )
    rotation = Rotation.objects.create(
        region=region,
        name="Primary",
        kind=RotationKind.WEEKLY,
        time_zone="America/Chicago",
        starts_on=date(2026, 1, 5),
        handoff_time=time(8),
    )
    for position, person in enumerate(peers):
        RotationMember.objects.create(rotation=rotation, user=person, position=position)
    # more rotations, each with another peer on call now, and a schedule of each
    rotations = [rotation] + [
        Rotation.objects.create(
            region=region,
            name=f"Backup {n}",
            kind=RotationKind.DAILY,
            time_zone="America/Chicago",
            starts_on=date(2026, 3, 2),
            handoff_time=time(8),
        )
        for n in range(size - 1)
    ]
    for n, more in enumerate(rotations[1:], start=1):
        RotationMember.objects.create(rotation=more, user=peers[n], position=0)
    schedules = [
        Schedule.objects.create(region=region, name=f"Nights {n}", time_zone="America/Chicago")
        for n in range(size)
    ]
    for used, schedule in zip(rotations, schedules, strict=True):
        ScheduleWindow.objects.create(
            schedule=schedule,
            rotation=used,
            weekdays=[0, 1, 2, 3, 4],
            starts_at=time(18),
            ends_at=time(8),
        )
    for n, person in enumerate(peers[1:]):
        starts = now + timedelta(days=n + 1)
        Override.objects.create(
            rotation=rotation,
            starts_at=starts,
            ends_at=starts + timedelta(hours=4),
            covered_by=person,
            created_by=coordinator,
        )
        ShiftOffer.objects.create(
            rotation=rotation,
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            offered_by=person,
        )
    # a policy that pages through every rotation and schedule (for the coverage warnings)
    nights = EscalationPolicy.objects.create(region=region, name="Nights")
    step = EscalationStep.objects.create(policy=nights, order=0, delay_minutes=5)
    for used, schedule in zip(rotations, schedules, strict=True):
        StepTarget.objects.create(step=step, kind=TargetKind.ROTATION, rotation=used)
        StepTarget.objects.create(step=step, kind=TargetKind.SCHEDULE, schedule=schedule)
    # every available peer at once, then the rotation's on-call peer, then the coordinators
    policy = EscalationPolicy.objects.create(region=region, name="Standard", is_default=True)
    for order, kind in enumerate(
        [TargetKind.ALL_AVAILABLE, TargetKind.ROTATION, TargetKind.COORDINATOR]
    ):
        step = EscalationStep.objects.create(policy=policy, order=order, delay_minutes=5)
        paged = rotation if kind == TargetKind.ROTATION else None
        StepTarget.objects.create(step=step, kind=kind, rotation=paged)

    telecommunicator = _person(slug, "telecommunicator", agency, Role.TELECOMMUNICATOR)
    caller = _person(slug, "caller", agency, Role.TELECOMMUNICATOR)
    for person in peers[1:]:
        Exclusion.objects.create(owner=telecommunicator, excluded=person)
    own, _ = _reach(telecommunicator, region)
    requesters = [
        _person(slug, f"telecommunicator{n}", agency, Role.TELECOMMUNICATOR)
        for n in range(2 * size + 1)
    ]
    waiting = [_reach(person, region)[0] for person in requesters[:size]]
    taken = [_reach(person, region)[0] for person in requesters[size : 2 * size]]
    for made in taken:
        lifecycle.acknowledge(made, peer, timedelta(minutes=15))
    _, follow_token = _reach(requesters[-1], region, anonymous=True)
    for n, person in enumerate(requesters):
        grants.grant(person, other, Role.CLINICIAN, by=coordinator)
        Invitation.objects.create(
            agency=agency,
            email=f"new{n}@{slug}.test",
            full_name=f"New {n}",
            roles=[Role.TELECOMMUNICATOR],
            invited_by=coordinator,
            token_digest=tokens.digest(f"{slug}-{n}"),
            expires_at=now + timedelta(days=3),
        )
    return Team(
        region=region,
        agency=agency,
        telecommunicator=telecommunicator,
        caller=caller,
        peer=peer,
        coordinator=coordinator,
        administrator=administrator,
        rotation=rotation,
        schedule=schedules[0],
        policy=policy,
        own=own,
        waiting=waiting[0],
        taken=taken[0],
        follow_token=follow_token,
    )


@pytest.fixture
def teams(db: None) -> Iterator[tuple[Team, Team]]:
    with time_machine.travel(NOW, tick=False):
        yield build_team("small", SMALL), build_team("large", LARGE)


def reach_out_form() -> dict[str, str]:
    return {
        "urgency": "now",
        "contact": "call",
        "phone": "other",
        "callback_number": "+13195550142",
        "once": secrets.token_urlsafe(16),
    }


@dataclass(frozen=True)
class Page:
    """A page to count: who asks for it, its address in a team, and what is posted."""

    name: str
    who: str  # a Team attribute, or "" for a visitor
    path: Callable[[Team], str]
    form: Callable[[], dict[str, str]] | None = None  # posted, when given

    def count(self, team: Team) -> CaptureQueriesContext:
        client = Client()
        if self.who:
            client.force_login(getattr(team, self.who))
        path = self.path(team)
        client.get(path if self.form is None else reverse("home"))  # warm
        with CaptureQueriesContext(connection) as captured:
            answer = client.get(path) if self.form is None else client.post(path, self.form())
        assert answer.status_code in (200, 302), (self.name, answer.status_code)
        if answer.status_code == 302:
            assert "login" not in answer["Location"], self.name
        return captured


def named(name: str, of: str = "", key: str = "pk") -> Callable[[Team], str]:
    """The address of the page ``name``; with ``of``, of that team's thing (by its ``key``)."""
    return lambda team: reverse(name, args=[getattr(getattr(team, of), key)] if of else [])


def request_page(name: str, of: str) -> Callable[[Team], str]:
    return named(name, of, "public_id")


HOME = Page("home, telecommunicator", "caller", named("home"))  # as the benchmarks ask it
REACH_OUT = Page("reach out, sent", "caller", named("support:reach_out"), form=reach_out_form)

PAGES = [
    HOME,
    Page("home, telecommunicator with a request", "telecommunicator", named("home")),
    Page("home, peer", "peer", named("home")),
    Page("home, coordinator", "coordinator", named("home")),
    Page("home, administrator", "administrator", named("home")),
    Page("reach out", "caller", named("support:reach_out")),
    REACH_OUT,
    Page("request, its requester", "telecommunicator", request_page("support:request", "own")),
    Page("request, the peer who took it", "peer", request_page("support:request", "taken")),
    Page("follow page", "", lambda team: reverse("support:follow", args=[team.follow_token])),
    Page("offer", "peer", request_page("support:offer", "waiting")),
    Page("open requests", "peer", named("support:open")),
    Page("team requests", "coordinator", named("support:team")),
    Page("request, coordinator", "coordinator", request_page("support:coordinate", "waiting")),
    Page("exclusions", "telecommunicator", named("support:exclusions")),
    Page("inbox", "peer", named("notify:inbox")),
    Page("contact methods", "peer", named("notify:methods")),
    Page("on call, peer", "peer", named("oncall:home")),
    Page("on call, coordinator", "coordinator", named("oncall:home")),
    Page(
        "calendar feed",
        "",
        lambda team: reverse("oncall:calendar_feed", args=[ics.issue(team.peer)]),
    ),
    Page("I need a break", "peer", named("oncall:break")),
    Page("your load", "peer", named("care:mine")),
    Page("load balance", "coordinator", named("care:balance")),
    Page("rotations", "coordinator", named("oncall:rotations")),
    Page("rotation", "coordinator", named("oncall:rotation", "rotation")),
    Page("schedules", "coordinator", named("oncall:schedules")),
    Page("schedule", "coordinator", named("oncall:schedule", "schedule")),
    Page("overrides", "coordinator", named("oncall:overrides")),
    Page("policies", "coordinator", named("policies:list")),
    Page("policy", "coordinator", named("policies:detail", "policy")),
    Page("coverage", "coordinator", named("policies:coverage")),
    Page("people", "coordinator", named("roster:people")),
    Page("person", "coordinator", named("roster:person", "telecommunicator")),
    Page("agencies", "administrator", named("roster:agencies")),
    Page("invitations", "coordinator", named("roster:invitations")),
    Page("roster changes", "peer", named("roster_changes")),
    Page("who has seen my data", "telecommunicator", named("who_has_seen_my_data")),
    Page("security", "peer", named("security_setup")),
]


def _sql(captured: CaptureQueriesContext) -> str:
    return "\n".join(query["sql"] for query in captured.captured_queries)


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_a_page_costs_the_same_queries_for_a_small_team_and_a_large_one(
    teams: tuple[Team, Team], page: Page
) -> None:
    small, large = teams
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        few, many = page.count(small), page.count(large)
    assert len(many) == len(few), f"{len(few)} queries, then {len(many)}:\n{_sql(many)}"


# Marking the transaction is not asking the database for anything: a test's savepoint,
# SQLite's BEGIN IMMEDIATE (PostgreSQL's BEGIN is not a statement Django counts).
TRANSACTION = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT", "BEGIN")


def asked(captured: CaptureQueriesContext) -> list[str]:
    """The statements that read or wrote something."""
    statements = [query["sql"] for query in captured.captured_queries]
    return [sql for sql in statements if not sql.startswith(TRANSACTION)]


def _first_step_pages_the_rotation(team: Team) -> None:
    """The benchmark's policy (BENCHMARKS.md): the rotation's on-call peer first."""
    StepTarget.objects.filter(step__policy=team.policy, step__order=0).update(
        kind=TargetKind.ROTATION, rotation=team.rotation
    )


def test_a_reach_out_stays_within_its_budget_of_queries_and_the_engine_pages_it(
    teams: tuple[Team, Team],
) -> None:
    small, _ = teams
    _first_step_pages_the_rotation(small)
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        statements = asked(REACH_OUT.count(small))
        made = SupportRequest.objects.get(requester=small.caller)
        assert not made.pages.exists()  # the engine pages it, woken as the POST commits
        escalation.escalate_due()
        assert made.pages.get().peer_id == resolve.on_call_now(small.region.pk, clock.now()).pop()
    assert len(statements) <= REACH_OUT_BUDGET, "\n".join(statements)


def test_paging_a_first_step_costs_the_same_queries_for_a_small_team_and_a_large_one(
    teams: tuple[Team, Team],
) -> None:
    escalated = []
    for team in teams:
        _first_step_pages_the_rotation(team)
        with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
            REACH_OUT.count(team)
            with CaptureQueriesContext(connection) as captured:
                assert escalation.escalate_due() == 1
        escalated.append(captured)
    few, many = escalated
    assert len(many) == len(few), f"{len(few)} queries, then {len(many)}:\n{_sql(many)}"


def test_the_telecommunicators_home_stays_within_its_budget_of_queries(
    teams: tuple[Team, Team],
) -> None:
    small, _ = teams
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        statements = asked(HOME.count(small))
    assert len(statements) <= TELECOMMUNICATOR_HOME_BUDGET, "\n".join(statements)


def test_the_coordinators_page_records_every_number_it_shows(teams: tuple[Team, Team]) -> None:
    """One write for all the on-call peers' numbers, and still one entry for each."""
    _, large = teams
    client = Client()
    client.force_login(large.coordinator)
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        page = client.get(reverse("support:coordinate", args=[large.waiting.public_id]))
    shown = [call.number for call in page.context["to_call"]]
    seen = AuditEntry.objects.filter(action=coordinate.PHONE_SEEN, actor_id=large.coordinator.pk)
    phones = {int(e.object_id): e.subject_id for e in seen}
    methods = ContactMethod.objects.in_bulk(phones)
    assert len(shown) > 1 and len(seen) == len(shown)
    assert sorted(method.value for method in methods.values()) == sorted(shown)
    assert all(methods[pk].user_id == subject for pk, subject in phones.items())


def test_a_trusted_browser_looks_at_its_shift_once_not_on_every_page(world: World) -> None:
    """The on-call check of a trusted browser's session (ADR 0014) is its own cost,
    paid once every 15 minutes; the pages in between cost what they cost elsewhere."""
    with time_machine.travel(NOW, tick=False) as traveller:
        phone, console = Client(), Client()
        sign_in(phone, world, trust=True)
        traveller.shift(timedelta(seconds=30))  # the next authenticator code
        sign_in(console, world, trust=False)
        traveller.shift(sessions.CHECK_EVERY)

        def home(client: Client) -> int:
            with CaptureQueriesContext(connection) as captured:
                assert client.get(reverse("home")).status_code == 200
            return len(captured)

        checked, untrusted = home(phone), home(console)
        assert checked > untrusted  # the check: trust, then the shifts
        traveller.shift(timedelta(minutes=1))
        assert home(phone) == home(console) == untrusted


def test_the_coordinators_home_counts_each_of_their_teams_on_its_own(
    teams: tuple[Team, Team],
) -> None:
    small, large = teams
    Membership.objects.create(
        user=small.coordinator, region=large.region, agency=large.agency, role=Role.COORDINATOR
    )
    client = Client()
    client.force_login(small.coordinator)
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        overviews = client.get(reverse("home")).context["regions"]
    assert [o["region"] for o in overviews] == [large.region, small.region]  # by name
    for overview, team, size in zip(overviews, (large, small), (LARGE, SMALL), strict=True):
        roles = dict(overview["roles"])
        assert overview["agency_count"] == 2
        assert overview["pending_invitations"] == 2 * size + 1
        assert roles["Peer supporter"] == size + 1
        assert roles["Coordinator"] == size + 1 + (team is large)
        assert roles["Telecommunicator"] == (size + 1) + 2 + (2 * size + 1)
