"""Who may see a request's offer and take it: one table, every door.

A person may list, open and take a request only if Backline paged them for it, within
the requester's wishes; everyone else meets the same 404 at each door (the list, the
offer, the take, the detail page), so nobody learns that they were excluded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from backline.accounts.models import Membership, User
from backline.accounts.roles import Role
from backline.lib import clock
from backline.oncall.models import Availability
from backline.support import escalation
from backline.support.models import EscalationStep, Exclusion, StepTarget, TargetKind
from tests import asking
from tests.harness import Clock, Recorder, Response, Team
from tests.personas import enrol_totp, make_person

WISHES = ("none", "outside agency", "specific peer", "exclusions", "anonymous")
Y, N = True, False

# Who may take, per wish. The policy rings all available peers at once. Available:
# A (the requester's agency), C and X (the other agency), and a coordinator who is also
# a peer (the other agency, the role granted by someone else). B (the requester's
# agency) is not available, so never paged. "specific peer" asks for C; "exclusions"
# excludes X and the coordinator-peer.
TAKERS: dict[str, tuple[bool, ...]] = {
    #                          none outside specific exclusions anonymous
    "paged peer A (my agency)": (Y, N, N, Y, Y),
    "unpaged peer B": (N, N, N, N, N),
    "paged peer C": (Y, Y, Y, Y, Y),
    "peer X": (Y, Y, N, N, Y),
    "coordinator, also a peer": (Y, Y, N, N, Y),
    "coordinator": (N, N, N, N, N),
    "administrator": (N, N, N, N, N),
    "clinician": (N, N, N, N, N),
    "outsider": (N, N, N, N, N),
    "visitor": (N, N, N, N, N),
    "requester": (N, N, N, N, N),
}

# what a person meets at the list, the offer, the take and the request's page
Doors = tuple[int | str, int | str, int | str, int | str]
MAY: Doors = ("listed", 200, 302, "named")  # in the list; offer; take; detail shows who asked
MAY_ANONYMOUS: Doors = ("listed", 200, 302, 200)
NOT: Doors = ("not listed", 404, 404, 404)
NOT_A_PEER: Doors = (404, 404, 404, 404)
LOGIN: Doors = ("login", "login", "login", "login")
REQUESTER: Doors = (404, 404, 404, 200)  # their own page: they see their request, not an offer
REQUESTER_ANONYMOUS: Doors = (404, 404, 404, 404)  # they follow it through their private link


@dataclass
class Cast:
    requester: User
    people: dict[str, User | None]
    c: User
    excluded: list[User]


@pytest.fixture
def cast(team: Team) -> Cast:
    world = team.world
    step = team.policy.steps.get(order=0)
    step.targets.all().delete()
    StepTarget.objects.create(step=step, kind=TargetKind.ALL_AVAILABLE)
    EscalationStep.objects.filter(policy=team.policy, order__gt=0).delete()
    x = make_person(
        "x@bayside.test", "Xan Ex", world.other_agency, Role.TELECOMMUNICATOR, Role.PEER
    )
    coordinator_peer = make_person("cp@bayside.test", "Cam Both", world.other_agency, Role.PEER)
    Membership.objects.create(
        user=coordinator_peer,
        region=world.region,
        role=Role.COORDINATOR,
        created_at=clock.now() - timedelta(days=30),
    )
    for person in (x, coordinator_peer):
        enrol_totp(person)
    for person in (team.a, team.c, x, coordinator_peer):
        Availability.objects.create(user=person, until=clock.now() + timedelta(hours=8))
    return Cast(
        requester=world.telecommunicator,
        people={
            "paged peer A (my agency)": team.a,
            "unpaged peer B": team.b,
            "paged peer C": team.c,
            "peer X": x,
            "coordinator, also a peer": coordinator_peer,
            "coordinator": world.coordinator,
            "administrator": world.administrator,
            "clinician": world.clinician,
            "outsider": world.outsider,
            "visitor": None,
            "requester": world.telecommunicator,
        },
        c=team.c,
        excluded=[x, coordinator_peer],
    )


def _reach_out(cast: Cast, wish: str) -> tuple[str, str]:
    if wish == "exclusions":
        for person in cast.excluded:
            Exclusion.objects.create(owner=cast.requester, excluded=person)
    created, _token = asking.reach_out(
        cast.requester,
        cast.requester.memberships.get().region,
        escalation.Ask(
            "now",
            "call",
            outside_agency=wish == "outside agency",
            preferred_peer=cast.c if wish == "specific peer" else None,
            anonymous=wish == "anonymous",
            note="the call on Route 9",
        ),
    )
    return created.public_id, cast.requester.full_name


def _status(response: Response) -> int | str:
    if response.status_code == 302 and "/accounts/login/" in response["Location"]:
        return "login"
    status: int = response.status_code
    return status


def _doors(person: User | None, ref: str, name: str) -> Doors:
    """What ``person`` meets at each door, each tried in a transaction rolled back."""
    client = Client()
    if person is not None:
        client.force_login(person)
    with transaction.atomic():
        listing = client.get(reverse("support:open"))
        listed: int | str = _status(listing)
        if listed == 200:
            listed = "listed" if ref.encode() in listing.content else "not listed"
        offer = _status(client.get(reverse("support:offer", args=[ref])))
        take = _status(client.post(reverse("support:take", args=[ref]), {"coming_in": "15"}))
        detail_response = client.get(reverse("support:request", args=[ref]))
        detail: int | str = _status(detail_response)
        if detail == 200 and name.encode() in detail_response.content:
            detail = "named"
        transaction.set_rollback(True)
    return (listed, offer, take, detail)


def _expected(who: str, wish: str) -> Doors:
    if who == "visitor":
        return LOGIN
    if who == "requester":
        return REQUESTER_ANONYMOUS if wish == "anonymous" else REQUESTER
    if TAKERS[who][WISHES.index(wish)]:
        return MAY_ANONYMOUS if wish == "anonymous" else MAY
    if who in ("coordinator", "administrator", "clinician", "outsider"):
        return NOT_A_PEER
    return NOT


def test_who_may_list_open_take_and_read_a_request(
    cast: Cast, recorder: Recorder, moment: Clock
) -> None:
    expected: dict[tuple[str, str], Doors] = {}
    actual: dict[tuple[str, str], Doors] = {}
    for wish in WISHES:
        with transaction.atomic():
            ref, name = _reach_out(cast, wish)
            for who, person in cast.people.items():
                expected[who, wish] = _expected(who, wish)
                actual[who, wish] = _doors(person, ref, name)
            transaction.set_rollback(True)
    assert actual == expected


def test_an_excluded_peer_meets_the_same_404_as_anyone(
    cast: Cast, recorder: Recorder, moment: Clock
) -> None:
    ref, _name = _reach_out(cast, "exclusions")
    answers = []
    for person in (cast.excluded[0], cast.people["unpaged peer B"]):
        assert person is not None
        client = Client()
        client.force_login(person)
        for response in (
            client.get(reverse("support:offer", args=[ref])),
            client.post(reverse("support:take", args=[ref]), {"coming_in": "15"}),
            client.get(reverse("support:offer", args=["no-such-request"])),
        ):
            answers.append((response.status_code, response.content))
    assert len(set(answers)) == 1
