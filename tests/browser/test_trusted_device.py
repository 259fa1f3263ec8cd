"""On a phone in dark mode: a peer ticks "Trust this browser" after their code, and the
next sign-in there asks for the password only; the security page says so and can end
the trust (ADR 0014)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import pytest
from allauth.mfa import app_settings as mfa_settings
from playwright.sync_api import Page, expect

from tests.browser.support import (
    answer_trust,
    check_page,
    fresh_totp_code,
    sign_out,
    submit_code,
    submit_password,
)
from tests.personas import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 667}


def test_a_peer_trusts_their_phone_and_is_not_asked_for_the_code_again(
    open_page: Callable[..., Page], site: str, world: World
) -> None:
    phone = open_page(viewport=PHONE, is_mobile=True, has_touch=True, color_scheme="dark")
    peer = world.peer
    submit_password(phone, site, peer.email, suffix="-trusted-phone-dark")
    submit_code(phone, fresh_totp_code(world.totp_secrets[peer.pk]), suffix="-trusted-phone-dark")

    expect(phone).to_have_url(re.compile(r"/accounts/2fa/trust/$"))
    expect(phone.get_by_role("heading", level=1)).to_have_text(
        "Is this your own phone or computer?"
    )
    box = phone.get_by_label(re.compile("Trust this browser until"))
    expect(box).not_to_be_checked()  # trusting is a choice, never the default
    box.focus()
    phone.keyboard.press("Space")  # reachable and usable from the keyboard
    expect(box).to_be_checked()
    expect(phone.get_by_role("button", name="Continue")).to_be_in_viewport()
    phone.keyboard.press("Space")
    expect(box).not_to_be_checked()
    answer_trust(phone, True, suffix="-trusted-phone-dark")
    expect(phone).to_have_url(f"{site}/home/")

    trusted = {c["name"]: c for c in phone.context.cookies()}[mfa_settings.TRUST_COOKIE_NAME]
    assert trusted["httpOnly"]  # no script on the page can read or copy it
    days_left = (trusted["expires"] - time.time()) / 86400
    assert 29.9 < days_left <= 30

    sign_out(phone)
    submit_password(phone, site, peer.email, suffix="-trusted-again")
    expect(phone).to_have_url(f"{site}/home/")  # no code this time

    phone.goto(f"{site}/account/security/")
    card = phone.get_by_role("region", name="This browser")
    expect(card).to_contain_text("Trusted until")
    check_page(phone, "security-trusted-phone-dark")
    card.get_by_role("button", name="Stop trusting this browser").click()
    expect(phone.get_by_text("This browser is no longer trusted")).to_be_visible()
    expect(card).to_contain_text("Not trusted")
    check_page(phone, "security-untrusted-phone-dark")

    sign_out(phone)
    submit_password(phone, site, peer.email, suffix="-untrusted-again")
    expect(phone).to_have_url(re.compile(r"/accounts/2fa/authenticate/$"))
