"""Passkeys: Chromium's virtual authenticator stands in for a phone's screen lock."""

from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from playwright.sync_api import CDPSession, Page, expect

from tests.browser.support import check_page, confirm_password, sign_out, submit_password
from tests.personas import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def add_virtual_authenticator(page: Page) -> tuple[CDPSession, str]:
    """A platform authenticator that keeps passkeys and verifies the user (no prompt)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added: Any = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    return cdp, added["authenticatorId"]


def test_a_peer_adds_a_passkey_and_signs_in_with_it(page: Page, site: str, world: World) -> None:
    peer = world.peer
    Authenticator.objects.filter(user=peer).delete()  # a peer with no second factor yet
    cdp, authenticator_id = add_virtual_authenticator(page)

    submit_password(page, site, peer.email)
    expect(page).to_have_url(f"{site}/account/security/")
    check_page(page, "security-setup-required-peer")
    page.get_by_role("link", name="Add a passkey").click()
    confirm_password(page)

    expect(page).to_have_url(f"{site}/accounts/2fa/webauthn/add/")
    check_page(page, "passkey-add")
    page.get_by_label("Name").fill("Work phone")
    page.get_by_label("Passwordless").check()
    page.get_by_role("button", name="Add", exact=True).click()

    expect(page).to_have_url(f"{site}/accounts/2fa/recovery-codes/")
    expect(page.get_by_text("Security key added.")).to_be_visible()
    check_page(page, "passkey-added-recovery-codes")
    stored: Any = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})
    assert [c["isResidentCredential"] for c in stored["credentials"]] == [True]
    passkey = Authenticator.objects.get(user=peer, type=Authenticator.Type.WEBAUTHN)
    assert passkey.wrap().name == "Work phone"
    assert passkey.wrap().is_passwordless

    page.goto(f"{site}/home/")
    expect(page.get_by_role("heading", name="Peer supporter")).to_be_visible()
    check_page(page, "home-peer-with-passkey")
    sign_out(page)

    check_page(page, "login-before-passkey")
    page.locator("#passkey_login").click()

    expect(page).to_have_url(f"{site}/home/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {peer.display_name}")
    check_page(page, "home-after-passkey")
