"""The coordinator's page of a request: reached from the alert, only by the team's
coordinators; it shows what the team did and never who asked; "page again" pages the
available peers the wishes allow, once per tap; the on-call peer's phone, audited."""

from __future__ import annotations

import threading
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.db import connection, connections
from django.urls import reverse

from backline.accounts.models import User
from backline.accounts.roles import Role
from backline.lib import clock
from backline.notify.models import Channel, ContactMethod, OutgoingMessage
from backline.oncall.models import Availability
from backline.privacy.models import AuditEntry
from backline.support import coordinate, escalation, lifecycle
from backline.support.models import (
    EscalationState,
    Event,
    EventKind,
    Exclusion,
    Page,
    RequestStatus,
    SupportRequest,
)
from tests import asking
from tests.harness import ClientOf, Clock, Recorder, Team, reachable
from tests.personas import World, enrol_totp, make_person
from tests.support.test_escalation import reach_out

PAGE_AGAIN = "Page all available peers again"


def page_of(request: SupportRequest) -> str:
    return reverse("support:coordinate", args=[request.public_id])


def again_url(request: SupportRequest) -> str:
    return reverse("support:page_again", args=[request.public_id])


def path_of(message: OutgoingMessage) -> str:
    return urlsplit(message.link).path


def repaged(request: SupportRequest) -> set[int]:
    return set(
        Page.objects.filter(request=request, step_index__isnull=True).values_list(
            "peer_id", flat=True
        )
    )


def available(*peers: User) -> None:
    for peer in peers:
        Availability.objects.create(user=peer, until=clock.now() + timedelta(hours=8))


def test_the_coordinator_step_leads_to_the_page_of_the_request(
    team: Team, recorder: Recorder, moment: Clock, client_of: ClientOf
) -> None:
    request = reach_out(team)
    moment.later(minutes=5)  # step 2: B
    assert {s.address for s in recorder.take()} == {"a@mail.test", "+15550100002"}
    moment.later(minutes=5)  # step 3: the coordinator
    recorder.expect(to="coord@mail.test")
    alert = OutgoingMessage.objects.get(recipient=team.world.coordinator, channel=Channel.EMAIL)
    assert alert.body == (
        "A colleague's request (now) is waiting for a peer. Open Backline to see what the team "
        "has tried and page again."
    )
    coordinator = client_of(team.world.coordinator)
    response = coordinator.get(path_of(alert))
    assert response.status_code == 302 and response["Location"] == page_of(request)
    html = coordinator.get(page_of(request)).content.decode()
    assert "Looking for a peer" in html and "Now" in html
    # the steps fired, with how many peers each one paged and when: not who
    # (15:00 UTC, in the coordinator's time zone: Los Angeles)
    assert "Mon 2 Mar, 07:00</time> — Peers were paged: 1 peer" in html  # the on-call peer
    assert "Mon 2 Mar, 07:05</time> — Peers were paged: 1 peer" in html  # then B
    assert "The coordinator was alerted to organize help" in html
    assert html.count("button-primary") == 1 and PAGE_AGAIN in html


def test_the_unanswered_alert_leads_there_too(
    team: Team, recorder: Recorder, moment: Clock, client_of: ClientOf
) -> None:
    request = reach_out(team)
    for _ in range(6):  # the whole policy, twice
        moment.later(minutes=5)
    request.refresh_from_db()
    assert request.exhausted_at is not None
    alert = recorder.expect(to="coord@mail.test", containing="still unanswered")
    recorder.ignore_rest()  # the two passes' pages: the escalation's story
    assert "Open Backline to see what the team has tried and page again." in alert.body
    assert urlsplit(alert.link).path == page_of(request)
    html = client_of(team.world.coordinator).get(page_of(request)).content.decode()
    assert "Every step passed unanswered" in html


def test_only_the_teams_coordinators_reach_it(
    team: Team, recorder: Recorder, moment: Clock, client_of: ClientOf
) -> None:
    world = team.world
    request = reach_out(team)
    moment.later(minutes=10)
    assert {s.address for s in recorder.take()} == {
        "a@mail.test",
        "+15550100002",
        "coord@mail.test",
    }
    link = path_of(OutgoingMessage.objects.get(recipient=world.coordinator, channel="inapp"))
    second = make_person("co2@harbor.test", "Sol Second", world.agency, Role.COORDINATOR)
    enrol_totp(second)
    assert client_of(second).get(page_of(request)).status_code == 200  # not paged: may act
    assert client_of(second).get(link).status_code == 404  # but not by someone else's link
    before = Page.objects.count()
    for person in (
        world.outsider,  # a coordinator of another team
        team.a,  # a peer, paged for it
        world.telecommunicator,  # who asked
        make_person("tc2@harbor.test", "Tam Other", world.agency, Role.TELECOMMUNICATOR),
        world.administrator,
        world.clinician,
    ):
        client = client_of(person)
        for answer in (
            client.get(page_of(request)),
            client.post(again_url(request)),
            client.get(link),
        ):
            assert answer.status_code == 404, person
    assert Page.objects.count() == before
    unknown = reverse("support:coordinate", args=["not-a-request"])
    assert client_of(world.coordinator).get(unknown).status_code == 404


@pytest.mark.parametrize("anonymous", [False, True], ids=["named", "anonymous"])
def test_the_page_never_shows_who_asked_nor_their_wishes(
    team: Team, recorder: Recorder, moment: Clock, client_of: ClientOf, anonymous: bool
) -> None:
    world = team.world
    asker = make_person(
        "hazel.quist@harbor.test", "Hazel Quist", world.agency, Role.TELECOMMUNICATOR
    )
    asker.preferred_name = "Hazelnut"
    asker.save(update_fields=["preferred_name"])
    reachable(asker, Channel.SMS, "+15550109876")  # their own phone
    Exclusion.objects.create(owner=asker, excluded=team.a)  # A is on call, and has a phone
    reachable(team.a, Channel.SMS, "+13195550142")
    available(team.c)
    request, _token = asking.reach_out(
        asker,
        world.region,
        escalation.Ask(
            "now",
            "call",
            anonymous=anonymous,
            note="the Ashdown Road call",
            callback_number="+15550104482",
        ),
    )
    moment.later(minutes=5)  # step 1 (A) is ruled out and waits; step 2 pages B
    recorder.expect(to="+15550100002")
    coordinator = client_of(world.coordinator)
    assert coordinator.post(again_url(request)).status_code == 302  # B and C, never A
    html = coordinator.get(page_of(request)).content.decode()
    assert "peers again: 1 peer<" in html  # how many, never who (C; B was paged already)
    hidden = [
        "Hazel",
        "Quist",
        "hazel.quist",
        "Ashdown",
        "5550109876",
        "(555) 010-9876",
        "5550104482",
        "(555) 010-4482",
        "Pat Peer",  # excluded: never paged, never offered as a call, nowhere on the page
        "3195550142",
        "exclu",
        "wish",
        "nobody to page",  # the step the exclusion emptied is not shown as skipped
    ]
    for text in hidden:
        assert text.casefold() not in html.casefold(), text
    assert not Page.objects.filter(request=request, peer=team.a).exists()
    assert not AuditEntry.objects.filter(subject_id__in=[asker.pk, team.a.pk]).exists()


def test_wishes_narrow_the_page_again_and_are_not_shown(
    team: Team, recorder: Recorder, moment: Clock, client_of: ClientOf
) -> None:
    request = reach_out(team, outside_agency=True)  # A and B share the requester's agency
    assert EventKind.NARROWED in request.events.values_list("kind", flat=True)
    available(team.b, team.c)
    coordinator = client_of(team.world.coordinator)
    coordinator.post(again_url(request))
    assert repaged(request) == {team.c.pk}
    html = coordinator.get(page_of(request)).content.decode()
    for text in ("outside", "agency", "wishes", "Harbor 911", "Bayside"):
        assert text not in html, text


def test_page_again_pages_the_available_peers_the_requester_allows(
    team: Team, recorder: Recorder, moment: Clock, client_of: ClientOf
) -> None:
    world = team.world
    Exclusion.objects.create(owner=world.telecommunicator, excluded=team.b)
    available(team.b, team.c)  # A is on call; B and C said "available now"
    outsider_peer = make_person("far@prairie.test", "Far Peer", world.outside_agency, Role.PEER)
    available(outsider_peer)  # of another team
    request = reach_out(team)
    moment.later(minutes=1)
    recorder.expect(to="a@mail.test")
    response = client_of(world.coordinator).post(again_url(request), follow=True)
    assert b"The available peers were paged again." in response.content
    assert repaged(request) == {team.a.pk, team.c.pk}  # never B, whom they excluded
    event = Event.objects.get(request=request, kind=EventKind.REPAGED)
    assert event.count == 2 and event.step_index is None
    messages = OutgoingMessage.objects.filter(group_key=request.group_key, channel="inapp")
    again = messages.filter(created_at=event.at)
    assert set(again.values_list("recipient_id", flat=True)) == {team.a.pk, team.c.pk}
    for page in Page.objects.filter(request=request, step_index__isnull=True):
        assert again.filter(link__endswith=f"/support/pages/{page.link_id}/").exists()
    html = response.content.decode()
    assert "A coordinator paged the available peers again: 2 peers" in html
    # each peer paged again may take it from the page's link; B may not
    assert (
        client_of(team.c).get(reverse("support:offer", args=[request.public_id])).status_code == 200
    )
    assert (
        client_of(team.b).get(reverse("support:offer", args=[request.public_id])).status_code == 404
    )
    # the escalation goes on where it was: step 2 (B, excluded) waits its time
    moment.later(minutes=4)
    assert sorted(s.address for s in recorder.take()) == ["a@mail.test", "c@mail.test"]
    assert EscalationState.objects.get(request=request).step_index == 2
    assert not Page.objects.filter(request=request, peer=team.b).exists()


def test_a_double_tap_pages_once(
    team: Team, recorder: Recorder, moment: Clock, client_of: ClientOf
) -> None:
    request = reach_out(team)
    coordinator = client_of(team.world.coordinator)
    coordinator.post(again_url(request))
    second = coordinator.post(again_url(request), follow=True)
    assert b"paged again a moment ago, so nobody was paged twice" in second.content
    assert Event.objects.filter(request=request, kind=EventKind.REPAGED).count() == 1
    assert Page.objects.filter(request=request, step_index__isnull=True).count() == 1
    moment.later(minutes=2, seconds=1)  # past the window: a new tap pages again
    assert len(recorder.take(to="a@mail.test")) == 2  # the step's page, and one again
    coordinator.post(again_url(request))
    assert Page.objects.filter(request=request, step_index__isnull=True).count() == 2


def test_nobody_available_is_said_plainly(
    team: Team, recorder: Recorder, moment: Clock, client_of: ClientOf
) -> None:
    Exclusion.objects.create(owner=team.world.telecommunicator, excluded=team.a)
    request = reach_out(team)  # A, the only available peer, is excluded
    response = client_of(team.world.coordinator).post(again_url(request), follow=True)
    assert b"No peer is available to page right now." in response.content
    assert repaged(request) == set()
    assert "nobody was available" in response.content.decode()


def test_page_again_is_refused_once_taken_or_ended(
    team: Team, recorder: Recorder, moment: Clock, client_of: ClientOf
) -> None:
    request = reach_out(team)
    coordinator = client_of(team.world.coordinator)
    assert lifecycle.acknowledge(request, team.a, timedelta(minutes=5))
    page = coordinator.get(page_of(request)).content.decode()
    assert PAGE_AGAIN not in page and "A peer has taken this request." in page
    assert "Taken" in page and "A peer took the request" in page
    refused = coordinator.post(again_url(request), follow=True)
    assert b"A peer has already taken this request. Nobody was paged." in refused.content
    lifecycle.close(request, team.a)
    ended = coordinator.post(again_url(request), follow=True)
    assert b"This request has ended. Nobody was paged." in ended.content
    assert PAGE_AGAIN.encode() not in ended.content
    assert repaged(request) == set()
    assert not Event.objects.filter(kind=EventKind.REPAGED).exists()


def test_a_page_again_in_the_same_moment_as_a_take_pages_nobody(
    team: Team, recorder: Recorder, moment: Clock
) -> None:
    request = reach_out(team)
    stale = SupportRequest.objects.get(pk=request.pk)  # read before the take
    lifecycle.acknowledge(request, team.a, timedelta(minutes=5))
    assert escalation.page_again(stale) is escalation.Again.OVER
    assert repaged(request) == set()


def test_the_on_call_peers_phone_one_tap_and_audited(
    team: Team, recorder: Recorder, moment: Clock, client_of: ClientOf
) -> None:
    world = team.world
    reachable(team.a, Channel.SMS, "+13195550142")
    ContactMethod.objects.create(user=team.a, channel=Channel.VOICE, value="+13195550000")
    request = reach_out(team)  # A, on call, is paged at step 1; B has a phone, not on call
    html = client_of(world.coordinator).get(page_of(request)).content.decode()
    assert 'href="tel:+13195550142"' in html
    assert "Call Pat Peer · (319) 555-0142" in html
    assert "3195550000" not in html  # not verified
    assert "+15550100002" not in html  # B is not on call
    entry = AuditEntry.objects.get(action=coordinate.PHONE_SEEN)
    assert (entry.actor_id, entry.subject_id) == (world.coordinator.pk, team.a.pk)
    seen = client_of(team.a).get(reverse("who_has_seen_my_data")).content.decode()
    assert "Cory Coordinator" in seen and "saw your phone number" in seen
    lifecycle.acknowledge(request, team.a, timedelta(minutes=5))
    taken = client_of(world.coordinator).get(page_of(request)).content.decode()
    assert "tel:+1" not in taken  # nothing to call about: no new read
    assert AuditEntry.objects.filter(action=coordinate.PHONE_SEEN).count() == 1


def test_an_on_call_peer_without_a_phone_is_named_without_a_link(
    team: Team, recorder: Recorder, moment: Clock, client_of: ClientOf
) -> None:
    request = reach_out(team)
    html = client_of(team.world.coordinator).get(page_of(request)).content.decode()
    assert "Pat Peer is on call and has no verified phone number in Backline." in html
    assert "tel:+1" not in html
    assert not AuditEntry.objects.filter(action=coordinate.PHONE_SEEN).exists()


def test_an_expired_alert_link(
    team: Team, recorder: Recorder, moment: Clock, client_of: ClientOf
) -> None:
    reach_out(team)
    moment.later(minutes=10)
    link = path_of(OutgoingMessage.objects.get(recipient=team.world.coordinator, channel="inapp"))
    recorder.ignore_rest()  # a day of pages and alerts: the link's age is the story
    moment.later(hours=23, minutes=59)
    assert client_of(team.world.coordinator).get(link).status_code == 302
    moment.later(minutes=1)
    expired = client_of(team.world.coordinator).get(link)  # signed in again, a day later
    assert expired.status_code == 410
    assert reverse("support:team").encode() in expired.content


def test_the_team_page_lists_open_requests(
    team: Team, recorder: Recorder, moment: Clock, client_of: ClientOf
) -> None:
    request = reach_out(team, note="the Marrowby call")
    moment.later(minutes=3)
    recorder.expect(to="a@mail.test")
    other = make_person("b2@harbor.test", "Bea Second", team.world.agency, Role.TELECOMMUNICATOR)
    ended, _ = asking.reach_out(other, team.world.region, escalation.Ask("week", "text"))
    lifecycle.cancel(ended)
    html = client_of(team.world.coordinator).get(reverse("support:team")).content.decode()
    assert f'href="{page_of(request)}"' in html
    assert "A colleague — Now — asked 3\xa0minutes ago — Looking for a peer" in html
    assert page_of(ended) not in html
    assert "Tess" not in html and "Marrowby" not in html and "Bea" not in html


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a real race needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_coordinators_paging_again_at_once_page_once(world: World) -> None:
    request, _ = asking.reach_out(
        world.telecommunicator, world.region, escalation.Ask(urgency="now", contact="call")
    )
    Availability.objects.create(user=world.peer, until=clock.now() + timedelta(hours=1))
    barrier = threading.Barrier(2)
    outcomes: list[escalation.Again] = []

    def tap() -> None:
        try:
            barrier.wait()
            outcomes.append(escalation.page_again(request))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=tap) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(o.value for o in outcomes) == ["just done", "paged"]
    assert Event.objects.filter(request=request, kind=EventKind.REPAGED).count() == 1
    assert SupportRequest.objects.get(pk=request.pk).status == RequestStatus.OPEN
