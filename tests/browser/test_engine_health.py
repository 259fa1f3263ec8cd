"""On a phone in the dark, a coordinator reads in one calm line which part of paging has
kept failing, and for how long; a peer's pages say nothing of it."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
import time_machine
from playwright.sync_api import Page, expect

from backline.engine import phases
from backline.engine.loop import tick
from backline.lib import clock
from tests.browser.support import assert_tap_targets, check_page, sign_in
from tests.personas import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 375, "height": 667}, "color_scheme": "dark", "is_mobile": True}
DELAYED = re.compile(r"Paging is delayed: sending messages has failed for \d+\sminutes\.")


def a_defect(now: datetime) -> int:
    raise RuntimeError("a defect in delivering")


def test_a_coordinator_reads_which_part_of_paging_keeps_failing(
    open_page: Callable[..., Page], site: str, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        phases,
        "PHASES",
        tuple(replace(p, run=a_defect) if p.name == "deliver" else p for p in phases.PHASES),
    )
    with time_machine.travel(clock.now() - timedelta(minutes=3), tick=False):
        tick()  # delivering began to fail three minutes ago
    tick()  # and still does

    coordinator = open_page(**PHONE)
    secret = world.totp_secrets[world.coordinator.pk]
    sign_in(coordinator, site, world.coordinator, secret, suffix="-coordinator")
    coordinator.goto(f"{site}/")
    notice = coordinator.get_by_role("status").filter(has_text="Paging is delayed")
    expect(notice).to_have_text(DELAYED)
    expect(coordinator.get_by_role("alert")).to_have_count(0)  # the engine itself runs
    check_page(coordinator, "engine-phase-failing-coordinator-phone-dark")
    assert_tap_targets(coordinator, "coordinator's home, paging delayed")

    peer = open_page(**PHONE)
    sign_in(peer, site, world.peer, world.totp_secrets[world.peer.pk], suffix="-peer")
    peer.goto(f"{site}/")
    expect(peer.get_by_text("Paging is delayed")).to_have_count(0)
