"""A telecommunicator asks for a peer outside their agency, on a phone in dark mode:
nobody of their agency is paged, they are asked what to do, and they choose to widen."""

from __future__ import annotations

import pytest
from django.core import mail
from playwright.sync_api import expect

from backline.engine.loop import tick
from backline.support.models import Page as PageRow
from tests.browser.support import check_page, sign_in
from tests.browser.test_reach_out import paging  # noqa: F401 (a fixture)
from tests.personas import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 740}


def test_outside_my_agency_asks_before_it_widens(open_page, site: str, paging: World):  # noqa: F811
    world = paging  # the only peer on call shares the requester's agency
    phone = open_page(viewport=PHONE, is_mobile=True, has_touch=True, color_scheme="dark")
    sign_in(phone, site, world.telecommunicator, suffix="-wishes")
    phone.goto(f"{site}/support/reach-out/")
    phone.get_by_text("Options: how to talk, who, a note, anonymous").click()
    phone.get_by_label("A peer from outside my agency").check()
    phone.get_by_role("button", name="Now").click()
    tick()
    assert not PageRow.objects.filter(peer=world.peer).exists()
    assert mail.outbox == []  # nobody of my agency heard of it

    heading = phone.get_by_role("heading", name="No peer outside your agency has answered yet")
    expect(heading).to_be_visible(timeout=12_000)  # the page updates itself
    expect(phone.get_by_role("link", name="Call 988")).to_be_visible()
    check_page(phone, "wishes-asks-consent-phone-dark")

    phone.get_by_role("button", name="Keep waiting").click()
    expect(phone.get_by_text("You chose to keep waiting.")).to_be_visible()
    check_page(phone, "wishes-kept-waiting-phone-dark")

    phone.get_by_role("button", name="Ask any peer of my team").click()
    expect(phone.get_by_text("Backline is now paging any peer of your team.")).to_be_visible()
    expect(heading).to_have_count(0)
    assert PageRow.objects.filter(peer=world.peer).exists()
    check_page(phone, "wishes-widened-phone-dark")
