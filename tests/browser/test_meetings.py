"""Sessions on a phone in dark mode: a coordinator schedules a support group for the
team (and is told plainly when it ends before it starts), the invitation arrives by
e-mail with its calendar file, the invitee answers in one tap, and the coordinator sees
how many are coming, never who. Every page is checked with axe."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core import mail
from playwright.sync_api import Page, expect
from pytest_django.fixtures import Settings

from backline.engine.loop import tick
from backline.lib import clock
from backline.meetings.models import Answer, Invitee, Meeting
from backline.notify.models import Channel, ContactMethod
from tests.browser.support import check_page, sign_in
from tests.personas import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 667}
ON_A_PHONE = {"viewport": PHONE, "is_mobile": True, "has_touch": True, "color_scheme": "dark"}


@pytest.fixture
def team(world: World, site: str, settings: Settings) -> World:
    """The telecommunicator and the peer read e-mail."""
    settings.BACKLINE_PUBLIC_URL = site
    for person, address in (
        (world.peer, "pat@mail.test"),
        (world.telecommunicator, "tess@mail.test"),
    ):
        ContactMethod.objects.create(
            user=person, channel=Channel.EMAIL, value=address, verified_at=clock.now()
        )
    return world


def test_a_coordinator_schedules_a_group_session_and_an_invitee_answers_in_one_tap(
    open_page: Callable[..., Page], site: str, team: World
) -> None:
    world = team
    day = (clock.now().astimezone(world.coordinator.time_zone) + timedelta(days=4)).date()

    coordinator = open_page(**ON_A_PHONE)
    sign_in(coordinator, site, world.coordinator, world.totp_secrets[world.coordinator.pk],
            suffix="-meetings-coordinator")  # fmt: skip
    coordinator.get_by_role("link", name="Sessions", exact=True).click()
    expect(coordinator.get_by_role("heading", name="Sessions", exact=True)).to_be_visible()
    check_page(coordinator, "meetings-list-empty")
    coordinator.get_by_role("link", name="Schedule a session").click()
    coordinator.get_by_label("Support group").check()
    coordinator.get_by_label("Day").fill(day.isoformat())
    coordinator.get_by_label("Starts at").fill("18:00")
    coordinator.get_by_label("Ends at").fill("17:00")
    coordinator.get_by_label("Place").fill("Wellness room, Harbor 911")
    coordinator.get_by_label("Seats").fill("10")
    coordinator.get_by_label("Pat Peer").check()
    coordinator.get_by_label("Invite everyone in the team").check()
    check_page(coordinator, "meetings-form")
    coordinator.get_by_role("button", name="Schedule and invite").click()
    expect(
        coordinator.get_by_text("A session ends after it starts, on the same day.")
    ).to_be_visible()
    check_page(coordinator, "meetings-form-refused")
    assert not Meeting.objects.exists()
    coordinator.get_by_label("Ends at").fill("19:30")
    coordinator.get_by_role("button", name="Schedule and invite").click()
    expect(coordinator.get_by_text("Scheduled. The invitations are on their way.")).to_be_visible()
    expect(coordinator.get_by_text("0 of 10 seats taken.")).to_be_visible()
    check_page(coordinator, "meetings-detail-organiser")

    meeting = Meeting.objects.get()
    tick(clock.now())  # the engine sends the invitations
    invited = [m for m in mail.outbox if m.to == ["tess@mail.test"]]
    assert [m.subject for m in invited] == ["Backline: an invitation"]
    assert any(a.get_content_type() == "text/calendar" for a in invited[0].message().walk())
    found = re.search(r"(http\S+/sessions/\d+/)", str(invited[0].body))
    assert found, invited[0].body

    invitee = open_page(**ON_A_PHONE)
    sign_in(invitee, site, world.telecommunicator, suffix="-meetings-invitee")
    invitee.goto(found.group(1))
    expect(invitee.get_by_role("heading", name="Support group")).to_be_visible()
    expect(invitee.get_by_text("Pat Peer")).to_be_visible()  # who facilitates
    check_page(invitee, "meetings-detail-invitee")
    invitee.get_by_role("button", name="Yes, I'm coming").click()
    expect(
        invitee.get_by_text("Thank you: your seat is kept. Backline reminds you the day before.")
    ).to_be_visible()
    expect(invitee.get_by_text("1 of 10 seats taken.")).to_be_visible()
    expect(invitee.get_by_role("button", name="I can't come after all")).to_be_visible()
    check_page(invitee, "meetings-answered")
    assert Invitee.objects.get(meeting=meeting, person=world.telecommunicator).answer == Answer.YES
    invitee.get_by_role("link", name="All sessions").click()
    expect(invitee.get_by_text("Your answer: Coming")).to_be_visible()
    check_page(invitee, "meetings-list")

    coordinator.reload()
    expect(coordinator.get_by_text("1 of 10 seats taken.")).to_be_visible()
    expect(coordinator.get_by_text("Tess Caller")).to_have_count(0)
    expect(coordinator.get_by_role("heading", name="Who answered")).to_have_count(0)

    peer = open_page(**ON_A_PHONE)
    sign_in(peer, site, world.peer, world.totp_secrets[world.peer.pk], suffix="-meetings-peer")
    peer.goto(found.group(1))
    expect(peer.get_by_role("heading", name="Who answered")).to_be_visible()
    expect(peer.get_by_text("Tess Caller")).to_be_visible()
    check_page(peer, "meetings-detail-facilitator")
    peer.get_by_role("link", name="Change the session").click()
    check_page(peer, "meetings-edit")
