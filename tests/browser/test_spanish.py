"""Backline in Spanish, on a phone in dark mode: the core loop for a telecommunicator who
reads Spanish and a peer who reads English, and one page of each capability for each
role, with no English left on any of them."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

import polib
import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from playwright.sync_api import Page, expect

from backline.accounts.models import User
from backline.engine.loop import tick
from backline.notify.models import Channel
from tests.browser.support import ON_A_PHONE, check_page, sign_in
from tests.browser.test_reach_out import paging  # noqa: F401 - the same on-call peer
from tests.harness import reachable
from tests.personas import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CATALOGUE = settings.BASE_DIR / "backline" / "locale" / "es" / "LC_MESSAGES" / "django.po"
SHORTEST = 14  # shorter English strings ("Save", "Open now") could be names or data


@cache
def english_sentences() -> frozenset[str]:
    """Backline's own English text, long enough not to be a name, whose Spanish differs:
    none of it may show on a page in Spanish."""
    return frozenset(
        entry.msgid
        for entry in polib.pofile(str(CATALOGUE))
        if len(entry.msgid) >= SHORTEST
        and "%" not in entry.msgid
        and "\n" not in entry.msgid
        and entry.msgstr
        and entry.msgstr != entry.msgid
    )


def assert_in_spanish(page: Page, name: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", "es")
    text = " ".join(page.locator("body").inner_text().split())
    left = sorted(sentence for sentence in english_sentences() if sentence in text)
    assert left == [], f"{name}: English left on a page in Spanish: {left}"
    check_page(page, f"es-{name}")


def test_a_spanish_reach_out_pages_an_english_peer_in_english(
    open_page: Callable[..., Page],
    site: str,
    paging: World,  # noqa: F811
) -> None:
    world = paging
    User.objects.filter(pk=world.telecommunicator.pk).update(language="es")
    reachable(world.telecommunicator, Channel.SMS, "+13195550142")
    phone = open_page(**ON_A_PHONE)
    sign_in(phone, site, world.telecommunicator)
    expect(
        phone.get_by_text("1 par de apoyo de tu equipo está disponible ahora mismo.")
    ).to_be_visible()
    assert_in_spanish(phone, "home-telecommunicator")
    phone.get_by_role("link", name="Pedir apoyo").first.click()
    expect(phone.get_by_label("Mi teléfono, (319) 555-0142")).to_be_checked()
    assert_in_spanish(phone, "reach-out")
    phone.get_by_role("button", name="Ahora").click()
    expect(phone.get_by_role("heading", name="Buscando un par de apoyo")).to_be_visible()
    assert_in_spanish(phone, "request-open")

    tick()  # the engine pages the peer, in the peer's language
    page_mail = mail.outbox[-1]
    assert page_mail.to == ["pat@mail.test"]
    assert "solicitud" not in page_mail.subject.lower() and "apoyo" not in str(page_mail.body)
    found = re.search(r"(http\S+/support/pages/\S+/)", str(page_mail.body))
    assert found, page_mail.body

    peer = open_page(**ON_A_PHONE)
    sign_in(peer, site, world.peer, world.totp_secrets[world.peer.pk], suffix="-peer-en")
    peer.goto(found.group(1))
    expect(peer.locator("html")).to_have_attribute("lang", "en")
    expect(peer.get_by_role("heading", name="A colleague is asking for support")).to_be_visible()
    peer.get_by_role("button", name="I'll take it").click()
    expect(peer.get_by_role("link", name="Call (319) 555-0142")).to_be_in_viewport()

    expect(phone.get_by_text("Pat Peer te llamará al (319) 555-0142.")).to_be_visible(
        timeout=12_000
    )
    assert_in_spanish(phone, "request-coming")


PEER_PAGES = [
    ("home", "home-peer"),
    ("oncall:home", "oncall"),
    ("checkins:plans", "checkins"),
    ("records:new", "record-new"),
    ("meetings:list", "sessions"),
    ("wellness:index", "self-checks"),
    ("directory:directory", "directory"),
    ("care:mine", "care"),
    ("who_has_seen_my_data", "who-has-seen"),
]
COORDINATOR_PAGES = [
    ("home", "home-coordinator"),
    ("records:team", "records-team"),
    ("care:balance", "care-balance"),
    ("support:team", "team"),
]


@pytest.mark.parametrize(
    ("persona", "pages"),
    [("peer", PEER_PAGES), ("coordinator", COORDINATOR_PAGES)],
    ids=["peer", "coordinator"],
)
def test_each_capability_reads_in_spanish(
    open_page: Callable[..., Page],
    site: str,
    world: World,
    persona: str,
    pages: list[tuple[str, str]],
) -> None:
    person = getattr(world, persona)
    User.objects.filter(pk=person.pk).update(language="es")
    phone = open_page(**ON_A_PHONE)
    sign_in(phone, site, person, world.totp_secrets[person.pk], suffix=f"-{persona}-es")
    for url_name, name in pages:
        phone.goto(f"{site}{reverse(url_name)}")
        assert_in_spanish(phone, name)


def test_a_validated_self_check_in_spanish_says_why_its_questions_are_in_english(
    open_page: Callable[..., Page], site: str, world: World
) -> None:
    User.objects.filter(pk=world.telecommunicator.pk).update(language="es")
    phone = open_page(**ON_A_PHONE)
    sign_in(phone, site, world.telecommunicator)
    phone.goto(f"{site}{reverse('wellness:take', args=['phq9'])}")
    expect(phone.get_by_text("Este cuestionario se muestra en inglés")).to_be_visible()
    expect(phone.get_by_text("Little interest or pleasure in doing things")).to_be_visible()
    assert_in_spanish(phone, "phq9")
