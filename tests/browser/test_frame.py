"""The frame on a 375x667 phone in dark mode, on every page of the loop: a header of at
most 64 px whose menu opens by keyboard, "I'll take it" above the fold, tap targets of
at least 44x44 px, and long names that wrap instead of scrolling sideways."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from backline.accounts.models import User
from backline.engine.loop import tick
from backline.lib import clock
from backline.notify.models import Channel, ContactMethod
from backline.support.models import SupportRequest
from tests.browser.support import assert_tap_targets, check_page, open_menu, sign_in
from tests.browser.test_reach_out import paging  # noqa: F401 (a fixture)
from tests.personas import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 667}
HEADER_MAX = 64
LONG_NAME = "Maximiliana Wolfeschlegelsteinhausenbergerdorffvoralternwarengewissenhaft"
LONG_EMAIL = "maximiliana.wolfeschlegelsteinhausenbergerdorff@dispatch-center.example"


def check_frame(page: Page, name: str) -> None:
    """axe and a screenshot of the page as it is now, then its phone frame."""
    page.evaluate("window.scrollTo(0, 0)")
    check_page(page, f"frame-{name}")
    header = page.locator(".site-header").bounding_box()
    assert header is not None and header["height"] <= HEADER_MAX, f"{name}: header {header}"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{name}: the page scrolls sideways ({width} px)"
    assert_tap_targets(page, name)


def phone_of(
    open_page: Callable[..., Page], site: str, world: World, user: User, name: str
) -> Page:
    phone: Page = open_page(viewport=PHONE, is_mobile=True, has_touch=True, color_scheme="dark")
    sign_in(phone, site, user, world.totp_secrets.get(user.pk), suffix=f"-frame-{name}")
    expect(phone).to_have_url(f"{site}/home/")
    return phone


def test_the_loop_fits_a_phone(open_page: Callable[..., Page], site: str, paging: World) -> None:  # noqa: F811
    world = paging
    caller = world.telecommunicator
    User.objects.filter(pk=caller.pk).update(full_name=LONG_NAME, email=LONG_EMAIL)
    caller.refresh_from_db()
    ContactMethod.objects.create(
        user=caller, channel=Channel.SMS, value="+13195550142", verified_at=clock.now()
    )

    phone = phone_of(open_page, site, world, caller, "telecommunicator")
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Wolfeschlegel")
    check_frame(phone, "home-telecommunicator")
    header = phone.locator(".site-header")
    expect(header.get_by_text(re.compile(r"^0$"))).to_be_visible()  # the unread count

    phone.get_by_role("link", name="Reach out").first.click()
    check_frame(phone, "reach-out")
    phone.get_by_text("More options: who, a note, anonymous").click()
    check_frame(phone, "reach-out-options")
    phone.get_by_role("button", name="Now").click()
    expect(phone.get_by_role("heading", name="Looking for a peer")).to_be_visible()
    own = SupportRequest.objects.get(requester=caller)
    # the header leads back to the open request rather than offering a second one
    expect(header.get_by_role("link", name="Reach out")).to_have_count(0)
    expect(header.get_by_role("link", name="Your request")).to_have_attribute(
        "href", f"/support/requests/{own.public_id}/"
    )
    check_frame(phone, "request-requester")
    phone.goto(f"{site}/home/")
    header.get_by_role("link", name="Your request").click()
    expect(phone).to_have_url(f"{site}/support/requests/{own.public_id}/")

    tick()
    peer = phone_of(open_page, site, world, world.peer, "peer")
    check_frame(peer, "home-peer")
    peer.goto(f"{site}/support/requests/{own.public_id}/offer/")
    take = peer.get_by_role("button", name="I'll take it")
    box = take.bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"]
    check_frame(peer, "offer")
    take.click()
    expect(peer.get_by_role("heading", name="The request you took")).to_be_visible()
    expect(peer.get_by_text(LONG_EMAIL)).to_be_visible()  # wraps, no sideways scroll
    check_frame(peer, "request-taker")

    peer.locator(".site-header").get_by_role("link", name=re.compile("^Notifications")).click()
    expect(peer.get_by_role("heading", name="Your notifications")).to_be_visible()
    check_frame(peer, "inbox")


def test_the_menu_opens_by_keyboard(
    open_page: Callable[..., Page], site: str, world: World
) -> None:
    phone = phone_of(open_page, site, world, world.coordinator, "menu")
    nav = phone.get_by_role("navigation", name="Main")
    expect(nav).to_be_hidden()
    summary = phone.locator(".site-menu summary")
    for _ in range(10):
        phone.keyboard.press("Tab")
        if summary.evaluate("element => element === document.activeElement"):
            break
    else:
        pytest.fail("Tab never reached the menu")
    phone.keyboard.press("Enter")
    expect(nav.get_by_role("link", name="Manage")).to_be_visible()
    expect(nav.get_by_role("button", name="Sign out")).to_be_visible()
    check_frame(phone, "menu-open")
    phone.keyboard.press("Tab")
    expect(nav.get_by_role("link", name="Home")).to_be_focused()
    phone.keyboard.press("Shift+Tab")
    phone.keyboard.press("Space")
    expect(nav).to_be_hidden()


@pytest.mark.parametrize("persona", ["coordinator", "clinician", "administrator"])
def test_each_home_fits_a_phone(
    open_page: Callable[..., Page], site: str, world: World, persona: str
) -> None:
    phone = phone_of(open_page, site, world, getattr(world, persona), persona)
    check_frame(phone, f"home-{persona}")
    open_menu(phone)
    check_frame(phone, f"home-{persona}-menu")
