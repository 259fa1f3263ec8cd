"""A shared console: after signing out, Back shows nothing of what the peer saw."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from backline.support import escalation, lifecycle
from backline.support.models import Page as PageRow
from tests import asking
from tests.browser.support import PageWatch, sign_in, sign_out, watch
from tests.personas import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOTE = "Rough night: the drowning call on Route 9 keeps coming back"


@pytest.fixture
def console(launch_browser: Callable[..., Browser], page_watch: PageWatch) -> Iterator[Page]:
    """Chromium as people run it: Playwright turns the back/forward cache off by default,
    and that cache is what brought a signed-out page back."""
    browser: Browser = launch_browser(ignore_default_args=["--disable-back-forward-cache"])
    page = browser.new_page()
    watch(page, page_watch)
    yield page
    browser.close()


def test_back_after_signing_out_shows_nobody(console: Page, site: str, world: World) -> None:
    page = console
    taken, _ = asking.reach_out(
        world.telecommunicator,
        world.region,
        escalation.Ask(urgency="now", contact="call", note=NOTE),
    )
    PageRow.objects.create(request=taken, peer=world.peer, step_index=0, loop_count=0)  # paged
    assert lifecycle.acknowledge(taken, world.peer, timedelta(minutes=5))

    sign_in(page, site, world.peer, world.totp_secrets[world.peer.pk])
    page.goto(f"{site}/support/open/")
    page.get_by_role("link", name=re.compile(r"taken just now")).click()
    expect(page.get_by_role("heading", name="The request you took")).to_be_visible()
    expect(page.get_by_text(world.telecommunicator.full_name)).to_be_visible()
    expect(page.get_by_text(NOTE)).to_be_visible()

    page.evaluate("localStorage.setItem('left-behind', 'yes')")
    sign_out(page)
    assert page.evaluate("localStorage.getItem('left-behind')") is None  # Clear-Site-Data
    # a page restored from the back/forward cache fires no load event: wait for the commit
    page.go_back(wait_until="commit")
    # the browser asks again, and a signed-out visitor is sent to sign in
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    expect(page.get_by_label("Password")).to_be_visible()
    shown = page.content()
    for identifying in (world.telecommunicator.full_name, world.telecommunicator.email, NOTE):
        assert identifying not in shown
