"""On a phone in dark mode: a peer takes a break and ends it early, reads their own
load with a gentle note when it is high; a coordinator sees the load balance and that
the peer is unavailable, never why."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from backline.lib import clock
from backline.oncall import breaks
from backline.support.models import Page as Paged
from backline.support.models import PageKind, RequestStatus, SupportRequest, Urgency
from tests.browser.support import ON_A_PHONE, assert_tap_targets, check_page, open_menu, sign_in
from tests.browser.test_reach_out import paging  # noqa: F401 (a fixture)
from tests.personas import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_peer_takes_a_break_after_one_confirming_tap_and_comes_back_early(
    open_page: Callable[..., Page],
    site: str,
    paging: World,  # noqa: F811
) -> None:
    world = paging
    phone = open_page(**ON_A_PHONE)
    sign_in(phone, site, world.peer, world.totp_secrets[world.peer.pk], suffix="-care")
    phone.goto(f"{site}/oncall/")
    phone.locator("main").get_by_role("link", name="I need a break").first.click()
    expect(phone.get_by_role("heading", name="How long do you need?")).to_be_visible()
    check_page(phone, "care-break-phone-dark")
    assert_tap_targets(phone, "care-break-phone-dark")

    last_day = (clock.now().astimezone(world.peer.time_zone) + timedelta(days=2)).date()
    phone.get_by_label("Last day of my break").fill(last_day.isoformat())
    phone.get_by_role("button", name="Continue").click()
    expect(phone.get_by_role("heading", name="Is this right?")).to_be_visible()
    check_page(phone, "care-break-confirm-phone-dark")
    phone.get_by_role("button", name="Start my break").click()

    expect(phone.get_by_text("Your break has started")).to_be_visible()
    expect(phone.get_by_role("heading", name="You are on a break")).to_be_visible()
    assert breaks.unavailable([world.peer.pk], clock.now()) == {world.peer.pk}
    check_page(phone, "care-on-a-break-phone-dark")

    phone.get_by_text("End my break now").click()  # the confirm step opens
    phone.get_by_role("button", name="Yes, end my break").click()
    expect(phone.get_by_text("Welcome back")).to_be_visible()
    assert breaks.unavailable([world.peer.pk], clock.now()) == set()


def _contacts(world: World, count: int) -> None:
    """``count`` contacts the peer took and closed this month, paged at each."""
    now = clock.now()
    made = SupportRequest.objects.bulk_create(
        SupportRequest(
            region=world.region,
            anonymous=True,
            urgency=Urgency.NOW,
            status=RequestStatus.CLOSED,
            requested_at=now - timedelta(minutes=90 + n),
            acknowledged_by=world.peer,
            acknowledged_at=now - timedelta(minutes=85 + n),
            coming_by=now - timedelta(minutes=70 + n),
            closed_at=now - timedelta(minutes=20 + n),
        )
        for n in range(count)
    )
    Paged.objects.bulk_create(
        Paged(request=r, peer=world.peer, kind=PageKind.PEER, loop_count=0, paged_at=r.requested_at)
        for r in made
    )


def test_a_peer_reads_their_own_load_with_a_gentle_note_when_it_is_high(
    open_page: Callable[..., Page],
    site: str,
    paging: World,  # noqa: F811
) -> None:
    world = paging
    _contacts(world, 8)
    phone = open_page(**ON_A_PHONE)
    sign_in(phone, site, world.peer, world.totp_secrets[world.peer.pk], suffix="-care-load")
    phone.goto(f"{site}/care/my-load/")
    expect(phone.get_by_role("heading", name="You have been carrying a lot")).to_be_visible()
    expect(phone.get_by_role("link", name=world.clinician.display_name)).to_have_attribute(
        "href", f"mailto:{world.clinician.email}"
    )
    check_page(phone, "care-my-load-phone-dark")


def test_a_coordinator_sees_the_load_balance_and_who_is_unavailable(
    open_page: Callable[..., Page],
    site: str,
    paging: World,  # noqa: F811
) -> None:
    world = paging
    _contacts(world, 2)
    breaks.take(world.peer, clock.now() + timedelta(days=3), clock.now())
    coordinator = world.coordinator
    phone = open_page(**ON_A_PHONE)
    sign_in(phone, site, coordinator, world.totp_secrets[coordinator.pk], suffix="-care-balance")
    phone.goto(f"{site}/oncall/")
    expect(phone.locator("main").get_by_text("unavailable")).to_be_visible()
    expect(phone.locator("main").get_by_text("break")).to_have_count(0)
    check_page(phone, "care-unavailable-phone-dark")
    open_menu(phone).get_by_role("link", name="On call").click()
    phone.get_by_role("link", name="Load balance").click()
    expect(phone.get_by_role("heading", name="Load balance", exact=True)).to_be_visible()
    expect(phone.get_by_role("row", name=world.peer.display_name)).to_be_visible()
    check_page(phone, "care-load-balance-phone-dark")
