"""The private calendar (ICS) subscription: shown once, parsed back with icalendar, and
made useless by making a new one."""

from __future__ import annotations

import re
from datetime import date, timedelta

from django.test import Client
from django.urls import reverse
from icalendar import Calendar, Component

from backline.accounts.models import Membership
from backline.accounts.roles import Role
from backline.lib import clock, tokens
from backline.oncall import ics, resolve
from backline.oncall.models import CalendarFeed, Override, RotationKind
from backline.support import escalation
from tests import asking
from tests.harness import ClientOf, Response
from tests.oncall import builders


def make_link(client: Client) -> str:
    response = client.post(reverse("oncall:calendar"))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    found = re.search(
        r'value="(http://testserver/oncall/calendar/[^"]+\.ics)"', response.content.decode()
    )
    assert found, "the link is shown"
    return found.group(1).removeprefix("http://testserver")


def events(response: Response) -> list[Component]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return list(Calendar.from_ical(response.content).walk("VEVENT"))


def test_the_feed_lists_the_peers_shifts_as_the_timeline_has_them(
    team: builders.Peers, client_of: ClientOf
) -> None:
    region = team.world.region
    primary = builders.rotation(region, [team.a, team.b], kind=RotationKind.DAILY)
    backup = builders.rotation(region, [team.b, team.a], name="Backup", starts_on=date(2026, 2, 2))
    Override.objects.create(  # B covers part of one of A's shifts
        rotation=primary,
        starts_at=clock.now() + timedelta(days=2, hours=3),
        ends_at=clock.now() + timedelta(days=2, hours=6),
        covered_by=team.b,
        replaces=team.a,
    )
    builders.rotation(region, [team.b], name="Not mine")
    asking.reach_out(  # a request exists: the feed says nothing of it
        team.world.telecommunicator,
        region,
        escalation.Ask(urgency="now", contact="call", note="a private note"),
    )

    url = make_link(client_of(team.a))
    found = events(client_of(team.b).get(url))  # the token alone is enough

    start, end = ics.period(clock.now())
    expected = sorted(
        (shift.starts_at, shift.ends_at, f"On call: {r.name}")
        for r in (primary, backup)
        for shift in resolve.timeline(r, start, end)
        if shift.user_id == team.a.pk
    )
    got = sorted((e.decoded("dtstart"), e.decoded("dtend"), str(e.get("summary"))) for e in found)
    assert got == expected
    assert len(got) > 20  # about sixty days of alternate daily shifts, and backup weeks
    assert got[-1][0] > clock.now() + timedelta(days=55)
    assert len({str(e.get("uid")) for e in found}) == len(found)
    body = Calendar.from_ical(client_of(team.b).get(url).content).to_ical().decode()
    assert "request" not in body.lower() and "private note" not in body
    assert "Tess" not in body


def test_an_unknown_token_is_404(team: builders.Peers, client: Client) -> None:
    assert client.get(reverse("oncall:calendar_feed", args=["not-a-token"])).status_code == 404


def test_a_new_link_stops_the_old_one(
    team: builders.Peers, client_of: ClientOf, client: Client
) -> None:
    builders.rotation(team.world.region, [team.a])
    peer = client_of(team.a)
    first = make_link(peer)
    assert client.get(first).status_code == 200
    second = make_link(peer)
    assert second != first
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200
    assert CalendarFeed.objects.count() == 1
    stored = CalendarFeed.objects.get().token_digest
    token = second.rsplit("/", 1)[1].removesuffix(".ics")
    assert stored == tokens.digest(token) and token not in stored


def test_the_link_is_not_shown_again(team: builders.Peers, client_of: ClientOf) -> None:
    peer = client_of(team.a)
    url = make_link(peer)
    page = peer.get(reverse("oncall:home")).content.decode()
    assert url not in page
    assert "Make a new calendar link" in page


def test_a_deactivated_peer_feed_is_404(
    team: builders.Peers, client_of: ClientOf, client: Client
) -> None:
    url = make_link(client_of(team.a))
    team.a.is_active = False
    team.a.save()
    assert client.get(url).status_code == 404


def test_a_person_who_left_every_team_gets_404(
    team: builders.Peers, client_of: ClientOf, client: Client
) -> None:
    url = make_link(client_of(team.a))
    team.a.memberships.all().delete()
    assert client.get(url).status_code == 404


def test_a_peer_who_is_no_longer_a_peer_keeps_a_feed_without_shifts(
    team: builders.Peers, client_of: ClientOf, client: Client
) -> None:
    builders.rotation(team.world.region, [team.a])
    url = make_link(client_of(team.a))
    assert events(client.get(url))
    Membership.objects.get_or_create(
        user=team.a,
        region=team.world.region,
        agency=team.world.agency,
        role=Role.TELECOMMUNICATOR,
        defaults={"created_at": clock.now()},
    )
    team.a.memberships.filter(role=Role.PEER).delete()
    assert events(client.get(url)) == []


def test_every_member_may_make_a_calendar_link_for_their_sessions(
    team: builders.Peers, client_of: ClientOf, client: Client
) -> None:
    url = make_link(client_of(team.world.telecommunicator))
    feed = client.get(url)
    assert feed.status_code == 200 and events(feed) == []  # no shifts, no sessions yet
    assert CalendarFeed.objects.get().user == team.world.telecommunicator
