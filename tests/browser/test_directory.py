"""On a 375-px phone in dark mode: a coordinator imports an HSDS file (first one with a
problem, which imports nothing), adds and edits an entry; a peer opens "Resources" from
the menu and finds a Spanish-speaking clinician who offers telehealth. Every directory
page is checked with axe."""

from __future__ import annotations

from collections.abc import Callable
from datetime import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from backline.directory.hsds import export
from backline.directory.models import Resource
from tests.browser.support import ON_A_PHONE, assert_tap_targets, check_page, open_menu, sign_in
from tests.directory.builders import WEEKDAYS, entry
from tests.personas import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _package(world: World, folder: Path) -> tuple[Path, list[Path]]:
    """A good HSDS zip of a small directory, and its CSV files with problems: the
    organizations another file, one phone number not a number."""
    entry(
        world.outside_region,
        "Dr. Ana Morales, LPC",
        kind="clinician",
        telehealth=True,
        first_responder=True,
        languages=(("es", "Spanish"), ("en", "English")),
        specialties=("emdr",),
        hours=((WEEKDAYS, time(8), time(20)),),
    )
    entry(world.outside_region, "Dr. Sam Lee", kind="clinician")
    entry(world.outside_region, "988 Suicide & Crisis Lifeline", always_open=True, cost="free")
    good = folder / "directory.zip"
    good.write_bytes(export.zipped(world.outside_region))
    files = export.files(world.outside_region)
    files["phones.csv"] = files["phones.csv"].replace(b"555-0142", b"call us", 1)
    files["organizations.csv"] = b"id,name,description\r\no1,A,B\r\n"
    bad = []
    for name in ("organizations.csv", "services.csv", "phones.csv"):
        (folder / name).write_bytes(files[name])
        bad.append(folder / name)
    Resource.objects.filter(region=world.outside_region).delete()
    return good, bad


def test_a_coordinator_imports_a_file_and_a_peer_finds_a_spanish_telehealth_clinician(
    open_page: Callable[..., Page], site: str, world: World, tmp_path: Path
) -> None:
    good, bad = _package(world, tmp_path)
    phone = open_page(**ON_A_PHONE)
    secret = world.totp_secrets[world.coordinator.pk]
    sign_in(phone, site, world.coordinator, secret, suffix="-directory")
    open_menu(phone).get_by_role("link", name="Resources").click()
    expect(phone.get_by_role("heading", name="Resources", exact=True)).to_be_visible()
    phone.get_by_role("link", name="Import or export").click()
    check_page(phone, "directory-import-phone-dark")

    phone.get_by_label("HSDS file").set_input_files(bad)
    phone.get_by_role("button", name="Import").click()
    expect(phone.get_by_role("heading", name="Nothing was imported")).to_be_visible()
    problems = phone.get_by_role("listitem").filter(has_text="row")
    expect(problems.filter(has_text="services.csv, row 2 (organization_id)")).to_be_visible()
    expect(problems.filter(has_text="phones.csv, row 2 (number)")).to_contain_text(
        "“call us” is not a phone number."
    )
    expect(problems).to_have_count(4)  # three services, one phone; the rest hangs on them
    check_page(phone, "directory-import-problems-phone-dark")
    assert not Resource.objects.filter(region=world.region).exists()

    phone.get_by_label("HSDS file").set_input_files(good)
    phone.get_by_role("button", name="Import").click()
    expect(phone.get_by_text("Imported: 3 services")).to_be_visible()
    check_page(phone, "directory-coordinator-phone-dark")
    assert_tap_targets(phone, "directory-coordinator-phone-dark")

    phone.get_by_role("link", name="Add an entry").click()
    check_page(phone, "directory-add-phone-dark")
    phone.get_by_label("Name").first.fill("Cedar chaplains")
    phone.get_by_label("Organization").fill("Cedar Valley Chaplaincy")
    phone.get_by_label("Phones").fill("555-0112 | voice | the on-call chaplain")
    phone.get_by_label("Open 24 hours, 7 days").check()
    phone.get_by_role("button", name="Add it to the directory").click()
    expect(phone.get_by_role("heading", name="Cedar chaplains")).to_be_visible()
    check_page(phone, "directory-entry-coordinator-phone-dark")
    phone.get_by_role("link", name="Edit").click()
    check_page(phone, "directory-edit-phone-dark")

    peer = open_page(**ON_A_PHONE)
    sign_in(peer, site, world.peer, world.totp_secrets[world.peer.pk], suffix="-directory-peer")
    open_menu(peer).get_by_role("link", name="Resources").click()
    peer.get_by_text("Filters").click()
    peer.get_by_label("Language").select_option(label="Spanish")
    peer.get_by_label("Offers telehealth").check()
    peer.get_by_role("button", name="Search").click()
    expect(peer.get_by_role("heading", name="1 resource")).to_be_visible()
    check_page(peer, "directory-search-phone-dark")
    assert_tap_targets(peer, "directory-search-phone-dark")
    peer.get_by_role("link", name="Dr. Ana Morales, LPC").click()
    expect(peer.get_by_role("link", name="Call 555-0142")).to_be_visible()
    expect(peer.get_by_text("Telehealth", exact=True)).to_be_visible()
    expect(peer.get_by_role("link", name="Edit")).to_have_count(0)
    check_page(peer, "directory-entry-phone-dark")
