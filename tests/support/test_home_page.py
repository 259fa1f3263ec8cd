"""Home shows what is happening: the requester's request first, the peer's shift, the
requests waiting for them (only those they may take) and the one they took; every
persona's home links only to pages that exist for them."""

from __future__ import annotations

import re
from datetime import timedelta

from django.test import Client
from django.urls import reverse

from backline.accounts.roles import Role
from backline.oncall.models import RotationMember
from backline.support import escalation, lifecycle
from backline.support.models import Exclusion
from tests import asking
from tests.harness import ClientOf, Clock, Recorder, Team
from tests.personas import make_person


def _home(client: Client) -> str:
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_a_requester_sees_their_request_first(
    team: Team, recorder: Recorder, client_of: ClientOf
) -> None:
    requester = client_of(team.world.telecommunicator)
    before = _home(requester)
    assert 'href="/support/reach-out/"' in before and "request-status" not in before
    assert requester.get(reverse("home")).context["open_request_url"] is None

    request, _ = asking.reach_out(
        team.world.telecommunicator, team.world.region, escalation.Ask("now", "call")
    )
    url = reverse("support:request", args=[request.public_id])
    page = requester.get(reverse("home"))
    html = page.content.decode()
    main = html.split('<main id="main"', 1)[1]
    # the status card leads the page, and refreshes itself from the request's own URL
    assert main.index('id="request-status"') < main.index("<section")
    assert f'hx-get="{url}"' in main
    assert "Looking for a peer" in main and f'href="{url}"' in main
    assert "Support from your peers" not in main  # no second request while one is open
    assert page.context["open_request_url"] == url  # for the header, on every page

    # the live update it asks for is the status card alone
    partial = requester.get(url, headers={"HX-Request": "true"}).content.decode()
    assert partial.lstrip().startswith('<div id="request-status"') and "<html" not in partial
    assert lifecycle.acknowledge(request, team.a, timedelta(minutes=15))
    assert "Pat Peer took your request" in _text(_home(requester))

    assert lifecycle.close(request, team.a)
    after = requester.get(reverse("home"))
    assert "request-status" not in after.content.decode()
    assert after.context["open_request_url"] is None


def _on_call_in_turns(team: Team) -> None:
    """A and C take turns by the week (hand-off Monday 08:00 in Los Angeles); C works
    in Chicago. It is Monday 07:00 in Los Angeles: C's week ends in an hour."""
    RotationMember.objects.create(rotation=team.rotation, user=team.c, position=1)
    team.world.other_agency.time_zone = "America/Chicago"
    team.world.other_agency.save()


def test_a_peer_sees_until_when_they_are_on_call_in_their_own_time(
    team: Team, recorder: Recorder, client_of: ClientOf, moment: Clock
) -> None:
    _on_call_in_turns(team)
    assert "You are on call until Mon 2 Mar, 10:00." in _text(_home(client_of(team.c)))
    peer = client_of(team.a)
    assert "You are not on call now. Your next shift starts Mon 2 Mar, 08:00." in _text(_home(peer))
    moment.later(hours=2)
    assert "You are on call until Mon 9 Mar, 08:00." in _text(_home(peer))  # after DST
    assert "You are not on call now. Your next shift starts Mon 9 Mar, 10:00." in _text(
        _home(client_of(team.c))
    )


def test_a_peer_alone_in_the_rotation_and_one_in_none(
    team: Team, recorder: Recorder, client_of: ClientOf
) -> None:
    assert "You are on call, with no hand-off in the next 30 days." in _text(
        _home(client_of(team.a))
    )
    assert (
        "You are not on call now, and no shift of yours is planned in the next 30 days."
        in _text(_home(client_of(team.b)))
    )


def test_a_peer_sees_what_waits_for_them_and_what_they_took(
    team: Team, recorder: Recorder, client_of: ClientOf, moment: Clock
) -> None:
    world = team.world
    taken, _ = asking.reach_out(world.telecommunicator, world.region, escalation.Ask("now", "call"))
    assert lifecycle.acknowledge(taken, team.a, timedelta(minutes=15))
    other = make_person("wes@harbor.test", "Wes Waiting", world.agency, Role.TELECOMMUNICATOR)
    waiting, _ = asking.reach_out(other, world.region, escalation.Ask("hours", "text"))
    avoiding = make_person("ava@harbor.test", "Ava Avoids", world.agency, Role.TELECOMMUNICATOR)
    Exclusion.objects.create(owner=avoiding, excluded=team.a)
    excluded, _ = asking.reach_out(avoiding, world.region, escalation.Ask("now", "call"))
    moment.later(minutes=6)  # A is paged for the one waiting; B for the one that excludes A
    recorder.expect(to="a@mail.test", subject="Backline: support request — within a few hours")
    recorder.expect(to="+15550100002", subject="Backline: support request — now")

    home = _home(client_of(team.a))
    assert f'href="{reverse("support:request", args=[taken.public_id])}"' in home
    assert "The request you took" in _text(home)
    assert f'href="{reverse("support:offer", args=[waiting.public_id])}"' in home
    assert excluded.public_id not in home  # never a request they may not take
    assert "Wes" not in home and "Ava" not in home and "Tess" not in home  # "a colleague"

    other_peer = _home(client_of(team.b))
    assert f'href="{reverse("support:offer", args=[excluded.public_id])}"' in other_peer
    assert taken.public_id not in other_peer  # taken: no longer waiting


def test_every_link_on_every_home_leads_somewhere(
    team: Team, recorder: Recorder, client_of: ClientOf
) -> None:
    asking.reach_out(team.world.telecommunicator, team.world.region, escalation.Ask("now", "call"))
    world = team.world
    for persona in (
        world.telecommunicator,
        team.a,
        world.coordinator,
        world.clinician,
        world.administrator,
    ):
        client = client_of(persona)
        html = _home(client)
        main = html.split('<main id="main"', 1)[1].split("</main>", 1)[0]
        links = set(re.findall(r'href="(/[^"#]*)', main))
        assert links, persona
        for link in links:
            assert client.get(link).status_code == 200, (persona, link)
