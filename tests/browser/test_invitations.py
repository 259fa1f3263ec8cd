"""An invitation, end to end: a coordinator sends it, the new colleague accepts it."""

import re
from collections.abc import Callable

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from tests.browser.support import check_page, confirm_password, open_menu, sign_in
from tests.personas import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "violet-harbor-lantern-42"
LINK = re.compile(r"https?://\S+/invitation/[\w-]+/")


def test_an_invitation_is_sent_and_accepted(
    page: Page, open_page: Callable[..., Page], site: str, world: World
) -> None:
    coordinator = world.coordinator
    sign_in(page, site, coordinator, world.totp_secrets[coordinator.pk])
    expect(page).to_have_url(f"{site}/home/")
    check_page(page, "home-coordinator")
    page.get_by_role("link", name="Invitations").click()
    expect(page).to_have_url(f"{site}/manage/invitations/")
    check_page(page, "invitations")

    page.get_by_label("Full name").fill("Nia Newcomer")
    email = page.get_by_label("E-mail address")
    email.fill(world.telecommunicator.email)  # somebody who already has an account
    page.get_by_role("combobox", name="Agency").select_option(label="Harbor 911")
    roles = page.get_by_role("group", name="Roles")
    expect(roles.get_by_label("Telecommunicator")).to_be_checked()
    page.get_by_role("button", name="Send the invitation").click()

    # The error is tied to its field, so a screen reader announces it there.
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_accessible_description(re.compile("already has a Backline account"))
    check_page(page, "invitations-error")
    assert mail.outbox == []
    email.fill("nia@harbor.test")
    page.get_by_role("button", name="Send the invitation").click()
    confirm_password(page)  # inviting gives roles: the password is asked again (ADR 0014)

    expect(page).to_have_url(f"{site}/manage/invitations/")
    sent = page.get_by_role("status").filter(has_text="Invitation sent to nia@harbor.test")
    expect(sent).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Nia Newcomer"))).to_contain_text("Open until")
    check_page(page, "invitations-sent")
    assert [message.to for message in mail.outbox] == [["nia@harbor.test"]]
    link = LINK.search(str(mail.outbox[0].body))
    assert link is not None, mail.outbox[0].body
    assert link.group(0) in sent.inner_text()  # the same link, shown once to the coordinator

    newcomer = open_page()  # another person's browser: no coordinator session
    newcomer.goto(link.group(0))
    expect(newcomer.get_by_role("heading", level=1)).to_have_text("Join Backline")
    expect(newcomer.get_by_text("as nia@harbor.test")).to_be_visible()
    expect(newcomer.get_by_label("Full name")).to_have_value("Nia Newcomer")
    check_page(newcomer, "invitation-accept")
    newcomer.get_by_label("What colleagues call you").fill("Nia")
    newcomer.get_by_label("Choose a password").fill(NEW_PASSWORD)
    newcomer.get_by_label("The same password again").fill(NEW_PASSWORD)
    newcomer.get_by_role("button", name="Create my account").click()

    expect(newcomer).to_have_url(f"{site}/home/")
    expect(newcomer.get_by_role("status").filter(has_text="Welcome to Backline.")).to_be_visible()
    expect(newcomer.get_by_role("heading", level=1)).to_have_text("Hello, Nia")
    expect(newcomer.get_by_role("heading", name="Support from your peers")).to_be_visible()
    expect(open_menu(newcomer).get_by_role("link", name="Manage")).to_have_count(0)
    check_page(newcomer, "home-new-telecommunicator")

    newcomer.goto(link.group(0))  # the link works once
    expect(newcomer.get_by_role("heading", level=1)).to_have_text("This invitation cannot be used")
    check_page(newcomer, "invitation-unusable")

    page.reload()
    expect(page.get_by_role("row", name=re.compile("Nia Newcomer"))).to_contain_text("Accepted")
    check_page(page, "invitations-accepted")
