"""Signing in through the real forms, as each persona, with and without a second factor."""

import re

import pytest
from allauth.mfa.models import Authenticator
from playwright.sync_api import Page, expect

from tests.browser.support import (
    check_page,
    confirm_password,
    fresh_totp_code,
    open_menu,
    sign_in,
    submit_code,
    submit_password,
    wrong_totp_code,
)
from tests.personas import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The sections of the home page that each persona's roles bring.
HOME_SECTIONS = {
    "telecommunicator": ["Support from your peers"],
    "peer": ["Support from your peers", "Peer supporter"],
    "coordinator": ["Coordinating Harbor Peer Team"],
    "clinician": ["Clinical advisor"],
    "administrator": ["Agency administration"],
}
ALL_SECTIONS = {heading for headings in HOME_SECTIONS.values() for heading in headings}
REACHES_OUT = {"telecommunicator", "peer"}
MANAGES = {"coordinator", "administrator"}


@pytest.mark.parametrize("persona", list(HOME_SECTIONS))
def test_each_persona_signs_in_and_sees_its_home(
    page: Page, site: str, world: World, persona: str
) -> None:
    user = getattr(world, persona)
    secret = world.totp_secrets.get(user.pk)
    assert (secret is None) == (persona == "telecommunicator")  # only they skip MFA

    sign_in(page, site, user, secret)

    expect(page).to_have_url(f"{site}/home/")
    expect(
        page.get_by_role("status").filter(has_text=f"Successfully signed in as {user}.")
    ).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {user.display_name}")
    for heading in ALL_SECTIONS:
        expect(page.get_by_role("heading", level=2, name=heading, exact=True)).to_have_count(
            1 if heading in HOME_SECTIONS[persona] else 0
        )
    header = page.locator(".site-header")
    expect(header.get_by_role("link", name="Reach out")).to_have_count(
        1 if persona in REACHES_OUT else 0
    )
    expect(open_menu(page).get_by_role("link", name="Manage")).to_have_count(
        1 if persona in MANAGES else 0
    )
    check_page(page, f"home-{persona}")


def test_a_wrong_code_is_refused(page: Page, site: str, world: World) -> None:
    user = world.clinician
    submit_password(page, site, user.email)

    submit_code(page, wrong_totp_code(world.totp_secrets[user.pk]))

    expect(page).to_have_url(f"{site}/accounts/2fa/authenticate/")
    expect(page.get_by_text("Incorrect code.")).to_be_visible()
    check_page(page, "mfa-authenticate-wrong-code")
    # Not signed in: home sends the browser back to sign in (which resumes the code step).
    response = page.request.get(f"{site}/home/", max_redirects=0)
    assert response.status == 302
    assert response.headers["location"].startswith("/accounts/login/")
    page.goto(f"{site}/home/")
    expect(page).to_have_url(re.compile(r"/accounts/(login|2fa/authenticate)/"))
    expect(page.get_by_role("heading", name="Hello")).to_have_count(0)


def test_a_role_that_needs_mfa_must_enrol_an_authenticator_app(
    page: Page, site: str, world: World
) -> None:
    user = world.coordinator
    Authenticator.objects.filter(user=user).delete()

    sign_in(page, site, user)

    expect(page).to_have_url(f"{site}/account/security/")
    expect(page.get_by_role("alert").filter(has_text="needs a second factor")).to_be_visible()
    check_page(page, "security-setup-required")
    page.goto(f"{site}/home/")  # nothing else opens before enrolment
    expect(page).to_have_url(f"{site}/account/security/")

    page.get_by_role("link", name="Use an authenticator app").click()
    confirm_password(page)
    expect(page).to_have_url(f"{site}/accounts/2fa/totp/activate/")
    check_page(page, "totp-activate")
    secret = page.get_by_label("Authenticator secret").input_value()  # what an app would scan
    page.get_by_label("Authenticator code").fill(fresh_totp_code(secret))
    page.get_by_role("button", name="Activate").click()

    expect(page).to_have_url(f"{site}/accounts/2fa/recovery-codes/")
    expect(page.get_by_text("Authenticator app activated.")).to_be_visible()
    check_page(page, "totp-activated")
    page.goto(f"{site}/home/")
    expect(page).to_have_url(f"{site}/home/")
    expect(page.get_by_role("heading", name=HOME_SECTIONS["coordinator"][0])).to_be_visible()
    check_page(page, "home-coordinator-enrolled")
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
