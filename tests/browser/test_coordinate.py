"""On a phone in dark mode: a coordinator opens the alert's link, sees what the team has
done for "a colleague", pages the available peers again in one tap, and can call the
on-call peer; once a peer takes the request the page says so."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from backline.engine.loop import tick
from backline.lib import clock
from backline.notify.models import Channel, ContactMethod, NotificationRule
from backline.support import escalation, lifecycle
from backline.support.models import EscalationStep, StepTarget, TargetKind
from tests import asking
from tests.browser.support import check_page, sign_in
from tests.browser.test_reach_out import paging  # noqa: F401 (a fixture)
from tests.personas import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 667}


def test_a_paged_coordinator_acts_from_a_phone_in_the_dark(
    open_page: Callable[..., Page],
    site: str,
    paging: World,  # noqa: F811
) -> None:
    world = paging  # the peer is on call; the first step now alerts the coordinator too
    StepTarget.objects.create(step=EscalationStep.objects.get(), kind=TargetKind.COORDINATOR)
    ContactMethod.objects.create(
        user=world.coordinator,
        channel=Channel.EMAIL,
        value="cory@mail.test",
        verified_at=clock.now(),
    )
    ContactMethod.objects.create(
        user=world.peer, channel=Channel.SMS, value="+13195550142", verified_at=clock.now()
    )
    by_email = ContactMethod.objects.get(user=world.peer, channel=Channel.EMAIL)
    NotificationRule.objects.create(user=world.peer, contact_method=by_email, delay_minutes=0)
    request, _token = asking.reach_out(
        world.telecommunicator,
        world.region,
        escalation.Ask("now", "call", note="the Ashdown Road call"),
    )
    tick()
    alert = next(m for m in mail.outbox if m.to == ["cory@mail.test"])
    assert "A colleague's request (now) is waiting for a peer." in alert.body
    found = re.search(r"(http\S+/support/alerts/\S+/)", str(alert.body))
    assert found, alert.body
    link = found.group(1)

    phone = open_page(viewport=PHONE, is_mobile=True, has_touch=True, color_scheme="dark")
    secret = world.totp_secrets[world.coordinator.pk]
    sign_in(phone, site, world.coordinator, secret, suffix="-coordinator")
    phone.goto(link)
    expect(phone.get_by_role("heading", name="A colleague's request")).to_be_visible()
    again = phone.get_by_role("button", name="Page all available peers again")
    expect(again).to_be_in_viewport()  # the one action, on the first screen
    call = phone.get_by_role("link", name="Call Pat Peer · (319) 555-0142")
    expect(call).to_have_attribute("href", "tel:+13195550142")
    expect(phone.get_by_text(re.compile(r"Peers were paged: 1 peer"))).to_be_visible()
    for identifying in ("Tess", "Caller", "Ashdown"):
        expect(phone.get_by_text(re.compile(identifying))).to_have_count(0)
    check_page(phone, "coordinate-phone-dark")

    again.click()
    expect(phone.get_by_text("The available peers were paged again.")).to_be_visible()
    expect(
        phone.get_by_text(re.compile(r"A coordinator paged the available peers again: 1 peer"))
    ).to_be_visible()
    check_page(phone, "coordinate-paged-again-phone-dark")
    phone.get_by_role("button", name="Page all available peers again").click()  # a double tap
    expect(
        phone.get_by_text(re.compile(r"a moment ago, so nobody was paged twice"))
    ).to_be_visible()

    phone.goto(f"{site}/support/team/")
    listed = phone.get_by_role("link", name=re.compile(r"^A colleague — Now — asked"))
    expect(listed).to_be_visible()
    check_page(phone, "team-requests-phone-dark")

    lifecycle.acknowledge(request, world.peer, timedelta(minutes=10))
    listed.click()
    expect(phone.get_by_text("A peer has taken this request.")).to_be_visible()
    expect(phone.get_by_role("button", name="Page all available peers again")).to_have_count(0)
    expect(phone.locator("main").get_by_role("link", name=re.compile(r"^Call "))).to_have_count(0)
    check_page(phone, "coordinate-taken-phone-dark")
