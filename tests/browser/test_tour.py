"""Every page of on-call, policies, notifications and requests, checked with axe, on a
desktop and on a phone in dark mode."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time

import pytest
from playwright.sync_api import Page, expect

from backline.accounts import grants
from backline.accounts.roles import Role
from backline.oncall.models import Rotation, RotationMember, Schedule, ScheduleWindow
from backline.support.models import EscalationPolicy, EscalationStep, StepTarget, TargetKind
from tests.browser.support import check_page, sign_in
from tests.personas import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PEER_PAGES = [
    "/oncall/",
    "/oncall/offers/new/",
    "/notify/",
    "/notify/methods/add/email/",
    "/notify/methods/add/sms/",
    "/notify/inbox/",
    "/support/open/",
    "/support/exclusions/",
    "/support/reach-out/",
    "/team/roster-changes/",
    "/accounts/2fa/webauthn/",
    "/accounts/reauthenticate/",
]


@pytest.fixture
def set_up(world: World) -> dict[str, int]:
    rotation = Rotation.objects.create(
        region=world.region,
        name="Primary",
        kind="weekly",
        time_zone="America/Los_Angeles",
        starts_on=date(2026, 1, 5),
        handoff_time=time(8),
    )
    RotationMember.objects.create(rotation=rotation, user=world.peer, position=0)
    schedule = Schedule.objects.create(
        region=world.region, name="Nights", time_zone="America/Los_Angeles"
    )
    ScheduleWindow.objects.create(
        schedule=schedule,
        rotation=rotation,
        weekdays=[0, 1, 2],
        starts_at=time(20),
        ends_at=time(8),
    )
    policy = EscalationPolicy.objects.create(region=world.region, name="Standard", is_default=True)
    step = EscalationStep.objects.create(policy=policy, order=0, delay_minutes=5)
    StepTarget.objects.create(step=step, kind=TargetKind.ROTATION, rotation=rotation)
    # a role given and taken away, for the roster-changes page
    grants.remove(
        grants.grant(world.telecommunicator, world.agency, Role.PEER, by=world.coordinator),
        by=world.coordinator,
    )
    return {"rotation": rotation.pk, "schedule": schedule.pk, "policy": policy.pk}


def coordinator_pages(ids: dict[str, int]) -> list[str]:
    return [
        "/oncall/rotations/",
        "/oncall/rotations/new/",
        f"/oncall/rotations/{ids['rotation']}/",
        "/oncall/schedules/",
        "/oncall/schedules/new/",
        f"/oncall/schedules/{ids['schedule']}/",
        "/oncall/overrides/",
        "/policies/",
        "/policies/new/",
        f"/policies/{ids['policy']}/",
        "/policies/coverage/",
        "/support/team/",
        "/team/roster-changes/",
    ]


def tour(page: Page, site: str, paths: list[str], suffix: str) -> None:
    for path in paths:
        response = page.goto(f"{site}{path}")
        assert response is not None and response.status == 200, path
        expect(page.locator("h1")).to_be_visible()
        check_page(page, path.strip("/").replace("/", "-") + suffix)


def test_a_peer_tours_every_page(
    page: Page, site: str, world: World, set_up: dict[str, int]
) -> None:
    sign_in(page, site, world.peer, world.totp_secrets[world.peer.pk])
    tour(page, site, PEER_PAGES, "")


def test_a_coordinator_tours_every_page(
    page: Page, site: str, world: World, set_up: dict[str, int]
) -> None:
    sign_in(page, site, world.coordinator, world.totp_secrets[world.coordinator.pk])
    tour(page, site, coordinator_pages(set_up), "")


def test_the_tour_on_a_phone_in_the_dark(
    open_page: Callable[..., Page], site: str, world: World, set_up: dict[str, int]
) -> None:
    phone = open_page(viewport={"width": 390, "height": 844}, is_mobile=True, color_scheme="dark")
    sign_in(
        phone, site, world.coordinator, world.totp_secrets[world.coordinator.pk], suffix="-phone"
    )
    paths = coordinator_pages(set_up)
    tour(phone, site, paths, "-phone")
    wide = phone.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert not wide
