"""The core loop in two browsers: a telecommunicator reaches out, the on-call peer
takes the request from the link in their page, and the requester sees who is coming."""

from __future__ import annotations

import re
from datetime import date, time

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from backline.engine.loop import tick
from backline.lib import clock
from backline.notify.models import Channel, ContactMethod
from backline.oncall.models import Rotation, RotationMember
from backline.support.models import EscalationPolicy, EscalationStep, StepTarget, TargetKind
from tests.browser.support import check_page, sign_in
from tests.personas import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def paging(world: World, site: str, settings) -> World:
    """The peer is on call in the team's rotation and reachable by e-mail."""
    settings.BACKLINE_PUBLIC_URL = site
    rotation = Rotation.objects.create(
        region=world.region,
        name="Primary",
        kind="weekly",
        time_zone="America/Los_Angeles",
        starts_on=date(2026, 1, 5),
        handoff_time=time(8),
    )
    RotationMember.objects.create(rotation=rotation, user=world.peer, position=0)
    policy = EscalationPolicy.objects.create(region=world.region, name="Standard", is_default=True)
    step = EscalationStep.objects.create(policy=policy, order=0, delay_minutes=5)
    StepTarget.objects.create(step=step, kind=TargetKind.ROTATION, rotation=rotation)
    ContactMethod.objects.create(
        user=world.peer, channel=Channel.EMAIL, value="pat@mail.test", verified_at=clock.now()
    )
    return world


def test_reach_out_take_and_see_who_is_coming(page: Page, open_page, site: str, paging: World):
    world = paging
    sign_in(page, site, world.telecommunicator)
    expect(page.get_by_text("1 peer of your team is available right now.")).to_be_visible()
    page.get_by_role("link", name="Reach out").first.click()
    check_page(page, "reach-out")
    page.get_by_role("button", name="Now").click()  # the second tap
    expect(page).to_have_url(re.compile(r"/support/requests/[\w-]{16}/$"))
    expect(page.get_by_role("heading", name="Looking for a peer")).to_be_visible()
    check_page(page, "request-open")

    tick()  # the engine delivers the page
    assert mail.outbox[-1].to == ["pat@mail.test"]
    body = mail.outbox[-1].body
    assert "Tess" not in body and "Caller" not in body  # lock-screen safe
    link = re.search(r"(http\S+/support/pages/\S+/)", body).group(1)

    peer = open_page()
    sign_in(peer, site, world.peer, world.totp_secrets[world.peer.pk], suffix="-peer")
    peer.goto(link)
    expect(peer.get_by_role("heading", name="A colleague is asking for support")).to_be_visible()
    expect(peer.get_by_text("Tess Caller")).to_have_count(0)
    check_page(peer, "offer")
    peer.get_by_label("I will reach out within").select_option("15")
    peer.get_by_role("button", name="I'll take it").click()
    expect(peer.get_by_role("heading", name="The request you took")).to_be_visible()
    expect(peer.get_by_text("Tess Caller")).to_be_visible()
    check_page(peer, "request-taken")

    # the requester's page updates itself (htmx polling), no reload
    expect(
        page.get_by_text(re.compile(r"Pat Peer took your request and will reach out by"))
    ).to_be_visible(timeout=12_000)
    check_page(page, "request-coming")

    peer.get_by_role("button", name="We are in contact").click()
    peer.get_by_text("Close the request").click()  # a step to confirm
    peer.get_by_role("button", name="Yes, close it").click()
    expect(peer.get_by_text("Closed. Thank you for being there.")).to_be_visible()


def test_an_anonymous_request_is_followed_by_its_private_link(
    page: Page, open_page, site: str, paging: World
):
    sign_in(page, site, paging.telecommunicator)
    page.goto(f"{site}/support/reach-out/")
    page.get_by_text("Options: how to talk, who, a note, anonymous").click()
    page.get_by_label("Ask anonymously").check()
    page.get_by_label("Call-back number (anonymous requests)").fill("+1 555 010 0999")
    page.get_by_role("button", name="Within a few hours").click()
    expect(page.get_by_role("heading", name="Your anonymous request is on its way")).to_be_visible()
    check_page(page, "anonymous-sent")
    follow = page.locator(".follow-link a").get_attribute("href")

    stranger = open_page()  # no sign-in: the link is the key
    stranger.goto(follow)
    expect(stranger.get_by_role("heading", name="Looking for a peer")).to_be_visible()
    check_page(stranger, "anonymous-follow")
    stranger.get_by_text("Cancel my request").click()  # a step to confirm
    stranger.get_by_role("button", name="Yes, cancel it").click()
    expect(stranger.get_by_role("heading", name="Cancelled")).to_be_visible()
