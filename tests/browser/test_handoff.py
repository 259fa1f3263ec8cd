"""On a 375-px phone in dark mode: a peer who took a request finds a Spanish-speaking
clinician who offers telehealth, opens the warm hand-off card (and its print layout, one
sheet of A4 or Letter), sends it to the colleague's e-mail (it arrives at the loopback
SMTP server), then closes the request and files its record with that resource, which
counts as "Clinician". Every new page is checked with axe."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import time, timedelta

import pytest
from playwright.sync_api import Page, expect

from backline.engine.loop import tick
from backline.notify.email.tests.smtp_server import SmtpServer
from backline.notify.models import Channel
from backline.records.models import ContactRecord
from backline.support import escalation, lifecycle
from backline.support.models import Page as PageRow
from tests import asking
from tests.browser.support import (
    ON_A_PHONE,
    SCREENSHOTS,
    assert_tap_targets,
    check_page,
    sign_in,
)
from tests.directory.builders import EVERY_DAY, entry
from tests.harness import reachable
from tests.personas import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TESS = "tess@mail.test"


def test_a_peer_gives_the_colleague_a_hand_off_card_and_counts_the_referral(
    open_page: Callable[..., Page], site: str, world: World, smtp: SmtpServer
) -> None:
    region = world.region
    entry(
        region,
        "Dr. Ana Morales, LPC",
        organization="Morales Counseling",
        kind="clinician",
        telehealth=True,
        first_responder=True,
        cost="sliding_scale",
        fees_description="$20 to $60 a session",
        languages=(("es", "Spanish"), ("en", "English")),
        phones=(("(253) 555-0161", "voice"), ("253-555-0162", "text")),
        hours=((EVERY_DAY, time(7), time(21)),),
    )
    entry(region, "Dr. Luis Vega", kind="clinician", languages=(("es", "Spanish"),))
    entry(region, "Harbor EAP", kind="eap", telehealth=True, always_open=True)
    reachable(world.telecommunicator, Channel.EMAIL, TESS)
    request, _ = asking.reach_out(world.telecommunicator, region, escalation.Ask("now", "call"))
    PageRow.objects.create(request=request, peer=world.peer, step_index=0, loop_count=0)
    assert lifecycle.acknowledge(request, world.peer, timedelta(minutes=5))

    phone = open_page(**ON_A_PHONE)
    sign_in(phone, site, world.peer, world.totp_secrets[world.peer.pk], suffix="-handoff")
    phone.goto(f"{site}/support/requests/{request.public_id}/")
    check_page(phone, "handoff-request-phone-dark")
    phone.get_by_role("link", name="Find a resource for them").click()
    phone.get_by_text("Filters").click()
    phone.get_by_label("Kind").select_option(label="Clinician")
    phone.get_by_label("Language").select_option(label="Spanish")
    phone.get_by_label("Offers telehealth").check()
    phone.get_by_role("button", name="Search").click()
    expect(phone.get_by_role("heading", name="1 resource")).to_be_visible()
    check_page(phone, "handoff-search-phone-dark")
    phone.get_by_role("link", name="Dr. Ana Morales, LPC").click()
    phone.get_by_role("link", name="Hand-off card").click()

    expect(phone.get_by_role("heading", name="Dr. Ana Morales, LPC")).to_be_visible()
    expect(phone.get_by_role("link", name="Call (253) 555-0161")).to_be_visible()
    expect(phone.locator(".script")).to_contain_text(
        "I'm a 911 telecommunicator and my peer supporter suggested you."
    )
    expect(phone.locator(".script")).to_contain_text("by video (telehealth), in Spanish")
    expect(phone.get_by_text("Open now")).to_be_visible()
    expect(phone.get_by_role("button", name="Print")).to_be_visible()
    check_page(phone, "handoff-card-phone-dark")
    assert_tap_targets(phone, "handoff-card-phone-dark")

    phone.emulate_media(media="print")
    expect(phone.locator(".site-header")).to_be_hidden()
    expect(phone.get_by_role("button", name="Print")).to_be_hidden()
    expect(phone.get_by_text("Send to Tess's e-mail")).to_be_hidden()
    expect(phone.get_by_text("If it can't wait")).to_be_visible()
    phone.screenshot(path=str(SCREENSHOTS / "handoff-card-print.png"), full_page=True)
    for paper in ("A4", "Letter"):  # the card alone fits one sheet of either
        printed = phone.pdf(format=paper)
        assert len(re.findall(rb"/Type\s*/Page[^s]", printed)) == 1, paper
    phone.emulate_media(media="screen")

    phone.get_by_text("Send to Tess's e-mail").click()
    expect(phone.get_by_text("Send it only because Tess asked for it.")).to_be_visible()
    check_page(phone, "handoff-confirm-phone-dark")
    phone.get_by_role("button", name="Tess asked: send it").click()
    expect(phone.get_by_text("Sent to Tess's e-mail.")).to_be_visible()
    check_page(phone, "handoff-sent-phone-dark")
    tick()  # the engine sends it
    [mail] = [r for r in smtp.received if r.to == [TESS]]
    assert mail.subject == "The details you asked for"
    assert "Dr. Ana Morales, LPC" in mail.body and "in Spanish" in mail.body

    phone.goto(f"{site}/support/requests/{request.public_id}/")
    phone.get_by_text("Close the request").click()
    phone.get_by_role("button", name="Yes, close it").click()
    expect(phone.get_by_role("heading", name="Record a contact")).to_be_visible()
    phone.get_by_label("Which resource?").select_option(label="Dr. Ana Morales, LPC")
    phone.locator(".chips label", has_text="15\u201345").click()
    phone.locator(".chips label", has_text="Critical call").click()
    check_page(phone, "handoff-record-phone-dark")
    assert_tap_targets(phone, "handoff-record-phone-dark")
    phone.get_by_role("button", name="Save the record").click()
    expect(phone.get_by_text("Saved. Thank you for being there.")).to_be_visible()
    expect(phone.get_by_text("referred: Clinician")).to_be_visible()
    assert ContactRecord.objects.get().referral == "clinician"
    check_page(phone, "handoff-records-phone-dark")
