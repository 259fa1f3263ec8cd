"""On a phone in dark mode: a telecommunicator asks for a peer outside their agency —
nobody of their agency is paged, they are asked what to do, and they choose to widen;
and the peer who takes a call-back request is offered the call first."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from backline.engine.loop import tick
from backline.support import escalation
from backline.support.models import Page as PageRow
from tests import asking
from tests.browser.support import check_page, sign_in
from tests.browser.test_reach_out import paging  # noqa: F401 (a fixture)
from tests.personas import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 740}


def test_outside_my_agency_asks_before_it_widens(
    open_page: Callable[..., Page],
    site: str,
    paging: World,  # noqa: F811
) -> None:
    world = paging  # the only peer on call shares the requester's agency
    phone = open_page(viewport=PHONE, is_mobile=True, has_touch=True, color_scheme="dark")
    sign_in(phone, site, world.telecommunicator, suffix="-wishes")
    phone.goto(f"{site}/support/reach-out/")
    phone.get_by_label("Number to reach you on").fill("(319) 555-0142")
    phone.get_by_text("More options: who, a note, anonymous").click()
    phone.get_by_label("A peer from outside my agency").check()
    phone.get_by_role("button", name="Now").click()
    tick()
    assert not PageRow.objects.filter(peer=world.peer).exists()
    assert mail.outbox == []  # nobody of my agency heard of it

    heading = phone.get_by_role("heading", name="No peer outside your agency has answered yet")
    expect(heading).to_be_visible(timeout=12_000)  # the page updates itself
    expect(phone.locator("main").get_by_role("link", name="Call 988")).to_be_visible()
    check_page(phone, "wishes-asks-consent-phone-dark")

    phone.get_by_role("button", name="Keep waiting").click()
    expect(phone.get_by_text("You chose to keep waiting.")).to_be_visible()
    check_page(phone, "wishes-kept-waiting-phone-dark")

    phone.get_by_role("button", name="Ask any peer of my team").click()
    expect(phone.get_by_text("Backline is now paging any peer of your team.")).to_be_visible()
    expect(heading).to_have_count(0)
    assert PageRow.objects.filter(peer=world.peer).exists()
    check_page(phone, "wishes-widened-phone-dark")


def test_the_taker_calls_first_on_a_phone_in_the_dark(
    open_page: Callable[..., Page],
    site: str,
    paging: World,  # noqa: F811
) -> None:
    world = paging
    request, _token = asking.reach_out(
        world.telecommunicator,
        world.region,
        escalation.Ask("now", "call", anonymous=True, callback_number="+13195550142"),
    )
    tick()
    phone = open_page(viewport=PHONE, is_mobile=True, has_touch=True, color_scheme="dark")
    sign_in(phone, site, world.peer, world.totp_secrets[world.peer.pk], suffix="-calls")
    phone.goto(f"{site}/support/requests/{request.public_id}/offer/")
    phone.get_by_role("button", name="I'll take it").click()
    call = phone.get_by_role("link", name="Call (319) 555-0142")
    expect(call).to_be_visible()
    expect(call).to_have_attribute("href", "tel:+13195550142")
    expect(call).to_be_in_viewport()  # the first thing on the screen
    check_page(phone, "taker-calls-phone-dark")
