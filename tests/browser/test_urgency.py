"""On a phone in dark mode: a request that can wait tells the requester when peers will
be paged and keeps 988 to one calm line; a request for now leads with 988."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from backline.lib import clock
from backline.oncall.models import QuietHours
from backline.support import escalation
from backline.support.models import EscalationState
from tests import asking
from tests.browser.support import check_page, sign_in
from tests.browser.test_reach_out import paging  # noqa: F401 (a fixture)
from tests.personas import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 667}
LOS_ANGELES = ZoneInfo("America/Los_Angeles")


def test_a_request_that_can_wait_says_when_peers_are_paged(
    open_page: Callable[..., Page],
    site: str,
    paging: World,  # noqa: F811
) -> None:
    world = paging
    local = clock.now().astimezone(LOS_ANGELES)
    QuietHours.objects.create(  # the peer on call is resting for the next two hours
        user=world.peer,
        starts_at=(local - timedelta(hours=1)).time().replace(second=0, microsecond=0),
        ends_at=(local + timedelta(hours=2)).time().replace(second=0, microsecond=0),
        time_zone="America/Los_Angeles",
    )
    request, _token = asking.reach_out(
        world.telecommunicator, world.region, escalation.Ask("week", "call")
    )
    state = EscalationState.objects.get(request=request)
    assert state.waiting_for_waking
    wakes = state.next_escalation_at.astimezone(LOS_ANGELES)
    phone = open_page(viewport=PHONE, is_mobile=True, has_touch=True, color_scheme="dark")
    sign_in(phone, site, world.telecommunicator, suffix="-urgency-week")
    phone.goto(f"{site}/support/requests/{request.public_id}/")
    hour = wakes.strftime("%H:%M")
    expect(phone.get_by_text(f"from about {hour}")).to_be_visible()
    expect(phone.locator("main").get_by_role("link", name="Text 988")).to_have_attribute(
        "href", "sms:988"
    )
    expect(phone.get_by_role("heading", name="If you need someone right now")).to_have_count(0)
    check_page(phone, "urgency-week-waits-phone-dark")


def test_a_request_for_now_leads_with_988(
    open_page: Callable[..., Page],
    site: str,
    paging: World,  # noqa: F811
) -> None:
    world = paging
    request, _token = asking.reach_out(
        world.telecommunicator, world.region, escalation.Ask("now", "call")
    )
    phone = open_page(viewport=PHONE, is_mobile=True, has_touch=True, color_scheme="dark")
    sign_in(phone, site, world.telecommunicator, suffix="-urgency-now")
    phone.goto(f"{site}/support/requests/{request.public_id}/")
    expect(phone.get_by_role("heading", name="If you need someone right now")).to_be_visible()
    call = phone.locator("main").get_by_role("link", name="Call 988")
    expect(call).to_have_attribute("href", "tel:988")
    expect(phone.get_by_text("peers are being paged now")).to_be_visible()
    check_page(phone, "urgency-now-phone-dark")
