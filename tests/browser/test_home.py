"""Home on a phone (375 by 667, dark): the requester's request leads the page and updates
itself; the peer reads until when they are on call, the request waiting for them and
the one they took; closing that one asks first."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from backline.accounts.models import User
from backline.accounts.roles import Role
from backline.lib import clock
from backline.notify.models import Channel, ContactMethod
from backline.oncall.models import Rotation, RotationKind, RotationMember
from backline.support import escalation, lifecycle
from backline.support.models import (
    EscalationPolicy,
    EscalationStep,
    StepTarget,
    SupportRequest,
    TargetKind,
)
from tests import asking
from tests.browser.support import check_page, sign_in
from tests.personas import World, make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 375, "height": 667}, "color_scheme": "dark", "is_mobile": True}
ZONE = ZoneInfo("America/Los_Angeles")  # the agency's, so the peer's


@pytest.fixture
def on_call(world: World) -> Rotation:
    """A daily rotation that handed over to the peer an hour ago (another peer is next),
    and a policy that pages it."""
    handed_over = (
        (clock.now() - timedelta(hours=1)).astimezone(ZONE).replace(second=0, microsecond=0)
    )
    rotation = Rotation.objects.create(
        region=world.region,
        name="Primary",
        kind=RotationKind.DAILY,
        time_zone=ZONE.key,
        starts_on=handed_over.date(),
        handoff_time=handed_over.time(),
    )
    next_peer = make_person("nia@harbor.test", "Nia Next", world.agency, Role.PEER)
    RotationMember.objects.create(rotation=rotation, user=world.peer, position=0)
    RotationMember.objects.create(rotation=rotation, user=next_peer, position=1)
    policy = EscalationPolicy.objects.create(region=world.region, name="Standard", is_default=True)
    step = EscalationStep.objects.create(policy=policy, order=0, delay_minutes=5)
    StepTarget.objects.create(step=step, kind=TargetKind.ROTATION, rotation=rotation)
    return rotation


def _ask(user: User, world: World) -> SupportRequest:
    request, _token = asking.reach_out(user, world.region, escalation.Ask("now", "call"))
    return request


def test_a_requester_sees_their_request_first_and_it_updates_itself(
    open_page: Callable[..., Page], site: str, world: World, on_call: Rotation
) -> None:
    request = _ask(world.telecommunicator, world)
    phone = open_page(**PHONE)
    sign_in(phone, site, world.telecommunicator)
    phone.goto(f"{site}/")
    first = phone.locator("main section").first
    expect(first.get_by_role("heading", name="Looking for a peer")).to_be_visible()
    expect(first).to_be_in_viewport()
    expect(phone.get_by_role("heading", name="Support from your peers")).to_have_count(0)
    check_page(phone, "home-requester-open")

    assert lifecycle.acknowledge(request, world.peer, timedelta(minutes=15))
    # the card polls the request's own page: the news arrives on home, no reload
    expect(phone.get_by_text(re.compile(r"Pat Peer took your request"))).to_be_visible(
        timeout=12_000
    )
    expect(phone.get_by_role("heading", name=re.compile(r"^Hello"))).to_have_count(1)
    check_page(phone, "home-requester-coming")
    phone.get_by_role("link", name="Open your request").click()
    expect(phone).to_have_url(re.compile(rf"/support/requests/{request.public_id}/$"))


def test_a_peer_sees_their_shift_what_waits_and_what_they_took_and_closing_asks_first(
    open_page: Callable[..., Page], site: str, world: World, on_call: Rotation
) -> None:
    taken = _ask(world.telecommunicator, world)
    assert lifecycle.acknowledge(taken, world.peer, timedelta(minutes=15))
    waiting = _ask(
        make_person("wes@harbor.test", "Wes Waiting", world.agency, Role.TELECOMMUNICATOR), world
    )
    phone = open_page(**PHONE)
    sign_in(phone, site, world.peer, world.totp_secrets[world.peer.pk])
    phone.goto(f"{site}/")

    # the turn ends at tomorrow's hand-off, shown in the peer's zone
    ends = datetime.combine(on_call.starts_on, on_call.handoff_time, ZONE) + timedelta(days=1)
    expect(phone.locator("#duty")).to_have_text(
        f"You are on call until {ends:%a} {ends.day} {ends:%b, %H:%M}."
    )
    took = phone.get_by_role("link", name=re.compile(r"^Reach out by \d\d:\d\d — taken"))
    expect(took).to_have_attribute("href", f"/support/requests/{taken.public_id}/")
    offered = phone.get_by_role("link", name=re.compile(r"^A colleague — Now — asked"))
    expect(offered).to_have_attribute("href", f"/support/requests/{waiting.public_id}/offer/")
    expect(phone.get_by_text("Wes Waiting")).to_have_count(0)
    expect(phone.get_by_text("Tess Caller")).to_have_count(0)
    check_page(phone, "home-peer")

    took.click()
    expect(phone.get_by_role("heading", name="The request you took")).to_be_visible()
    close = phone.get_by_role("button", name="Yes, close it")
    expect(close).to_be_hidden()  # one careless tap does not close it
    phone.get_by_text("Close the request").click()
    expect(close).to_be_visible()
    check_page(phone, "close-confirm")
    close.click()
    expect(phone.get_by_text("Closed. Thank you for being there.")).to_be_visible()
    phone.goto(f"{site}/")
    expect(
        phone.get_by_role("link", name=re.compile(r"^Reach out by \d\d:\d\d — taken"))
    ).to_have_count(0)


def test_turning_off_a_paging_method_asks_first(
    open_page: Callable[..., Page], site: str, world: World
) -> None:
    ContactMethod.objects.create(
        user=world.peer, channel=Channel.EMAIL, value="pat@mail.test", verified_at=clock.now()
    )
    phone = open_page(**PHONE)
    sign_in(phone, site, world.peer, world.totp_secrets[world.peer.pk])
    phone.goto(f"{site}/notify/")
    confirm = phone.get_by_role("button", name="Yes, turn it off — E-mail: pat@mail.test")
    expect(confirm).to_be_hidden()
    phone.locator("summary", has_text="Turn off").click()
    expect(
        phone.get_by_text("Pages will not use pat@mail.test until you turn it on again.")
    ).to_be_visible()
    check_page(phone, "methods-turn-off-confirm")
    confirm.click()
    expect(phone.get_by_text(re.compile(r"^Turned off: pat@mail\.test\."))).to_be_visible()
    assert ContactMethod.objects.get(user=world.peer).disabled
