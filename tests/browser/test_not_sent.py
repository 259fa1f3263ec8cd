"""A reach-out Backline cannot accept (its policy snapshot cannot be read back): the
telecommunicator is told plainly, on their phone, that it was not sent, with 988 at
hand, and sends it again with one tap once it can be."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from backline.lib import clock
from backline.notify.models import Channel, ContactMethod
from backline.support import snapshot
from backline.support.models import SupportRequest
from tests.browser.support import ON_A_PHONE, assert_tap_targets, check_page, sign_in
from tests.personas import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_reach_out_that_was_not_sent_says_so_and_can_be_sent_again(
    open_page: Callable[..., Page], site: str, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    ContactMethod.objects.create(
        user=world.telecommunicator,
        channel=Channel.SMS,
        value="+13195550142",
        verified_at=clock.now(),
    )
    # a Backline writing snapshots of a version it cannot read (a defect: the database
    # holds every policy to what a plan can hold)
    writes = snapshot.Plan.to_json
    monkeypatch.setattr(
        snapshot.Plan, "to_json", lambda plan: {**writes(plan), "version": snapshot.VERSION + 1}
    )
    phone = open_page(**ON_A_PHONE)
    sign_in(phone, site, world.telecommunicator)
    phone.get_by_role("link", name="Reach out").first.click()
    phone.get_by_role("button", name="Now").click()

    alert = phone.get_by_role("alert")
    expect(alert).to_contain_text("Your request was not sent.")
    expect(alert).to_contain_text("Please try again in a moment")
    expect(alert.get_by_role("link", name="Call 988")).to_have_attribute("href", "tel:988")
    expect(phone.get_by_label("My phone, (319) 555-0142")).to_be_checked()  # as it was
    check_page(phone, "reach-out-not-sent")
    assert_tap_targets(phone, "reach-out-not-sent")
    assert not SupportRequest.objects.exists()

    monkeypatch.undo()
    phone.get_by_role("button", name="Now").click()  # the same form, one tap again
    expect(phone).to_have_url(re.compile(r"/support/requests/[\w-]{16}/$"))
    expect(phone.get_by_role("heading", name="Looking for a peer")).to_be_visible()
    assert SupportRequest.objects.count() == 1
