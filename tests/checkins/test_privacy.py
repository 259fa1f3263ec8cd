"""Whom a check-in is for stays between the peer and the colleague: every check-in page,
the home page and the inbox, filled with every id and token there is, never show the
colleague's name or address to anyone else, the coordinator included, even after the
peer left the team and handed the plan over."""

from __future__ import annotations

from django.test import Client

from backline.accounts import grants
from backline.accounts.models import Membership, User
from backline.accounts.roles import Role
from backline.checkins import due
from tests.checkins.builders import plan, plan_form
from tests.harness import Clock, Recorder, Team
from tests.personas import make_person
from tests.sweep import Known, body_of, collect, routes, urls_of

OTHER_PAGES = {"home", "notify:inbox", "support:team", "roster_changes"}


def _seen(user: User, known: Known) -> str:
    client = Client()
    client.force_login(user)
    bodies = []
    for route in routes():
        if route.name.startswith("checkins:") or route.name in OTHER_PAGES:
            for url in urls_of(route, known):
                bodies.append(body_of(client.get(url)))
    return "\n".join(bodies)


def test_nobody_but_the_peer_and_the_colleague_learns_whom_a_check_in_is_for(
    team: Team, recorder: Recorder, moment: Clock
) -> None:
    recorder.ignore_rest()
    world = team.world
    colleague = make_person("quill@harbor.test", "Quillon Farthingale", world.agency,
                            Role.TELECOMMUNICATOR)  # fmt: skip
    peer = Client()
    peer.force_login(team.b)
    plan(peer, plan_form(colleague))
    moment.shift(hours=2)
    assert due.send_due() == 1  # the nudge is out
    known = Known()
    collect(known)
    assert "Quillon Farthingale" in _seen(team.b, known)  # the positive control
    others = [world.coordinator, world.administrator, world.clinician, world.peer, team.c]
    for other in [*others, world.telecommunicator, world.outsider]:
        assert "farthingale" not in _seen(other, known).casefold(), other
        assert "quill@harbor.test" not in _seen(other, known), other
    # B leaves the team: the coordinator is told a count, and still no name
    grants.remove(Membership.objects.get(user=team.b, role=Role.PEER), by=world.coordinator)
    collect(known)
    for other in [*others, team.b]:
        assert "farthingale" not in _seen(other, known).casefold(), other
