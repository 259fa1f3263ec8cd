"""Backline as an app on a phone in dark mode: the manifest and theme colour are there,
the service worker registers from any page, and offline a page shows 988 and the EAP
line instead of the browser's error; the 404 page passes axe."""

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect
from pytest_django.fixtures import Settings

from tests.browser.support import check_page, open_menu, sign_in
from tests.personas import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 667}
DARK_BACKGROUND = "rgb(14, 17, 22)"  # backline.css, dark scheme
AGENCY_EAP_LINE = "+1 555 010 0300"
KEPT = "caches.match('/offline/').then(found => (found ? found.text() : ''))"


def offline_page_kept(page: Page, text: str) -> None:
    """Wait until the service worker keeps an offline page that says ``text`` (a
    function, not an expression: the page's CSP forbids eval)."""
    page.wait_for_function(f"() => {KEPT}.then(kept => kept.includes({text!r}))")


def phone(open_page: Callable[..., Page]) -> Page:
    opened: Page = open_page(viewport=PHONE, is_mobile=True, has_touch=True, color_scheme="dark")
    return opened


def background(page: Page) -> str:
    page.wait_for_load_state("load")
    color: str = page.evaluate("getComputedStyle(document.body).backgroundColor")
    return color


def test_offline_a_page_shows_988_and_the_eap_line(
    open_page: Callable[..., Page], site: str, world: World, settings: Settings
) -> None:
    settings.BACKLINE_EAP_LINE = "+1 555 010 0999"  # the agency's own line wins
    world.agency.eap_line = AGENCY_EAP_LINE
    world.agency.save()
    page = phone(open_page)
    page.goto(f"{site}/accounts/login/")
    head = page.locator("head")
    expect(head.locator('link[rel="manifest"]')).to_have_attribute("href", "/manifest.webmanifest")
    expect(head.locator('meta[name="theme-color"][media*="dark"]')).to_have_count(1)
    expect(head.locator('meta[name="theme-color"][media*="light"]')).to_have_count(1)

    # the service worker registers from this page (not only from the paging settings),
    # keeps the offline page, and takes control
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    offline_page_kept(page, "You are offline")
    # signed in, it keeps the page again with the person's agency's EAP line
    sign_in(page, site, world.telecommunicator)
    offline_page_kept(page, AGENCY_EAP_LINE)

    page.context.set_offline(True)
    page.goto(f"{site}/home/")
    expect(page.get_by_role("heading", level=1)).to_have_text("You are offline")
    expect(page.get_by_role("link", name="Call 988")).to_have_attribute("href", "tel:988")
    expect(page.get_by_role("link", name="Text 988")).to_have_attribute("href", "sms:988")
    eap = page.get_by_role("link", name=AGENCY_EAP_LINE)
    expect(eap).to_have_attribute("href", "tel:+15550100300")
    assert background(page) == DARK_BACKGROUND  # its stylesheet was kept too
    check_page(page, "offline-phone-dark")

    page.context.set_offline(False)
    page.get_by_role("link", name="Try again").click()
    expect(page).to_have_url(f"{site}/home/")
    expect(open_menu(page).get_by_role("button", name="Sign out")).to_be_visible()


def test_the_404_page_on_a_phone_in_dark_mode(
    open_page: Callable[..., Page], site: str, world: World
) -> None:
    page = phone(open_page)
    response = page.goto(f"{site}/no-such-page/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("We could not find that page")
    expect(page.get_by_role("link", name="Go to your Backline home")).to_have_attribute("href", "/")
    expect(page.get_by_role("link", name="Call 988")).to_have_attribute("href", "tel:988")
    assert background(page) == DARK_BACKGROUND
    check_page(page, "404-phone-dark")
