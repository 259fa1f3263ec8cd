"""A peer's own load, for them alone, and the coordinators' load balance: counts per
peer per quarter that never lead to a colleague."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.urls import reverse

from backline.accounts.models import User
from backline.accounts.roles import Role
from backline.care import load
from backline.care.periods import quarters
from backline.lib import clock
from backline.oncall import breaks
from backline.privacy.models import AuditEntry
from backline.support import escalation, lifecycle
from backline.support.models import SupportRequest
from tests import asking
from tests.harness import ClientOf, Clock, Team
from tests.personas import make_person
from tests.records.builders import record

# START is Monday 2 March 2026, 07:00 in Los Angeles; A has been on call in the team's
# only rotation since its first hand-off, Monday 5 January at 08:00 there
ROTATION_STARTED = datetime(2026, 1, 5, 16, tzinfo=UTC)


def colleague(team: Team, number: int) -> User:
    return make_person(
        f"caller{number}@harbor.test",
        f"Quinn Caller{number}",
        team.world.agency,
        Role.TELECOMMUNICATOR,
    )


def a_takes(team: Team, requester: User) -> SupportRequest:
    """A is paged (the engine pages the first step at once) and takes the request."""
    request, _token = asking.reach_out(
        requester, team.world.region, escalation.Ask("now", "call", note="a rough night")
    )
    assert lifecycle.acknowledge(request, team.a, timedelta(minutes=10))
    return request


def test_a_peer_sees_their_contacts_hours_on_call_and_nights_paged(
    team: Team, moment: Clock
) -> None:
    a_takes(team, colleague(team, 1))
    now = moment.shift(hours=1)
    month, quarter = load.own_load(team.a, now)
    assert month == load.Load(contacts=1, hours_on_call=32.0, nights_paged=0)
    hours = (now - ROTATION_STARTED).total_seconds() / 3600
    assert quarter == load.Load(contacts=1, hours_on_call=hours, nights_paged=0)

    moment.to(datetime(2026, 3, 3, 7, tzinfo=UTC))  # 23:00 in Los Angeles
    asking.reach_out(colleague(team, 2), team.world.region, escalation.Ask("now", "call"))
    moment.to(datetime(2026, 3, 3, 10, tzinfo=UTC))  # 02:00: the same night
    asking.reach_out(colleague(team, 3), team.world.region, escalation.Ask("now", "call"))
    month, _quarter = load.own_load(team.a, clock.now())
    assert month.nights_paged == 1
    assert month.contacts == 1  # paged is not taken


def test_the_load_page_is_the_peers_own_and_calm_until_the_load_is_high(
    team: Team, moment: Clock, client_of: ClientOf
) -> None:
    first = colleague(team, 0)
    a_takes(team, first)
    moment.shift(minutes=1)
    peer = client_of(team.a)
    page = peer.get(reverse("care:mine")).content.decode()
    assert "Only you can see this page" in page
    assert "You have been carrying a lot" not in page
    assert first.full_name not in page and "rough night" not in page
    assert "Dr. Cleo Clinician" in page  # support for them, whenever they want it
    # B reads their own load, not A's
    assert ">1<" not in client_of(team.b).get(reverse("care:mine")).content.decode()

    for number in range(1, load.HIGH_CONTACTS_A_MONTH):
        a_takes(team, colleague(team, number))
    moment.shift(minutes=1)
    page = peer.get(reverse("care:mine")).content.decode()
    assert "You have been carrying a lot" in page
    assert 'href="mailto:clin@harbor.test"' in page
    assert reverse("oncall:break") in page


def test_quarters_are_counted_back_from_the_one_we_are_in() -> None:
    zone = ZoneInfo("America/Los_Angeles")
    shown = quarters(datetime(2026, 2, 10, 12, tzinfo=UTC), zone, 4)
    assert [(p.first_day.year, p.quarter) for p in shown] == [
        (2026, 1),
        (2025, 4),
        (2025, 3),
        (2025, 2),
    ]
    assert shown[1].ends_at == shown[0].starts_at


def test_the_load_balance_counts_per_peer_per_quarter_and_names_no_colleague(
    team: Team, moment: Clock, client_of: ClientOf
) -> None:
    requester = colleague(team, 1)
    taken = a_takes(team, requester)
    # taken this week: not counted before the week is over, so a second look tomorrow
    # cannot date it
    shown, rows = load.balance(team.world.region.pk, clock.now(), team.world.coordinator.time_zone)
    counts = {row.peer: row.counts for row in rows}
    assert counts[team.a][0] == (0, 0)

    moment.shift(days=7)  # the next Monday
    shown, rows = load.balance(team.world.region.pk, clock.now(), team.world.coordinator.time_zone)
    counts = {row.peer: row.counts for row in rows}
    assert (shown[0].first_day.year, shown[0].quarter) == (2026, 1)
    assert counts[team.a] == [(1, 1), (0, 0), (0, 0), (0, 0)]
    assert counts[team.b][0] == (0, 0)

    page = client_of(team.world.coordinator).get(reverse("care:balance")).content.decode()
    assert team.a.display_name in page and "1 contact" in page and "1 page" in page
    for secret in (requester.full_name, requester.email, taken.public_id, "rough night"):
        assert secret not in page
    # each peer can read that the coordinator looked at their counts
    seen = AuditEntry.objects.filter(actor_id=team.world.coordinator.pk, subject_id=team.a.pk)
    assert seen.filter(action="care.balance.viewed").count() == 1


def test_a_contact_recorded_by_hand_counts_and_a_requests_record_does_not_count_twice(
    team: Team, moment: Clock
) -> None:
    a_takes(team, colleague(team, 1))
    record(team.world.region, team.a, contact_type="request")  # that same contact
    record(team.world.region, team.a, contact_type="informal")  # a hallway conversation
    record(team.world.region, team.b, contact_type="check_in")  # B's, not A's
    month, quarter = load.own_load(team.a, moment.shift(hours=1))
    assert month.contacts == quarter.contacts == 2


def test_hours_on_a_break_are_not_hours_on_call(team: Team, moment: Clock) -> None:
    # A stays in the rotation, but takes a break for the last 8 hours
    now = moment.shift(hours=1)
    breaks.take(team.a, now + timedelta(days=2), now - timedelta(hours=8))
    month, quarter = load.own_load(team.a, now)
    assert month.hours_on_call == 32.0 - 8
    hours = (now - ROTATION_STARTED).total_seconds() / 3600 - 8
    assert quarter.hours_on_call == round(hours, 1)
