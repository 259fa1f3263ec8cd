"""Self-checks on a phone in dark mode: a telecommunicator takes the Stress Continuum
and a PHQ-9 whose ninth answer shows crisis lines first, sees the trend, sets a
reminder, exports and deletes everything; a peer is offered the ProQOL 5. Every page is
checked with axe."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from backline.wellness.models import Reminder, SelfCheck
from tests.browser.support import ON_A_PHONE, check_page, sign_in
from tests.personas import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_telecommunicator_checks_in_with_themselves(
    open_page: Callable[..., Page], site: str, world: World
) -> None:
    tess = open_page(**ON_A_PHONE)
    sign_in(tess, site, world.telecommunicator, suffix="-wellness")
    tess.get_by_text("Menu", exact=True).click()
    tess.get_by_role("link", name="Self-checks").click()
    expect(tess.get_by_role("heading", name="Self-checks", level=1)).to_be_visible()
    check_page(tess, "wellness-index-empty")

    # ten seconds: the stress continuum
    tess.locator("a[aria-describedby='check-stress']").click()
    check_page(tess, "wellness-stress-form")
    tess.get_by_label("Reacting: irritable, worried or sleeping badly, and it passes").check()
    tess.get_by_role("button", name="See my result").click()
    expect(tess.get_by_role("heading", name="Reacting (yellow)")).to_be_visible()
    check_page(tess, "wellness-stress-result")

    # a PHQ-9 sent with a question unanswered keeps what was answered
    tess.goto(f"{site}/self-checks/phq9/")
    questions = tess.locator("fieldset.question")
    for index in range(7):
        questions.nth(index).get_by_label("Several days").check()
    tess.get_by_role("button", name="See my result").click()
    expect(tess.get_by_text("A few questions have no answer yet.")).to_be_visible()
    expect(questions.nth(0).get_by_label("Several days")).to_be_checked()
    check_page(tess, "wellness-phq9-refused")
    questions.nth(7).get_by_label("Not at all").check()
    questions.nth(8).get_by_label("Several days").check()  # item 9
    tess.get_by_role("button", name="See my result").click()
    crisis = tess.get_by_role("heading", name="You don't have to wait to talk to someone")
    expect(crisis).to_be_visible()
    expect(tess.get_by_role("link", name="Call 988").first).to_be_in_viewport()
    check_page(tess, "wellness-phq9-crisis")

    tess.get_by_role("link", name="See it over time").click()
    expect(tess.locator("svg.trend-chart")).to_be_visible()
    check_page(tess, "wellness-phq9-trend")

    tess.get_by_role("link", name="All self-checks").click()
    tess.get_by_role("link", name="Change reminders").click()
    tess.get_by_label("Every month").check()
    check_page(tess, "wellness-reminders")
    tess.get_by_role("button", name="Save").click()
    expect(tess.get_by_text("Saved. Your next reminder comes on")).to_be_visible()
    assert Reminder.objects.filter(owner=world.telecommunicator).exists()

    with tess.expect_download() as download:
        tess.get_by_role("link", name="JSON").click()
    assert download.value.suggested_filename == "backline-self-checks.json"

    tess.get_by_text("Delete all my results").click()
    check_page(tess, "wellness-delete-confirm")
    tess.get_by_role("button", name="Yes, delete them all").click()
    expect(tess.get_by_text("All your self-check results are deleted.")).to_be_visible()
    assert not SelfCheck.objects.exists()
    check_page(tess, "wellness-index-after-delete")


def test_a_peer_is_offered_the_proqol_and_reads_its_three_scales(
    open_page: Callable[..., Page], site: str, world: World
) -> None:
    peer = open_page(**ON_A_PHONE)
    sign_in(peer, site, world.peer, world.totp_secrets[world.peer.pk], suffix="-wellness-peer")
    peer.goto(f"{site}/self-checks/")
    peer.get_by_role("link", name="Take the ProQOL 5").click()
    questions = peer.locator("fieldset.question")
    expect(questions).to_have_count(30)
    for index in range(30):
        questions.nth(index).get_by_label("Sometimes").check()
    check_page(peer, "wellness-proqol-form")
    peer.get_by_role("button", name="See my result").click()
    for scale in ("Compassion satisfaction", "Burnout", "Secondary traumatic stress"):
        expect(peer.get_by_role("heading", name=f"{scale}: Moderate")).to_be_visible()
    check_page(peer, "wellness-proqol-result")


def test_a_phq9_can_be_answered_by_keyboard_alone(
    open_page: Callable[..., Page], site: str, world: World
) -> None:
    tess = open_page(**ON_A_PHONE)
    sign_in(tess, site, world.telecommunicator, suffix="-wellness-keyboard")
    tess.goto(f"{site}/self-checks/phq9/")
    first = tess.locator("#id_item_1_0")
    for _step in range(60):  # from the top of the page to the first answer
        tess.keyboard.press("Tab")
        if first.evaluate("element => element === document.activeElement"):
            break
    expect(first).to_be_focused()
    for item in range(1, 10):
        # on a question's first answer: the arrow moves to "Several days" and chooses it;
        # item 9 is answered "Not at all" with the space bar
        tess.keyboard.press("Space" if item == 9 else "ArrowDown")
        tess.keyboard.press("Tab")
    tess.keyboard.press("Tab")  # past the unscored tenth question
    expect(tess.get_by_role("button", name="See my result")).to_be_focused()
    check_page(tess, "wellness-phq9-keyboard")
    tess.keyboard.press("Enter")
    expect(tess.get_by_role("heading", name="Mild")).to_be_visible()
    expect(tess.get_by_text("Score 8 (from 0 to 27)")).to_be_visible()
    [check] = SelfCheck.objects.all()
    assert check.answers.items == (1,) * 8 + (0,)
