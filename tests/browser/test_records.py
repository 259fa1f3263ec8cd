"""On a phone in dark mode: the peer closes a request and files its record in a few taps
on one screen, corrects it, and reads what the team keeps; the coordinator reads the
team's records without the peer's name. Every page is checked with axe."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from playwright.sync_api import Locator, Page, expect

from backline.records.models import ContactRecord, RecordMode, RecordSettings
from backline.support import escalation, lifecycle
from backline.support.models import Page as PageRow
from tests import asking
from tests.browser.support import assert_tap_targets, check_page, sign_in
from tests.personas import World
from tests.records.builders import record

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 740}


def _phone(open_page: Callable[..., Page]) -> Page:
    return open_page(viewport=PHONE, is_mobile=True, has_touch=True, color_scheme="dark")


def chip(page: Page, text: str) -> Locator:
    """A choice of the record form, as a finger taps it: the chip, not its input."""
    return page.locator(".chips label", has_text=text)


def test_the_peer_closes_a_request_and_files_its_record_in_a_few_taps(
    open_page: Callable[..., Page], site: str, world: World
) -> None:
    request, _ = asking.reach_out(
        world.telecommunicator, world.region, escalation.Ask("now", "in_person")
    )
    PageRow.objects.create(request=request, peer=world.peer, step_index=0, loop_count=0)
    assert lifecycle.acknowledge(request, world.peer, timedelta(minutes=5))
    phone = _phone(open_page)
    sign_in(phone, site, world.peer, world.totp_secrets[world.peer.pk], suffix="-records")
    phone.goto(f"{site}/support/requests/{request.public_id}/")

    taps = 0
    phone.get_by_text("Close the request").click()
    phone.get_by_role("button", name="Yes, close it").click()
    taps += 2
    expect(phone.get_by_role("heading", name="Record a contact")).to_be_visible()
    assert request.public_id not in phone.url
    expect(phone.get_by_text("Closed. Thank you for being there.")).to_be_visible()
    # what is known is filled in: a request, today, in person, no referral, no follow-up
    expect(phone.get_by_label("Request")).to_be_checked()
    expect(phone.get_by_label("In person")).to_be_checked()
    expect(phone.get_by_label("Referral made")).to_have_value("none")
    check_page(phone, "records-form-phone-dark")
    assert_tap_targets(phone, "records-form-phone-dark")
    save = phone.get_by_role("button", name="Save the record")
    chip(phone, "15\u201345").click()
    chip(phone, "Critical call").click()
    expect(phone.get_by_label("Critical call")).to_be_checked()
    taps += 2
    save.scroll_into_view_if_needed()
    # the whole form is one screen: from its first choice to its button
    top = phone.get_by_label("Request").bounding_box()
    bottom = save.bounding_box()
    assert top is not None and bottom is not None
    assert bottom["y"] + bottom["height"] - top["y"] <= PHONE["height"]
    save.click()
    taps += 1
    expect(phone.get_by_text("Saved. Thank you for being there.")).to_be_visible()
    assert taps == 5
    record = ContactRecord.objects.get()
    assert (record.contact_type, record.channel, record.duration) == (
        "request",
        "in_person",
        "15_45",
    )
    assert (record.topics, record.referral, record.follow_up_planned) == (
        ["critical_call"],
        "none",
        False,
    )
    check_page(phone, "records-mine-phone-dark")

    phone.get_by_role("link", name="Correct it").click()
    expect(phone.get_by_role("heading", name="Correct a record")).to_be_visible()
    chip(phone, "Yes").click()
    check_page(phone, "records-edit-phone-dark")
    phone.get_by_role("button", name="Save the correction").click()
    expect(phone.get_by_text("Your correction is saved.")).to_be_visible()
    record.refresh_from_db()
    assert record.follow_up_planned is True

    phone.get_by_role("link", name="What your team keeps after a contact").click()
    expect(phone.get_by_text("Categories: the day")).to_be_visible()
    check_page(phone, "records-privacy-phone-dark")


def test_a_bad_record_is_explained_on_the_phone(
    open_page: Callable[..., Page], site: str, world: World
) -> None:
    phone = _phone(open_page)
    sign_in(phone, site, world.peer, world.totp_secrets[world.peer.pk], suffix="-records-bad")
    phone.goto(f"{site}/records/")
    phone.get_by_role("link", name="Record a contact").click()
    expect(phone.get_by_label("Informal")).to_be_checked()
    phone.get_by_role("button", name="Save the record").click()
    expect(phone.get_by_text("Nothing was saved yet.")).to_be_visible()
    expect(phone.get_by_text("Please choose at least one topic")).to_be_visible()
    assert not ContactRecord.objects.exists()
    check_page(phone, "records-form-errors-phone-dark")


def test_the_coordinator_reads_the_teams_records_on_a_phone(
    open_page: Callable[..., Page], site: str, world: World
) -> None:
    for kind in ("request", "check_in", "informal"):
        record(world.region, world.peer, contact_type=kind)
    phone = _phone(open_page)
    secret = world.totp_secrets[world.coordinator.pk]
    sign_in(phone, site, world.coordinator, secret, suffix="-records-team")
    phone.goto(f"{site}/records/team/")
    expect(phone.get_by_role("heading", name="Contact records of your team")).to_be_visible()
    expect(phone.get_by_text("You do not see which peer filed a record.")).to_be_visible()
    expect(phone.get_by_text(world.peer.full_name)).to_have_count(0)
    check_page(phone, "records-team-phone-dark")


def test_counts_only_and_no_records_on_the_phone(
    open_page: Callable[..., Page], site: str, world: World
) -> None:
    RecordSettings.objects.create(region=world.region, mode=RecordMode.COUNTS)
    phone = _phone(open_page)
    sign_in(phone, site, world.peer, world.totp_secrets[world.peer.pk], suffix="-records-counts")
    phone.goto(f"{site}/records/new/?type=check_in")
    expect(phone.get_by_text("Your team keeps counts only")).to_be_visible()
    expect(phone.get_by_text("Topics")).to_have_count(0)
    check_page(phone, "records-form-counts-phone-dark")
    phone.get_by_role("button", name="Save the record").click()
    expect(phone.get_by_text("Saved. Thank you for being there.")).to_be_visible()
    expect(phone.get_by_text("Week of")).to_be_visible()
    filed = ContactRecord.objects.get()
    assert (filed.mode, filed.contact_type, filed.date.isoweekday()) == ("counts", "check_in", 1)

    two_weeks_ago = {"date": filed.date - timedelta(days=14), "filed_on": filed.filed_on}
    two_weeks_ago["filed_on"] -= timedelta(days=8)
    ContactRecord.objects.filter(pk=filed.pk).update(**two_weeks_ago)
    phone.goto(f"{site}/records/{filed.pk}/")
    expect(phone.get_by_text("This record is final")).to_be_visible()
    check_page(phone, "records-final-phone-dark")

    RecordSettings.objects.filter(region=world.region).update(mode=RecordMode.NONE)
    phone.goto(f"{site}/records/new/")
    expect(phone.get_by_text("Your team keeps no written record")).to_be_visible()
    check_page(phone, "records-none-phone-dark")
