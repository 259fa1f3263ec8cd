"""Planning a check-in: what the form accepts and refuses, and who sees a plan."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from django.urls import reverse

from backline.checkins.models import Plan
from backline.checkins.recurrence import Frequency
from backline.privacy.models import AuditEntry
from tests.checkins.builders import plan, plan_form
from tests.harness import ClientOf, Clock, Team


def test_a_weekly_plan_keeps_its_rule_and_the_colleagues_zone(
    team: Team, client_of: ClientOf
) -> None:
    colleague = team.world.telecommunicator
    planned = plan(client_of(team.b), plan_form(colleague))
    assert (planned.peer, planned.colleague, planned.frequency) == (
        team.b, colleague, Frequency.WEEKLY
    )  # fmt: skip
    assert (planned.starts_on, planned.at, planned.ends_on) == (
        date(2026, 3, 2), time(9), date(2026, 3, 30)
    )  # fmt: skip
    assert planned.time_zone == "America/Los_Angeles"
    assert planned.next_at == datetime(2026, 3, 2, 17, tzinfo=UTC)
    assert planned.remind_at == datetime(2026, 3, 2, 16, tzinfo=UTC)
    # the colleague can read, on their own page, that the peer planned it
    assert AuditEntry.objects.filter(subject_id=colleague.pk, actor_id=team.b.pk).exists()


def test_a_plan_in_a_colleagues_other_zone_is_at_their_nine(
    team: Team, client_of: ClientOf
) -> None:
    # C works at Bayside, on the east coast; B plans from Los Angeles
    planned = plan(client_of(team.b), plan_form(team.c, starts_on=date(2026, 3, 3)))
    assert planned.time_zone == team.c.time_zone.key
    assert planned.next_at == datetime.combine(
        date(2026, 3, 3), time(9), tzinfo=team.c.time_zone
    ).astimezone(UTC)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"ends_on": date(2026, 3, 1)}, "The last day comes before the first one."),
        ({"ends_on": None}, "Choose a last day for a check-in that repeats."),
        ({"ends_on": date(2027, 3, 30)}, "A plan runs for a year at most."),
        ({"at": time(6)}, "That moment has passed."),  # 6:00 today, it is 7:00
    ],
)
def test_bad_plans_are_refused_with_a_clear_message_and_nothing_saved(
    team: Team, client_of: ClientOf, fields: dict[str, object], message: str
) -> None:
    data = plan_form(team.world.telecommunicator)
    for name, value in fields.items():
        data[name] = value.isoformat() if isinstance(value, date) else ""
        if isinstance(value, time):
            data[name] = value.strftime("%H:%M")
    response = client_of(team.b).post(reverse("checkins:plan_new"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Plan.objects.exists()


def test_a_one_off_needs_no_last_day(team: Team, client_of: ClientOf) -> None:
    data = plan_form(team.world.telecommunicator, frequency=Frequency.ONCE,
                     ends_on=date(2026, 2, 1))  # fmt: skip
    planned = plan(client_of(team.b), data)
    assert planned.ends_on is None and planned.rule.occurrence(1) is None


def test_a_colleague_of_another_team_cannot_be_chosen(team: Team, client_of: ClientOf) -> None:
    response = client_of(team.b).post(reverse("checkins:plan_new"), plan_form(team.world.outsider))
    assert response.status_code == 200 and not Plan.objects.exists()


def test_a_plan_is_seen_by_its_peer_alone(team: Team, client_of: ClientOf, moment: Clock) -> None:
    colleague = team.world.telecommunicator
    planned = plan(client_of(team.b), plan_form(colleague))
    assert colleague.full_name in client_of(team.b).get(reverse("checkins:plans")).content.decode()
    other = client_of(team.c)
    assert colleague.full_name not in other.get(reverse("checkins:plans")).content.decode()
    deleting = other.post(reverse("checkins:plan_delete", args=[planned.pk]), {"confirm": "yes"})
    assert deleting.status_code == 404 and Plan.objects.filter(pk=planned.pk).exists()
    counts = client_of(team.world.coordinator).get(reverse("checkins:team")).content.decode()
    assert colleague.full_name not in counts and "Bo Bee" not in counts
    assert Plan.objects.visible_to(team.world.coordinator).count() == 0
    assert Plan.objects.visible_to(colleague).count() == 0


def test_deleting_a_plan_asks_to_confirm(team: Team, client_of: ClientOf) -> None:
    peer = client_of(team.b)
    planned = plan(peer, plan_form(team.world.telecommunicator))
    peer.post(reverse("checkins:plan_delete", args=[planned.pk]))
    assert Plan.objects.filter(pk=planned.pk).exists()
    peer.post(reverse("checkins:plan_delete", args=[planned.pk]), {"confirm": "yes"})
    assert not Plan.objects.filter(pk=planned.pk).exists()
