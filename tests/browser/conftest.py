"""Headless Chromium (Debian's, never a downloaded one) against ``live_server``."""

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from playwright.sync_api import BrowserContext, Page
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from tests.browser.support import PageWatch, watch
from tests.personas import World, build_world

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test here without the mark would run with the other tests, where it breaks."""
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents and item.get_closest_marker("browser") is None:
            raise pytest.UsageError(f"{item.nodeid}: add pytestmark = pytest.mark.browser")


def pytest_collection_finish(session: pytest.Session) -> None:
    """Playwright's sync API keeps an event loop running in the main thread, so Django
    must be told that database calls from it are fine — before the first test, and only
    in a run that has browser tests (the other runs keep Django's async-safety check)."""
    if any(item.get_closest_marker("browser") for item in session.items):
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def site(live_server: LiveServer, transactional_db: None, settings: Settings) -> Iterator[str]:
    """The live server's address, on ``localhost``: WebAuthn needs a domain-like RP id,
    and Chromium treats http://localhost as a secure context."""
    if "localhost" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    # Sign-in throttles and used TOTP codes live in the database cache, which the
    # flush at the end of a transactional test does not empty.
    cache.clear()
    yield live_server.url.replace("127.0.0.1", "localhost")


@pytest.fixture
def world(site: str) -> World:
    return build_world()


@pytest.fixture
def page_watch() -> Iterator[PageWatch]:
    """Collects the CSP violations and uncaught script errors of every watched page;
    the test fails if any appeared, even after its last check."""
    collected = PageWatch()
    yield collected
    collected.assert_clean()


@pytest.fixture
def page(page: Page, page_watch: PageWatch) -> Page:
    """pytest-playwright's page, watched."""
    watch(page, page_watch)
    return page


@pytest.fixture
def open_page(
    new_context: Callable[..., BrowserContext], page_watch: PageWatch
) -> Callable[..., Page]:
    """A watched page in a fresh browser context (its own cookies): ``open_page(**args)``
    takes Playwright's context options, e.g. ``viewport`` or ``is_mobile``."""

    def make(**context_args: object) -> Page:
        fresh = new_context(**context_args).new_page()
        watch(fresh, page_watch)
        return fresh

    return make
