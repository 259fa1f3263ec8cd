"""Shift offers and swaps: offer part of your shift, a colleague takes it (first taker
wins), withdraw it, or a coordinator assigns it."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, connections
from django.urls import reverse

from backline.accounts.models import User
from backline.accounts.roles import Role
from backline.lib import clock
from backline.oncall import resolve, swaps
from backline.oncall.models import Override, Rotation, RotationKind, ShiftOffer
from tests.harness import START, ClientOf
from tests.oncall import builders
from tests.personas import World, enrol_totp, make_person


def local(moment: datetime) -> str:
    """How a datetime-local input of a Los Angeles page would send it."""
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo("America/Los_Angeles")).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def weekly(team: builders.Peers) -> Rotation:
    """A is on call this week (Sunday 1 March 08:00 PST to 8 March), B the next."""
    return builders.rotation(
        team.world.region, [team.b, team.a], starts_on=START.date() - timedelta(days=8)
    )


def offer_form(rotation: Rotation, start: datetime, end: datetime) -> dict[str, str]:
    return {"rotation": str(rotation.pk), "starts_at": local(start), "ends_at": local(end)}


def test_offer_and_take_a_shift(
    team: builders.Peers, weekly: Rotation, client_of: ClientOf
) -> None:
    start, end = START + timedelta(days=1), START + timedelta(days=1, hours=6)
    offerer = client_of(team.a)
    form = offerer.get(
        reverse("oncall:offer_new"),
        {"rotation": str(weekly.pk), "from": local(start), "until": local(end)},
    )
    assert form.context["form"].initial["rotation"] == str(weekly.pk)
    response = offerer.post(reverse("oncall:offer_new"), offer_form(weekly, start, end))
    assert response.status_code == 302
    offer = ShiftOffer.objects.get()
    assert (offer.offered_by, offer.starts_at, offer.ends_at) == (team.a, start, end)

    taker = client_of(team.b)
    page = taker.get(reverse("oncall:home")).content.decode()
    assert "Pat Peer offers Primary" in page
    taker.post(reverse("oncall:offer_take", args=[offer.pk]))
    override = Override.objects.get()
    assert (override.replaces, override.covered_by, override.created_by) == (team.a, team.b, team.b)
    assert (override.starts_at, override.ends_at) == (start, end)
    offer.refresh_from_db()
    assert offer.override == override and not offer.is_open
    assert resolve.rotation_on_call(weekly, start + timedelta(hours=1)) == team.b.pk
    assert resolve.rotation_on_call(weekly, end) == team.a.pk
    assert "taken by Bo Bee" in offerer.get(reverse("oncall:home")).content.decode()


def test_the_first_taker_wins(team: builders.Peers, weekly: Rotation) -> None:
    offer = swaps.offer(weekly, team.a, START + timedelta(hours=2), START + timedelta(hours=4))
    seen_by_b = ShiftOffer.objects.get(pk=offer.pk)  # both loaded it while it was open
    seen_by_c = ShiftOffer.objects.get(pk=offer.pk)
    swaps.take(seen_by_c, team.c)
    with pytest.raises(swaps.Refused, match="already taken"):
        swaps.take(seen_by_b, team.b)
    assert Override.objects.get().covered_by == team.c
    taken = ShiftOffer.objects.get().override
    assert taken is not None and taken.covered_by == team.c


def test_taking_a_taken_offer_on_the_page_says_so(
    team: builders.Peers, weekly: Rotation, client_of: ClientOf
) -> None:
    offer = swaps.offer(weekly, team.a, START + timedelta(hours=2), START + timedelta(hours=4))
    swaps.take(offer, team.c)
    response = client_of(team.b).post(reverse("oncall:offer_take", args=[offer.pk]), follow=True)
    assert "already taken or withdrawn" in response.content.decode()
    assert Override.objects.count() == 1


def test_withdraw_an_offer(team: builders.Peers, weekly: Rotation, client_of: ClientOf) -> None:
    offer = swaps.offer(weekly, team.a, START + timedelta(hours=2), START + timedelta(hours=4))
    assert (
        client_of(team.b).post(reverse("oncall:offer_withdraw", args=[offer.pk])).status_code == 404
    )
    client_of(team.a).post(reverse("oncall:offer_withdraw", args=[offer.pk]))
    offer.refresh_from_db()
    assert offer.withdrawn_at == clock.now()
    with pytest.raises(swaps.Refused):
        swaps.take(offer, team.b)
    assert not Override.objects.exists()
    assert "Pat Peer offers" not in client_of(team.b).get(reverse("oncall:home")).content.decode()
    assert not swaps.withdraw(offer, team.a)  # once is enough


def test_a_taken_offer_cannot_be_withdrawn(
    team: builders.Peers, weekly: Rotation, client_of: ClientOf
) -> None:
    offer = swaps.offer(weekly, team.a, START + timedelta(hours=2), START + timedelta(hours=4))
    swaps.take(offer, team.b)
    response = client_of(team.a).post(
        reverse("oncall:offer_withdraw", args=[offer.pk]), follow=True
    )
    assert "already taken or withdrawn" in response.content.decode()
    offer.refresh_from_db()
    assert offer.withdrawn_at is None and offer.override is not None


@pytest.mark.parametrize(
    ("start", "end", "error"),
    [
        (timedelta(days=8), timedelta(days=8, hours=2), "not on call"),  # next week is B's
        (timedelta(hours=4), timedelta(hours=2), "must end after it starts"),
        (timedelta(days=-2), timedelta(hours=-1), "must end after it starts"),  # in the past
    ],
)
def test_an_offer_must_be_your_own_coming_shift(
    team: builders.Peers,
    weekly: Rotation,
    client_of: ClientOf,
    start: timedelta,
    end: timedelta,
    error: str,
) -> None:
    response = client_of(team.a).post(
        reverse("oncall:offer_new"), offer_form(weekly, START + start, START + end)
    )
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not ShiftOffer.objects.exists()


def test_an_offer_starting_in_the_past_starts_now(team: builders.Peers, weekly: Rotation) -> None:
    offer = swaps.offer(weekly, team.a, START - timedelta(hours=3), START + timedelta(hours=1))
    assert offer.starts_at == START


def test_overlapping_offers_are_refused(
    team: builders.Peers, weekly: Rotation, client_of: ClientOf
) -> None:
    swaps.offer(weekly, team.a, START + timedelta(hours=2), START + timedelta(hours=4))
    response = client_of(team.a).post(
        reverse("oncall:offer_new"),
        offer_form(weekly, START + timedelta(hours=3), START + timedelta(hours=5)),
    )
    assert "already offer part of that time" in response.content.decode()
    assert ShiftOffer.objects.count() == 1


def test_a_taken_shift_can_be_offered_again(team: builders.Peers, weekly: Rotation) -> None:
    first = swaps.offer(weekly, team.a, START + timedelta(hours=2), START + timedelta(hours=8))
    swaps.take(first, team.b)
    again = swaps.offer(weekly, team.b, START + timedelta(hours=4), START + timedelta(hours=6))
    swaps.take(again, team.c)
    at = START + timedelta(hours=5)
    assert resolve.rotation_on_call(weekly, at) == team.c.pk
    assert resolve.rotation_on_call(weekly, START + timedelta(hours=3)) == team.b.pk


def test_you_cannot_take_your_own_offer_or_one_of_another_team(
    team: builders.Peers, weekly: Rotation, world: World
) -> None:
    offer = swaps.offer(weekly, team.a, START + timedelta(hours=2), START + timedelta(hours=4))
    with pytest.raises(swaps.Refused, match="your own offer"):
        swaps.take(offer, team.a)
    stranger = make_person(
        "p@prairie.test", "Pia Prairie", world.outside_agency, Role.TELECOMMUNICATOR, Role.PEER
    )
    with pytest.raises(swaps.Refused, match="Only a peer of the team"):
        swaps.take(offer, stranger)
    enrol_totp(stranger)
    from django.test import Client

    client = Client()
    client.force_login(stranger)
    assert client.post(reverse("oncall:offer_take", args=[offer.pk])).status_code == 404
    assert not Override.objects.exists()


def test_a_coordinator_assigns_an_offer(
    team: builders.Peers, weekly: Rotation, client_of: ClientOf
) -> None:
    offer = swaps.offer(weekly, team.a, START + timedelta(hours=2), START + timedelta(hours=4))
    coordinator = client_of(team.world.coordinator)
    page = coordinator.get(reverse("oncall:home"))
    assert "Pat Peer offers Primary" in page.content.decode()
    url = reverse("oncall:offer_assign", args=[offer.pk])
    refused = coordinator.post(url, {f"assign-{offer.pk}-taker": team.a.pk})  # the offerer
    assert refused.status_code == 200 and "Select a valid choice" in refused.content.decode()
    coordinator.post(url, {f"assign-{offer.pk}-taker": team.c.pk})
    override = Override.objects.get()
    assert (override.covered_by, override.created_by) == (team.c, team.world.coordinator)


def test_removing_the_override_of_a_taken_offer_closes_the_offer(
    team: builders.Peers, weekly: Rotation, client_of: ClientOf
) -> None:
    offer = swaps.offer(weekly, team.a, START + timedelta(hours=2), START + timedelta(hours=4))
    override = swaps.take(offer, team.b)
    client_of(team.world.coordinator).post(
        reverse("oncall:override_delete", args=[override.pk]), {"confirm": "yes"}
    )
    offer.refresh_from_db()
    assert offer.override is None and offer.withdrawn_at is not None
    assert not ShiftOffer.objects.open().exists()
    assert resolve.rotation_on_call(weekly, START + timedelta(hours=3)) == team.a.pk


def test_an_offer_whose_shift_changed_cannot_be_taken(
    team: builders.Peers, weekly: Rotation
) -> None:
    offer = swaps.offer(weekly, team.a, START + timedelta(hours=2), START + timedelta(hours=4))
    Override.objects.create(  # a coordinator gave the time to C meanwhile
        rotation=weekly,
        starts_at=START,
        ends_at=START + timedelta(days=1),
        covered_by=team.c,
    )
    with pytest.raises(swaps.Refused, match="changed"):
        swaps.take(offer, team.b)


def test_a_daily_rotation_offer_from_the_list_of_your_shifts(
    team: builders.Peers, client_of: ClientOf
) -> None:
    builders.rotation(team.world.region, [team.a, team.b], kind=RotationKind.DAILY)
    page = client_of(team.a).get(reverse("oncall:home"))
    shifts = page.context["my_shifts"]
    assert shifts and all(s["rotation"].name == "Primary" for s in shifts)
    assert "Offer all or part of it" in page.content.decode()


pg_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks are PostgreSQL's; SQLite serialises"
)


@pg_only
@pytest.mark.django_db(transaction=True)
def test_two_peers_taking_at_the_same_moment_one_wins(world: World) -> None:
    b = make_person("b@harbor.test", "Bo Bee", world.agency, Role.TELECOMMUNICATOR, Role.PEER)
    c = make_person("c@harbor.test", "Cy Sea", world.agency, Role.TELECOMMUNICATOR, Role.PEER)
    now = datetime.now(UTC)
    weekly = builders.rotation(world.region, [world.peer], starts_on=now.date() - timedelta(days=8))
    offer = swaps.offer(weekly, world.peer, now + timedelta(hours=2), now + timedelta(hours=4))
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def take(taker: User) -> None:
        try:
            seen = ShiftOffer.objects.select_related("rotation").get(pk=offer.pk)
            barrier.wait()
            swaps.take(seen, taker)
            outcomes.append("took")
        except swaps.Refused:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=take, args=(person,)) for person in (b, c)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "took"]
    assert Override.objects.count() == 1
    assert ShiftOffer.objects.get().override == Override.objects.get()
