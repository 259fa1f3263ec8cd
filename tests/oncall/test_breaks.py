""" "I need a break": the peer's page and its confirm step, the break's limits, what
others see of it (that the peer is unavailable, never why), and the coverage warnings
that count its hours."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from backline.notify.models import Channel, ContactMethod
from backline.oncall import breaks
from backline.oncall.coverage import CoverageWarning, Kind, Period
from backline.oncall.models import Availability, Break
from backline.support import coverage
from backline.support.coverage import PolicyKind, PolicyWarning
from tests.harness import START, ClientOf
from tests.oncall import builders

# START is Monday 2 March 2026, 07:00 in Los Angeles, where the peers live: a break
# whose last day is Wednesday ends at midnight after it, Los Angeles time
WEDNESDAY = "2026-03-04"
UNAVAILABLE = ' <span class="badge">unavailable</span>'
VARYING = re.compile(r"[A-Za-z0-9_\-]{40,}")  # form tokens and script nonces
AFTER_WEDNESDAY = datetime(2026, 3, 5, 8, tzinfo=UTC)


def test_a_break_is_taken_after_one_confirming_tap(
    team: builders.Peers, client_of: ClientOf
) -> None:
    peer = client_of(team.a)
    assert "How long do you need?" in peer.get(reverse("oncall:break")).content.decode()
    asked = peer.post(reverse("oncall:break"), {"last_day": WEDNESDAY})
    assert asked.status_code == 200
    assert "Is this right?" in asked.content.decode()
    assert not Break.objects.exists()  # not yet: the confirm step first

    response = peer.post(reverse("oncall:break"), {"last_day": WEDNESDAY, "confirm": "yes"})
    assert response.status_code == 302
    taken = Break.objects.get(user=team.a)
    assert (taken.starts_at, taken.until) == (START, AFTER_WEDNESDAY)
    assert breaks.unavailable([team.a.pk, team.b.pk], START) == {team.a.pk}
    page = peer.get(reverse("oncall:break")).content.decode()
    assert "You are on a break" in page
    home = peer.get(reverse("oncall:home")).content.decode()
    assert "You are on a break" in home and "I am available" not in home


def test_sending_the_confirmed_form_twice_keeps_one_break(
    team: builders.Peers, client_of: ClientOf
) -> None:
    peer = client_of(team.a)
    for _twice in range(2):
        peer.post(reverse("oncall:break"), {"last_day": WEDNESDAY, "confirm": "yes"})
    assert Break.objects.filter(user=team.a).count() == 1
    # a later day moves the end of the same break
    peer.post(reverse("oncall:break"), {"last_day": "2026-03-06", "confirm": "yes"})
    assert Break.objects.get(user=team.a).until == datetime(2026, 3, 7, 8, tzinfo=UTC)


@pytest.mark.parametrize(
    ("last_day", "said"),
    [
        ("2026-03-01", "That day has passed"),
        ("2026-07-01", "up to 90 days at a time"),
        ("next week", "Enter a valid date"),
        ("", "This field is required"),
    ],
)
def test_a_day_that_cannot_be_a_break_changes_nothing(
    team: builders.Peers, client_of: ClientOf, last_day: str, said: str
) -> None:
    response = client_of(team.a).post(
        reverse("oncall:break"), {"last_day": last_day, "confirm": "yes"}
    )
    assert response.status_code == 200
    assert said in response.content.decode()
    assert not Break.objects.exists()


def test_ending_a_break_early_needs_its_confirm_step(
    team: builders.Peers, client_of: ClientOf
) -> None:
    breaks.take(team.a, AFTER_WEDNESDAY, START)
    peer = client_of(team.a)
    peer.post(reverse("oncall:break_end"))  # a stray tap, without the confirm step
    assert Break.objects.filter(user=team.a).exists()
    response = peer.post(reverse("oncall:break_end"), {"confirm": "yes"}, follow=True)
    assert "Welcome back" in response.content.decode()
    assert not Break.objects.exists()
    again = peer.post(reverse("oncall:break_end"), {"confirm": "yes"}, follow=True)
    assert "nothing changed" in again.content.decode()


def test_a_peer_on_a_break_cannot_also_be_available_now(
    team: builders.Peers, client_of: ClientOf
) -> None:
    Availability.objects.create(user=team.a, until=START + timedelta(hours=3))
    breaks.take(team.a, AFTER_WEDNESDAY, START)
    assert not Availability.objects.exists()  # the break ended it
    response = client_of(team.a).post(reverse("oncall:availability"), {"until": "18:30"})
    assert response.status_code == 302
    assert not Availability.objects.exists()


def _read(client: Client, url: str) -> str:
    """The page, without what changes on every answer (form tokens, script nonces)."""
    return VARYING.sub("", client.get(url).content.decode())


def test_others_see_that_a_peer_is_unavailable_never_why(
    team: builders.Peers, client_of: ClientOf
) -> None:
    region = team.world.region
    primary = builders.rotation(region, [team.a, team.b])
    coordinator = client_of(team.world.coordinator)
    colleague = client_of(team.b)
    looks = [
        (coordinator, reverse("oncall:rotation", args=[primary.pk])),
        (coordinator, reverse("oncall:home")),
        (colleague, reverse("oncall:home")),
    ]
    before = [_read(client, url) for client, url in looks]
    breaks.take(team.a, AFTER_WEDNESDAY, START)
    for (client, url), earlier in zip(looks, before, strict=True):
        now = _read(client, url)
        assert UNAVAILABLE in now
        # the only difference the break makes: the word "unavailable" beside A's name
        assert now.replace(UNAVAILABLE, "") == earlier, url


def test_the_database_refuses_a_break_that_ends_before_it_starts(
    team: builders.Peers,
) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Break.objects.create(user=team.a, starts_at=START, until=START)


def test_coverage_warnings_count_a_break_as_hours_nobody_covers(
    team: builders.Peers, client_of: ClientOf
) -> None:
    region = team.world.region
    for person in (team.a, team.b, team.c):
        ContactMethod.objects.create(
            user=person, channel=Channel.EMAIL, value=person.email, verified_at=START
        )
    primary = builders.rotation(region, [team.a, team.b])  # A's turn until Friday
    builders.policy(region, primary)
    assert coverage.region_warnings(region, START) == []

    breaks.take(team.a, AFTER_WEDNESDAY, START)
    warnings = coverage.region_warnings(region, START)
    assert [w.kind for w in warnings] == [PolicyKind.POLICY_GAP, Kind.UNAVAILABLE_MEMBERS]
    gap = warnings[0]
    assert isinstance(gap, PolicyWarning)
    assert gap.periods == (Period(START, AFTER_WEDNESDAY),)
    unavailable = warnings[1]
    assert isinstance(unavailable, CoverageWarning)
    assert unavailable.subject == primary
    page = client_of(team.world.coordinator).get(reverse("policies:coverage")).content.decode()
    assert "members who are unavailable" in page and "break" not in page.lower()
