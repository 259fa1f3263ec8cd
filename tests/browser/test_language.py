"""Choosing the language on a phone in dark mode: a browser preferring Spanish gets the
sign-in page in Spanish; the footer's picker switches, and a signed-in person's choice
is kept for their next sign-in, whatever the browser then says."""

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from backline.accounts.models import User
from tests.browser.support import ON_A_PHONE, assert_tap_targets, check_page, sign_in
from tests.personas import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def pick(page: Page, name: str, code: str) -> None:
    """Press the footer's button for a language (named in itself, in every language)."""
    page.locator(".site-footer").get_by_role("button", name=name, exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", code)


def sign_out(page: Page) -> None:
    """Through the header's menu, found by what it does rather than by its words."""
    page.locator(".site-menu summary").click()
    page.locator('form[action="/accounts/logout/"] button').click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_the_language_follows_the_browser_then_the_choice(
    open_page: Callable[..., Page], site: str, world: World
) -> None:
    page = open_page(**ON_A_PHONE, locale="es-MX")
    page.goto(f"{site}/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    picker = page.locator(".site-footer form.language-picker")
    expect(picker.get_by_role("button", name="Español")).to_have_attribute("aria-current", "true")
    check_page(page, "language-sign-in-es")

    pick(page, "English", "en")
    expect(page).to_have_url(f"{site}/accounts/login/")
    check_page(page, "language-sign-in-en")
    sign_in(page, site, world.telecommunicator)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert User.objects.get(pk=world.telecommunicator.pk).language == ""  # chosen signed out

    pick(page, "Español", "es")
    expect(page).to_have_url(f"{site}/home/")
    check_page(page, "language-home-es")
    assert_tap_targets(page, "language-home-es")
    assert User.objects.get(pk=world.telecommunicator.pk).language == "es"

    sign_out(page)
    expect(page.locator("html")).to_have_attribute("lang", "es")
    pick(page, "English", "en")  # this browser, signed out, in English again
    sign_in(page, site, world.telecommunicator)
    expect(page).to_have_url(f"{site}/home/")
    expect(page.locator("html")).to_have_attribute("lang", "es")  # the person's choice
    check_page(page, "language-home-es-again")
