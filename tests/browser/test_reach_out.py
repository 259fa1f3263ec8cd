"""The core loop in two browsers: a telecommunicator reaches out, the on-call peer
takes the request from the link in their page, and the requester sees who is coming."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, time

import pytest
from django.core import mail
from playwright.sync_api import Page, expect
from pytest_django.fixtures import Settings

from backline.engine.loop import tick
from backline.lib import clock
from backline.notify.models import Channel, ContactMethod
from backline.oncall.models import Rotation, RotationMember
from backline.support.models import (
    EscalationPolicy,
    EscalationStep,
    StepTarget,
    SupportRequest,
    TargetKind,
)
from tests.browser.support import ON_A_PHONE, check_page, sign_in
from tests.personas import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def paging(world: World, site: str, settings: Settings) -> World:
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


def test_call_me_now_ends_with_the_peer_pressing_call(
    open_page: Callable[..., Page], site: str, paging: World
) -> None:
    """A telecommunicator asks "Call me, now" on their verified phone in one tap; the
    peer takes it from the page's link, and the first thing on their screen is the call."""
    world = paging
    ContactMethod.objects.create(
        user=world.telecommunicator,
        channel=Channel.SMS,
        value="+13195550142",
        verified_at=clock.now(),
    )
    phone = open_page(**ON_A_PHONE)
    sign_in(phone, site, world.telecommunicator)
    expect(phone.get_by_text("1 peer of your team is available right now.")).to_be_visible()
    phone.get_by_role("link", name="Reach out").first.click()
    expect(phone.get_by_label("My phone, (319) 555-0142")).to_be_checked()  # chosen already
    check_page(phone, "reach-out")
    phone.get_by_role("button", name="Now").click()  # the second tap
    expect(phone).to_have_url(re.compile(r"/support/requests/[\w-]{16}/$"))
    expect(phone.get_by_role("heading", name="Looking for a peer")).to_be_visible()
    expect(phone.get_by_text("The peer will call you at (319) 555-0142.")).to_be_visible()
    check_page(phone, "request-open")

    tick()  # the engine delivers the page
    assert mail.outbox[-1].to == ["pat@mail.test"]
    body = str(mail.outbox[-1].body)
    assert "Tess" not in body and "Caller" not in body and "555" not in body  # lock-screen safe
    found = re.search(r"(http\S+/support/pages/\S+/)", body)
    assert found, body
    link = found.group(1)

    peer = open_page(**ON_A_PHONE)
    sign_in(peer, site, world.peer, world.totp_secrets[world.peer.pk], suffix="-peer")
    peer.goto(link)
    expect(peer.get_by_role("heading", name="A colleague is asking for support")).to_be_visible()
    expect(peer.get_by_text("Tess Caller")).to_have_count(0)
    check_page(peer, "offer")
    peer.get_by_role("button", name="I'll take it").click()
    call = peer.get_by_role("link", name="Call (319) 555-0142")
    expect(call).to_be_in_viewport()  # the first thing on the screen
    assert call.get_attribute("href") == "tel:+13195550142"
    expect(peer.get_by_text("Tess Caller")).to_be_visible()
    check_page(peer, "request-taken")

    # the requester's page updates itself (htmx polling), no reload
    expect(phone.get_by_text("Pat Peer will call you at (319) 555-0142.")).to_be_visible(
        timeout=12_000
    )
    check_page(phone, "request-coming")

    peer.get_by_role("button", name="We are in contact").click()
    peer.get_by_text("Close the request").click()  # a step to confirm
    peer.get_by_role("button", name="Yes, close it").click()
    expect(peer.get_by_text("Closed. Thank you for being there.")).to_be_visible()


def test_an_anonymous_request_goes_to_its_private_page(
    open_page: Callable[..., Page], site: str, paging: World
) -> None:
    phone = open_page(**ON_A_PHONE, permissions=["clipboard-read", "clipboard-write"])
    sign_in(phone, site, paging.telecommunicator)
    phone.goto(f"{site}/support/reach-out/")
    number = phone.get_by_label("Number to reach you on")
    number.fill("319 555 0199")
    number.press("Enter")  # Enter in a field sends nothing
    phone.get_by_text("More options: who, a note, anonymous").click()
    phone.get_by_label("Ask anonymously").check()
    expect(phone.get_by_role("heading", name="Reach out to a peer")).to_be_visible()
    assert not SupportRequest.objects.exists()
    phone.get_by_role("button", name="Within a few hours").click()

    # straight to the follow page, which offers its own link to keep
    expect(phone).to_have_url(re.compile(r"/support/follow/[\w-]+/$"))
    expect(phone.get_by_role("heading", name="Looking for a peer")).to_be_visible()
    expect(
        phone.get_by_text("The peer will call you at the number ending in 0199.")
    ).to_be_visible()
    check_page(phone, "anonymous-follow")
    phone.get_by_role("button", name="Copy link").click()
    expect(phone.get_by_text("Copied.")).to_be_visible()
    follow = phone.evaluate("navigator.clipboard.readText()")
    assert follow == phone.url
    phone.reload()  # a reload does not send a second request
    expect(phone.get_by_role("heading", name="Looking for a peer")).to_be_visible()
    assert SupportRequest.objects.count() == 1

    stranger = open_page(**ON_A_PHONE)  # no sign-in: the link is the key
    stranger.goto(follow)
    expect(stranger.get_by_role("heading", name="Looking for a peer")).to_be_visible()
    stranger.get_by_text("Cancel my request").click()  # a step to confirm
    stranger.get_by_role("button", name="Yes, cancel it").click()
    expect(stranger.get_by_role("heading", name="Cancelled")).to_be_visible()
