"""The main pages: on a phone, in dark mode, by keyboard, and each one checked with axe."""

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, ViewportSize, expect

from tests.browser.support import PageWatch, check_page, open_menu, sign_in, watch
from tests.personas import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
# The page background of backline.css in each colour scheme.
BACKGROUNDS = {"light": "rgb(247, 248, 250)", "dark": "rgb(14, 17, 22)"}


def background(page: Page) -> str:
    page.wait_for_load_state("load")  # the stylesheet is in
    color: str = page.evaluate("getComputedStyle(document.body).backgroundColor")
    return color


def assert_fits_width(page: Page) -> None:
    """Nothing makes the whole page scroll sideways (wide tables scroll in their box)."""
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the screen"


def test_home_and_people_on_a_phone_in_light_and_dark(
    open_page: Callable[..., Page], site: str, world: World
) -> None:
    coordinator = world.coordinator
    page = open_page(viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(page, site, coordinator, world.totp_secrets[coordinator.pk], suffix="-phone")

    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        page.goto(f"{site}/home/")
        expect(page.get_by_role("heading", name="Coordinating Harbor Peer Team")).to_be_visible()
        assert background(page) == BACKGROUNDS[scheme]
        assert_fits_width(page)
        check_page(page, f"home-phone-{scheme}")

        page.goto(f"{site}/manage/people/")
        expect(page.get_by_role("heading", level=1)).to_have_text("People and roles")
        expect(page.get_by_role("link", name="Tess Caller")).to_be_visible()
        assert_fits_width(page)
        check_page(page, f"people-phone-{scheme}")

    # The search narrows the table as one types (htmx, under the strict CSP).
    page.get_by_label("Search by name or e-mail").fill("tess")
    expect(page).to_have_url(re.compile(r"/manage/people/\?q=tess$"))
    table = page.locator("#people-table")
    expect(table.get_by_role("link", name="Tess Caller")).to_be_visible()
    expect(table.get_by_role("link", name="Pat Peer")).to_have_count(0)
    check_page(page, "people-search-phone-dark")


def test_home_and_people_in_dark_mode_on_a_desktop(page: Page, site: str, world: World) -> None:
    administrator = world.administrator
    page.set_viewport_size(DESKTOP)
    page.emulate_media(color_scheme="dark")
    sign_in(page, site, administrator, world.totp_secrets[administrator.pk], suffix="-dark")

    expect(page.get_by_role("heading", name="Agency administration")).to_be_visible()
    assert background(page) == BACKGROUNDS["dark"]
    check_page(page, "home-dark")
    open_menu(page).get_by_role("link", name="Manage").click()
    expect(page).to_have_url(f"{site}/manage/people/")
    check_page(page, "people-dark")


def computed(locator: Locator, name: str) -> str:
    locator.page.wait_for_load_state("load")  # the stylesheet is in
    value: str = locator.evaluate(f"element => getComputedStyle(element).{name}")
    return value


def focused_label(page: Page) -> str:
    label: str = page.evaluate(
        "(() => { const e = document.activeElement;"
        " return `${e.tagName} ${(e.innerText || e.id || '').trim()}`; })()"
    )
    return label


def test_the_keyboard_reaches_the_skip_link_then_reach_out(
    page: Page, site: str, world: World
) -> None:
    sign_in(page, site, world.telecommunicator)
    expect(page).to_have_url(f"{site}/home/")
    check_page(page, "home-telecommunicator")

    page.goto(f"{site}/home/")  # from the top of a freshly loaded page
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()  # it slides into view when focused
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "the focused skip link shows no focus outline"
    check_page(page, "home-skip-link-focused")
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    page.goto(f"{site}/home/")
    reach_out = page.locator(".site-header").get_by_role("link", name="Reach out")
    visited = []
    for _ in range(25):
        page.keyboard.press("Tab")
        visited.append(focused_label(page))
        if reach_out.evaluate("element => element === document.activeElement"):
            break
    else:
        pytest.fail(f"Tab never reached Reach out; it went through {visited}")
    assert visited[0] == "A Skip to content", visited
    target = reach_out.get_attribute("href")
    page.keyboard.press("Enter")

    expect(page).to_have_url(f"{site}{target}")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^Reach out"))
    check_page(page, "reach-out")


def test_a_telecommunicators_pages(
    page: Page, open_page: Callable[..., Page], site: str, world: World
) -> None:
    """Every page of the main navigation, and the record of who opened one's data."""
    coordinator, caller = world.coordinator, world.telecommunicator
    sign_in(page, site, caller)
    check_page(page, "home-telecommunicator")
    open_menu(page).get_by_role("link", name="Security").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign-in security")
    check_page(page, "security")
    page.get_by_role("link", name="Manage second factors and recovery codes").click()
    expect(page).to_have_url(f"{site}/accounts/2fa/")
    check_page(page, "mfa-index")
    open_menu(page).get_by_role("link", name="Security").click()
    page.get_by_role("link", name="Change your password").click()
    expect(page).to_have_url(f"{site}/accounts/password/change/")
    check_page(page, "password-change")
    open_menu(page).get_by_role("link", name="Who has seen my data").click()
    expect(page.get_by_text("Nobody has opened information about you.")).to_be_visible()
    check_page(page, "who-has-seen-nobody")

    manager = open_page()
    sign_in(manager, site, coordinator, world.totp_secrets[coordinator.pk])
    check_page(manager, "home-coordinator")
    manager.goto(f"{site}/manage/people/")
    check_page(manager, "people")
    manager.get_by_role("link", name=caller.full_name).click()
    expect(manager.get_by_role("heading", level=1)).to_have_text(caller.full_name)
    # A form's lone submit button is styled primary, but not a danger or link button.
    deactivate = manager.get_by_role("button", name="Deactivate this account")
    assert computed(deactivate, "color") == "rgb(163, 18, 42)"  # --reach
    assert computed(deactivate, "backgroundColor") == "rgb(255, 255, 255)"  # --surface
    sign_out_button = open_menu(manager).get_by_role("button", name="Sign out")
    assert computed(sign_out_button, "backgroundColor") == "rgba(0, 0, 0, 0)"
    check_page(manager, "person")

    page.reload()
    expect(page.get_by_role("row", name=re.compile(coordinator.display_name))).to_contain_text(
        "opened your roster page"
    )
    check_page(page, "who-has-seen")


def test_a_coordinators_roster_pages(page: Page, site: str, world: World) -> None:
    coordinator = world.coordinator
    sign_in(page, site, coordinator, world.totp_secrets[coordinator.pk])
    check_page(page, "home-coordinator")
    open_menu(page).get_by_role("link", name="Manage").click()
    expect(page).to_have_url(f"{site}/manage/people/")
    check_page(page, "people")
    subnav = page.get_by_role("navigation", name="Manage")

    subnav.get_by_role("link", name="Agencies").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Agencies")
    check_page(page, "agencies")
    page.get_by_role("link", name="Harbor 911").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Harbor 911")
    check_page(page, "agency-edit")

    page.goto(f"{site}/manage/agencies/new/")
    check_page(page, "agency-new")
    page.get_by_role("button", name="Save").click()  # nothing filled in: errors
    expect(page.locator(".field-invalid")).not_to_have_count(0)
    check_page(page, "agency-new-errors")
    page.get_by_label("Name").fill("Lighthouse Dispatch")
    page.get_by_label("State").select_option("WA")
    page.get_by_label("Time zone").fill("America/Los_Angeles")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(f"{site}/manage/agencies/")
    expect(
        page.get_by_role("status").filter(has_text="Lighthouse Dispatch was added.")
    ).to_be_visible()
    check_page(page, "agencies-added")


def test_the_csp_watch_notices_a_violation(
    new_context: Callable[..., BrowserContext], site: str
) -> None:
    """The strict policy blocks an injected inline script, and the watch that every
    other test relies on reports it."""
    seen = PageWatch()
    page = new_context().new_page()
    watch(page, seen)
    page.goto(f"{site}/accounts/login/")
    with page.expect_console_message(lambda message: "Content Security Policy" in message.text):
        page.evaluate(
            "() => { const s = document.createElement('script');"
            " s.textContent = 'window.injected = true'; document.body.append(s); }"
        )
    assert page.evaluate("window.injected === undefined")
    with pytest.raises(AssertionError, match="Content-Security-Policy"):
        seen.assert_clean()
