"""Taking a request with a push notification's "I'll take it": what the push carries
(through the real web-push transport to the fake push service on loopback) and what
its button's post does."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import http_ece
import pytest
from django.test import Client
from django.urls import reverse
from py_vapid import Vapid02, b64urlencode
from pytest_django.fixtures import Settings

from backline.accounts.models import Membership, User
from backline.accounts.roles import Role
from backline.lib import clock
from backline.notify import outbox
from backline.notify.models import Channel, OutgoingMessage
from backline.notify.push.tests.fake_push import Device, FakePushService
from backline.support import answers, escalation, lifecycle, messages
from backline.support.models import Event, EventKind, Page, RequestStatus, SupportRequest
from tests import asking
from tests.harness import ClientOf, Clock, Response, Team, reachable

PUBLIC_URL = "http://testserver"


@pytest.fixture
def service(settings: Settings) -> Iterator[FakePushService]:
    fake = FakePushService().start()
    vapid = Vapid02()
    vapid.generate_keys()
    raw = vapid.private_key.private_numbers().private_value.to_bytes(32, "big")
    settings.BACKLINE_VAPID_PRIVATE_KEY = b64urlencode(raw)
    settings.BACKLINE_VAPID_SUBJECT = "mailto:backline@harbor.test"
    settings.BACKLINE_PUSH_SERVICES = ["127.0.0.1"]
    yield fake
    fake.stop()


@pytest.fixture(autouse=True)
def public_url(settings: Settings) -> None:
    settings.BACKLINE_PUBLIC_URL = PUBLIC_URL


def ask(team: Team, urgency: str = "now") -> SupportRequest:
    request, _ = asking.reach_out(
        team.world.telecommunicator, team.world.region, escalation.Ask(urgency, "call")
    )
    return request


def paged(request: SupportRequest, peer: User) -> Page:
    """As a step that pages this peer does (whatever the hour, for any urgency). The
    policy's first step pages A at once; this pages B beside A."""
    return Page.objects.create(request=request, peer=peer, step_index=0, loop_count=0)


def tap(client: Client, page: Page, peer: User | None = None) -> Response:
    """The post the service worker makes when the button is tapped."""
    peer = peer or page.peer
    return client.post(
        answers.tap_url(page.link_id, peer.pk), headers={"Accept": "application/json"}
    )


def test_a_page_pushed_to_the_browser_carries_the_button_and_nothing_that_names_anyone(
    team: Team, moment: Clock, service: FakePushService
) -> None:
    device = Device()
    reachable(team.a, Channel.PUSH, json.dumps(device.subscription(service.endpoint())))
    request = ask(team)
    moment.tick()

    [push] = service.pushes
    opened = json.loads(
        http_ece.decrypt(
            push.body, private_key=device.private_key, auth_secret=device.auth, version="aes128gcm"
        )
    )
    page = Page.objects.get(request=request, peer=team.a)
    assert opened == {
        "title": "Backline: support request — now",
        "body": "A colleague reached out for peer support (now). Open Backline to respond.",
        "url": messages.page_link(page.link_id),
        "action": {"title": "I'll take it", "url": answers.tap_url(page.link_id, team.a.pk)},
        "tag": outbox.key_of(OutgoingMessage.objects.get(channel=Channel.PUSH).pk),
    }
    for identifying in ("Tess", "Caller", "tc@harbor.test", request.public_id):
        assert identifying not in json.dumps(opened)


@pytest.mark.parametrize(
    ("urgency", "minutes", "within"),
    [("now", 15, "15 minutes"), ("hours", 60, "an hour"), ("week", 1440, "a day")],
)
def test_the_button_takes_the_request_with_the_first_choice_for_its_urgency(
    team: Team,
    moment: Clock,
    client_of: ClientOf,
    urgency: str,
    minutes: int,
    within: str,
) -> None:
    request = ask(team, urgency)
    page = paged(request, team.b)

    response = tap(client_of(team.b), page)

    assert response.status_code == 200
    assert response.json() == {
        "outcome": "taken",
        "title": "You took the request",
        "body": f"Please reach out within {within}.",
        "url": reverse("support:request", args=[request.public_id]),
    }
    request.refresh_from_db()
    assert (request.status, request.acknowledged_by_id) == (RequestStatus.ACKNOWLEDGED, team.b.pk)
    assert request.coming_by == clock.now() + timedelta(minutes=minutes)


def test_a_second_tap_says_it_is_yours_and_changes_nothing(
    team: Team, moment: Clock, client_of: ClientOf
) -> None:
    request = ask(team)
    page = paged(request, team.b)
    client = client_of(team.b)
    assert tap(client, page).json()["outcome"] == "taken"
    moment.traveller.shift(timedelta(minutes=1))

    again = tap(client, page).json()

    assert (again["outcome"], again["title"]) == ("yours", "You took this request already")
    assert Event.objects.filter(request=request, kind=EventKind.ACKNOWLEDGED).count() == 1
    request.refresh_from_db()
    assert request.acknowledged_at == clock.now() - timedelta(minutes=1)


def test_a_request_already_taken_says_so_plainly(
    team: Team, moment: Clock, client_of: ClientOf
) -> None:
    request = ask(team)
    page = paged(request, team.b)  # A was paged at once, by the first step
    assert lifecycle.acknowledge(request, team.a, timedelta(minutes=5))

    response = tap(client_of(team.b), page)

    assert response.json() == {
        "outcome": "taken by another",
        "title": "Backline: request taken",
        "body": "Another peer already took this request. Thank you.",
        "url": reverse("support:open"),
    }
    request.refresh_from_db()
    assert request.acknowledged_by_id == team.a.pk


def test_a_request_that_ended_says_so(team: Team, moment: Clock, client_of: ClientOf) -> None:
    request = ask(team)
    page = paged(request, team.b)
    assert lifecycle.cancel(request)

    assert tap(client_of(team.b), page).json()["outcome"] == "ended"
    request.refresh_from_db()
    assert request.acknowledged_by_id is None


def _untouched(request: SupportRequest) -> bool:
    request.refresh_from_db()
    return request.status == RequestStatus.OPEN and request.acknowledged_by_id is None


def test_a_wrong_key_or_another_peers_key_or_page_is_a_404(
    team: Team, moment: Clock, client_of: ClientOf
) -> None:
    request = ask(team)
    mine, theirs = paged(request, team.b), Page.objects.get(request=request, peer=team.a)
    client = client_of(team.b)
    wrong = reverse("support:page_take", args=[mine.link_id, "0" * 40])

    assert client.post(wrong).status_code == 404
    assert tap(client, mine, peer=team.a).status_code == 404  # A's key for B's page
    assert tap(client, theirs).status_code == 404  # A's page, with A's key, as B
    assert _untouched(request)


def test_only_a_post_by_the_signed_in_peer_takes_it(
    team: Team, moment: Clock, client_of: ClientOf
) -> None:
    request = ask(team)
    page = paged(request, team.b)
    url = answers.tap_url(page.link_id, team.b.pk)

    assert client_of(team.b).get(url).status_code == 405
    signed_out = Client().post(url)
    assert signed_out.status_code == 302 and "/accounts/login/" in signed_out["Location"]
    assert _untouched(request)
    # no CSRF token: the key is what only the push carried
    client = Client(enforce_csrf_checks=True)
    client.force_login(team.b)
    assert client.post(url).status_code == 200


def test_a_peer_who_may_no_longer_take_it_gets_the_same_404(
    team: Team, moment: Clock, client_of: ClientOf
) -> None:
    request = ask(team)
    page = paged(request, team.b)
    Membership.objects.filter(user=team.b, role=Role.PEER).delete()
    moment.traveller.shift(timedelta(minutes=1))
    Membership.objects.create(
        user=team.b, region=team.world.region, agency=team.world.agency, role=Role.PEER
    )  # peer again, but since after the request: a grant never reaches back

    assert tap(client_of(team.b), page).status_code == 404
    assert _untouched(request)


def test_the_button_is_void_once_its_page_is_a_day_old(
    team: Team, moment: Clock, client_of: ClientOf
) -> None:
    request = ask(team)
    page = paged(request, team.b)
    moment.traveller.shift(timedelta(hours=24))

    assert tap(client_of(team.b), page).status_code == 404
    assert _untouched(request)
