"""The requester's wishes are constraints at every step, widened only with their consent.

The team (see conftest): A on call in the rotation and B, both of the requester's
agency; C at the other agency. Policy: 1. the rotation, 2. B, 3. the coordinator.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from backline.accounts.models import Membership
from backline.accounts.roles import Role
from backline.lib import clock
from backline.notify.models import Channel, OutgoingMessage
from backline.oncall.models import Availability
from backline.support import escalation, lifecycle
from backline.support.models import (
    EventKind,
    Exclusion,
    Page,
    PageKind,
    RequestStatus,
    StepTarget,
    SupportRequest,
    TargetKind,
)
from tests import asking
from tests.asking import reach_out_form
from tests.harness import ClientOf, Clock, Recorder, Team
from tests.support.test_escalation import events, reach_out


def paged(request: SupportRequest) -> set[int]:
    return set(
        Page.objects.filter(request=request, kind=PageKind.PEER).values_list("peer", flat=True)
    )


def test_outside_my_agency_never_pages_my_agency_and_asks_me_first(
    team: Team, recorder: Recorder, moment: Clock
) -> None:
    request = reach_out(team, outside_agency=True)
    moment.tick()
    assert paged(request) == set()  # A (on call) and B share my agency; C is not available
    assert EventKind.NARROWED in events(request)
    request.refresh_from_db()
    assert request.asks_consent
    told = OutgoingMessage.objects.get(recipient=team.world.telecommunicator, channel="inapp")
    assert "still waiting" in told.subject  # in-app, without naming anyone

    # steps 1 and 2 had nobody they allow, and wait their time all the same; then step 3
    # alerts the coordinator, with nothing to take
    recorder.expect_nothing()
    moment.later(minutes=10)
    assert set(Page.objects.filter(request=request).values_list("kind", flat=True)) == {
        PageKind.COORDINATOR
    }
    recorder.expect(to="coord@mail.test")
    for _ in range(6):  # the whole policy, repeated, then every minute: never my agency
        moment.later(minutes=5)
    assert paged(request) == set()
    assert {s.address for s in recorder.take()} == {"coord@mail.test"}
    request.refresh_from_db()
    assert request.exhausted_at is not None and request.status == RequestStatus.OPEN

    with pytest.raises(lifecycle.NotAllowed):
        lifecycle.acknowledge(request, team.a, timedelta(minutes=5))


def test_an_available_peer_outside_my_agency_is_paged_instead(
    team: Team, recorder: Recorder, moment: Clock
) -> None:
    Availability.objects.create(user=team.c, until=clock.now() + timedelta(hours=2))
    request = reach_out(team, outside_agency=True)
    moment.tick()
    assert paged(request) == {team.c.pk}
    recorder.expect(to="c@mail.test")
    moment.later(minutes=5)  # step 2 (B) would page my agency: C was paged this pass
    assert paged(request) == {team.c.pk}
    recorder.expect_nothing()
    request.refresh_from_db()
    assert request.asks_consent  # nobody allowed has answered, and the wish is why
    assert lifecycle.acknowledge(request, team.c, timedelta(minutes=5))


def test_widening_is_the_requesters_choice_and_pages_the_team_at_once(
    team: Team, recorder: Recorder, moment: Clock, client_of: ClientOf
) -> None:
    requester = client_of(team.world.telecommunicator)
    requester.post(reverse("support:reach_out"), reach_out_form(outside_agency="on"))
    request = team.world.telecommunicator.support_requests.get()
    moment.tick()
    page = requester.get(reverse("support:request", args=[request.public_id])).content.decode()
    assert "No peer outside your agency has answered yet" in page
    assert "Keep waiting" in page and "Ask any peer of my team" in page
    assert "Call 988" in page  # crisis lines while they decide

    requester.post(reverse("support:wait", args=[request.public_id]))
    moment.later(minutes=5)
    assert paged(request) == set()  # keeping the wish keeps my agency out
    page = requester.get(reverse("support:request", args=[request.public_id])).content.decode()
    assert "You chose to keep waiting" in page

    moment.later(minutes=1)
    requester.post(reverse("support:widen", args=[request.public_id]))
    assert paged(request) == {team.a.pk}  # at once, from the first step
    assert EventKind.WIDENED in events(request)
    again = requester.post(reverse("support:widen", args=[request.public_id]), follow=True)
    assert b"no longer waiting" in again.content  # a double tap changes nothing more
    assert Page.objects.filter(request=request, kind=PageKind.PEER).count() == 1
    request.refresh_from_db()
    assert lifecycle.acknowledge(request, team.a, timedelta(minutes=5))


def test_a_request_without_wishes_cannot_be_widened_to_page_again(
    team: Team, recorder: Recorder, moment: Clock
) -> None:
    request = reach_out(team)
    assert not escalation.widen(request)
    assert Page.objects.filter(request=request).count() == 1


def test_widening_never_lifts_an_exclusion(team: Team, recorder: Recorder, moment: Clock) -> None:
    Exclusion.objects.create(owner=team.world.telecommunicator, excluded=team.a)
    request = reach_out(team, outside_agency=True)
    assert escalation.widen(request)
    moment.later(minutes=5)
    assert paged(request) == {team.b.pk}  # step 1's A stays excluded; step 2's B is paged
    recorder.expect(to="+15550100002")


def test_a_specific_peer_is_the_only_peer_paged(
    team: Team, recorder: Recorder, moment: Clock
) -> None:
    request = reach_out(team, preferred_peer=team.c)
    moment.tick()
    recorder.expect(to="c@mail.test")
    moment.later(minutes=5)  # step 2 would page B
    assert paged(request) == {team.c.pk}
    recorder.expect_nothing()
    request.refresh_from_db()
    assert request.asks_consent
    for other in (team.a, team.b):
        with pytest.raises(lifecycle.NotAllowed):
            lifecycle.acknowledge(request, other, timedelta(minutes=5))
    assert lifecycle.acknowledge(request, team.c, timedelta(minutes=5))


def test_a_specific_peer_i_also_excluded_is_never_paged(
    team: Team, recorder: Recorder, moment: Clock
) -> None:
    Exclusion.objects.create(owner=team.world.telecommunicator, excluded=team.c)
    request = reach_out(team, preferred_peer=team.c)
    moment.tick()
    assert paged(request) == set()
    request.refresh_from_db()
    assert request.asks_consent


def test_an_anonymous_requester_chooses_on_their_follow_page(
    team: Team, recorder: Recorder, moment: Clock, client: Client
) -> None:
    request, token = asking.reach_out(
        team.world.telecommunicator,
        team.world.region,
        escalation.Ask("now", "call", anonymous=True, outside_agency=True),
    )
    moment.tick()
    page = client.get(reverse("support:follow", args=[token])).content.decode()
    assert "No peer outside your agency has answered yet" in page
    client.post(reverse("support:follow_widen", args=[token]))
    assert paged(request) == {team.a.pk}
    assert client.post(reverse("support:follow_widen", args=["forged"])).status_code == 404


def test_routing_wishes_are_sealed_at_rest_and_erased_at_close(
    team: Team, recorder: Recorder, moment: Clock
) -> None:
    Exclusion.objects.create(owner=team.world.telecommunicator, excluded=team.b)
    Availability.objects.create(user=team.c, until=clock.now() + timedelta(hours=2))
    request, _token = asking.reach_out(
        team.world.telecommunicator,
        team.world.region,
        escalation.Ask("now", "call", anonymous=True, outside_agency=True),
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM support_supportrequest")
        columns = [c[0] for c in cursor.description]
        raw = dict(zip(columns, cursor.fetchone(), strict=True))
    assert "avoid_agency_id" not in columns and "excluded_ids" not in columns
    stored = " ".join(str(value) for value in raw.values())
    assert "excluded" not in stored and "avoid_agencies" not in stored
    assert request.routing.avoid_agency_ids == {team.world.agency.pk}
    # the exclusion list, and the anonymous requester themselves
    assert request.routing.excluded_ids == {team.b.pk, team.world.telecommunicator.pk}
    asking.reach_out(team.b, team.world.region, escalation.Ask("now", "call"))  # no wish
    with connection.cursor() as cursor:
        cursor.execute("SELECT sealed_routing FROM support_supportrequest ORDER BY id")
        lengths = {len(value) for (value,) in cursor.fetchall()}
    assert len(lengths) == 1  # no wish and two of them seal to the same length
    lifecycle.acknowledge(request, team.c, timedelta(minutes=5))
    lifecycle.close(request, team.c)
    request.refresh_from_db()
    assert request.sealed_routing == ""


def test_a_new_peer_is_paged_only_for_requests_made_after_the_grant(
    team: Team, recorder: Recorder, moment: Clock, client_of: ClientOf
) -> None:
    waiting = reach_out(team)
    newcomer = team.world.coordinator  # given the peer role by someone else, now
    moment.later(minutes=1)
    Membership.objects.create(
        user=newcomer, region=team.world.region, agency=team.world.agency, role=Role.PEER
    )
    team.rotation.members.update(user=newcomer)  # and even put on call
    moment.later(minutes=10)
    assert newcomer.pk not in paged(waiting)
    assert {s.address for s in recorder.take(containing="support request")} == {
        "a@mail.test",
        "+15550100002",
    }
    recorder.expect(to="coord@mail.test", subject="Backline: a request needs your team — now")
    with pytest.raises(lifecycle.NotAllowed):
        lifecycle.acknowledge(waiting, newcomer, timedelta(minutes=5))
    assert client_of(newcomer).get(reverse("support:open")).content.count(b"A colleague") == 0

    lifecycle.cancel(waiting)
    moment.later(minutes=1)
    later = reach_out(team)
    assert paged(later) == {newcomer.pk}
    assert lifecycle.acknowledge(later, newcomer, timedelta(minutes=5))


def test_coordinator_steps_alert_without_offering_the_request(
    team: Team, recorder: Recorder, moment: Clock, client_of: ClientOf
) -> None:
    request = reach_out(team)
    moment.later(minutes=10)  # step 3: the coordinator
    assert {s.address for s in recorder.take()} == {
        "a@mail.test",
        "+15550100002",
        "coord@mail.test",
    }
    alert = OutgoingMessage.objects.get(recipient=team.world.coordinator, channel=Channel.EMAIL)
    page = Page.objects.get(peer=team.world.coordinator, kind=PageKind.COORDINATOR)
    assert alert.link.endswith(reverse("support:alert", args=[page.link_id]))
    coordinator = client_of(team.world.coordinator)
    assert coordinator.get(reverse("support:offer", args=[request.public_id])).status_code == 404
    with pytest.raises(lifecycle.NotAllowed):
        lifecycle.acknowledge(request, team.world.coordinator, timedelta(minutes=5))


def test_a_peer_who_asks_anonymously_is_never_paged_for_it(
    team: Team, recorder: Recorder, moment: Clock
) -> None:
    request, _token = asking.reach_out(
        team.a, team.world.region, escalation.Ask("now", "call", anonymous=True)
    )
    moment.later(minutes=5)
    assert team.a.pk not in paged(request)  # A is on call, and is the one who asked
    assert paged(request) == {team.b.pk}
    recorder.expect(to="+15550100002")
    with pytest.raises(lifecycle.NotAllowed):
        lifecycle.acknowledge(request, team.a, timedelta(minutes=5))


def test_outside_my_agency_means_every_agency_either_person_works_at(
    team: Team, recorder: Recorder, moment: Clock
) -> None:
    """C's peer role is at the other agency, but C dispatches at mine."""
    team.c.memberships.filter(role=Role.TELECOMMUNICATOR).update(agency=team.world.agency)
    Availability.objects.create(user=team.c, until=clock.now() + timedelta(hours=2))
    request = reach_out(team, outside_agency=True)
    moment.tick()
    assert paged(request) == set()


def test_asked_once_the_peers_outside_my_agency_were_all_paged_and_none_answered(
    team: Team, recorder: Recorder, moment: Clock
) -> None:
    """Step 2 rings all available peers: of them, the wish allows only C, already paged
    in step 1's place; so five minutes in, the requester is asked."""
    step = team.policy.steps.get(order=1)
    step.targets.all().delete()
    StepTarget.objects.create(step=step, kind=TargetKind.ALL_AVAILABLE)
    for peer in (team.b, team.c):
        Availability.objects.create(user=peer, until=clock.now() + timedelta(hours=2))
    request = reach_out(team, outside_agency=True)
    moment.tick()
    request.refresh_from_db()
    assert paged(request) == {team.c.pk} and not request.asks_consent  # C, just paged
    recorder.expect(to="c@mail.test")
    moment.later(minutes=5)
    request.refresh_from_db()
    assert paged(request) == {team.c.pk} and request.asks_consent
    recorder.expect(to="c@mail.test")  # step 2 names C itself: paged again
