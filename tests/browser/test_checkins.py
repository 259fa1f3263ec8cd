"""Check-ins on a phone in dark mode: the peer plans a weekly check-in (and is told
plainly when the last day comes before the first), the colleague answers "Not now",
then "Let's talk", and is connected to that peer; the settings and the coordinator's
counts read well too. Every page is checked with axe."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core import mail
from playwright.sync_api import Page, expect
from pytest_django.fixtures import Settings

from backline.checkins.models import Answer, Nudge, Plan
from backline.engine.loop import tick
from backline.lib import clock
from backline.notify.models import Channel, ContactMethod
from backline.support.models import SupportRequest
from tests.browser.support import ON_A_PHONE, check_page, sign_in
from tests.oncall import builders
from tests.personas import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def team(world: World, site: str, settings: Settings) -> World:
    """The peer is on call; the peer and the telecommunicator are reachable by e-mail."""
    settings.BACKLINE_PUBLIC_URL = site
    builders.policy(world.region, builders.rotation(world.region, [world.peer]))
    for person, address in (
        (world.peer, "pat@mail.test"),
        (world.telecommunicator, "tess@mail.test"),
    ):
        ContactMethod.objects.create(
            user=person, channel=Channel.EMAIL, value=address, verified_at=clock.now()
        )
    return world


def test_a_peer_plans_a_weekly_check_in_and_the_colleague_asks_to_talk(
    open_page: Callable[..., Page], site: str, team: World
) -> None:
    world = team
    zone = world.telecommunicator.time_zone
    tomorrow = (clock.now().astimezone(zone) + timedelta(days=1)).date()

    peer = open_page(**ON_A_PHONE)
    sign_in(peer, site, world.peer, world.totp_secrets[world.peer.pk], suffix="-checkins-peer")
    peer.get_by_role("link", name="Check-ins", exact=True).click()
    expect(peer.get_by_role("heading", name="Your check-ins")).to_be_visible()
    check_page(peer, "checkins-plans-empty")
    peer.get_by_role("link", name="Plan a check-in").click()
    peer.get_by_label("Your colleague's e-mail address").fill(world.telecommunicator.email)
    peer.get_by_label("Every week").check()
    peer.get_by_label("First day").fill(tomorrow.isoformat())
    peer.get_by_label("Time").fill("09:00")
    peer.get_by_label("Last day").fill((tomorrow - timedelta(days=1)).isoformat())
    check_page(peer, "checkins-plan-form")
    peer.get_by_role("button", name="Plan it").click()
    expect(peer.get_by_text("The last day comes before the first one.")).to_be_visible()
    check_page(peer, "checkins-plan-refused")
    assert not Plan.objects.exists()
    peer.get_by_label("Last day").fill((tomorrow + timedelta(weeks=6)).isoformat())
    peer.get_by_role("button", name="Plan it").click()
    expect(
        peer.get_by_text("Planned. Backline reminds you an hour before each check-in.")
    ).to_be_visible()
    expect(peer.get_by_text("Tess Caller", exact=True)).to_be_visible()
    check_page(peer, "checkins-plans")

    plan = Plan.objects.get()
    assert plan.next_at is not None
    tick(plan.next_at)  # the engine, at 9:00 tomorrow in their zone, sends the nudge
    nudged = [m for m in mail.outbox if m.to == ["tess@mail.test"]]
    assert [m.subject for m in nudged] == ["Backline: a peer is checking in"]
    assert "Pat" not in str(nudged[0].body)
    found = re.search(r"(http\S+/checkins/nudges/\S+/)", str(nudged[0].body))
    assert found, nudged[0].body

    colleague = open_page(**ON_A_PHONE)
    sign_in(colleague, site, world.telecommunicator, suffix="-checkins-colleague")
    colleague.goto(found.group(1))
    expect(colleague.get_by_role("heading", name="A peer is checking in")).to_be_visible()
    expect(colleague.get_by_text("Pat Peer, a peer supporter of your team")).to_be_visible()
    check_page(colleague, "checkins-nudge")
    colleague.get_by_label("Tomorrow morning").check()
    colleague.get_by_role("button", name="Not now").click()
    expect(colleague.get_by_text(re.compile(r"All right\. Backline asks again on"))).to_be_visible()
    assert Nudge.objects.get().answer == Answer.LATER

    colleague.goto(found.group(1))
    colleague.get_by_role("button", name="Let's talk").click()
    expect(colleague).to_have_url(re.compile(r"/support/requests/[\w-]{16}/$"))
    expect(colleague.get_by_text("Your peer is being asked to reach you.")).to_be_visible()
    check_page(colleague, "checkins-talk")
    made = SupportRequest.objects.get()
    assert made.preferred_peer == world.peer and Nudge.objects.get().answer == Answer.TALK

    colleague.goto(f"{site}/checkins/settings/")
    expect(colleague.get_by_role("heading", name="Check-ins with you")).to_be_visible()
    check_page(colleague, "checkins-settings")

    coordinator = open_page(**ON_A_PHONE)
    sign_in(coordinator, site, world.coordinator, world.totp_secrets[world.coordinator.pk],
            suffix="-checkins-coordinator")  # fmt: skip
    coordinator.goto(f"{site}/checkins/team/")
    expect(coordinator.get_by_role("heading", name="Check-ins of your team")).to_be_visible()
    expect(coordinator.get_by_text("Tess Caller")).to_have_count(0)
    check_page(coordinator, "checkins-team")


def test_after_the_peer_left_the_colleague_chooses_who_continues(
    open_page: Callable[..., Page], site: str, team: World
) -> None:
    world = team
    second = builders.peer(world, "bo@harbor.test", "Bo Bee")
    today = clock.now().astimezone(world.telecommunicator.time_zone).date()
    Plan.objects.create(
        region=world.region,
        peer=None,
        colleague=world.telecommunicator,
        frequency="weekly",
        starts_on=today + timedelta(days=1),
        at=clock.now().time().replace(microsecond=0),
        time_zone=world.telecommunicator.time_zone.key,
        ends_on=today + timedelta(weeks=4),
        handed_over_at=clock.now(),
    )
    colleague = open_page(**ON_A_PHONE)
    sign_in(colleague, site, world.telecommunicator, suffix="-checkins-handover")
    colleague.goto(f"{site}/checkins/settings/")
    expect(colleague.get_by_role("heading", name="May another peer continue?")).to_be_visible()
    check_page(colleague, "checkins-handed-over")
    colleague.get_by_label("Peer to continue").select_option(
        label="Bo Bee (Harbor 911) · bo@harbor.test"
    )
    colleague.get_by_role("button", name="Continue with this peer").click()
    expect(
        colleague.get_by_text("Thank you. Your check-ins continue with this peer.")
    ).to_be_visible()
    assert Plan.objects.get().peer == second
    check_page(colleague, "checkins-continued")
