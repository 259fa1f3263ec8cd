"""Signing in: passwords, second factors, throttling, session expiry, password reset."""

from __future__ import annotations

import re
from datetime import timedelta

import time_machine
from django.contrib.auth.hashers import check_password, make_password
from django.core import mail
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from backline import settings as backline_settings
from backline.accounts.models import User
from backline.accounts.roles import Role
from backline.lib import clock
from tests.harness import Response
from tests.personas import PASSWORD, World, make_person, totp_code


def sign_in(client: Client, email: str, password: str = PASSWORD) -> Response:
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_passwords_are_hashed_with_argon2(settings: Settings) -> None:
    settings.PASSWORD_HASHERS = backline_settings.PASSWORD_HASHERS  # the suite uses a fast one
    hashed = make_password("a long and private passphrase")
    assert hashed.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert check_password("a long and private passphrase", hashed)


def test_a_telecommunicator_signs_in_with_a_password(world: World, client: Client) -> None:
    response = sign_in(client, "tc@harbor.test")
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200


def test_a_wrong_password_is_refused_with_a_message(world: World, client: Client) -> None:
    response = sign_in(client, "tc@harbor.test", "not the password")
    assert response.status_code == 200
    assert b"not correct" in response.content
    assert client.get(reverse("home")).status_code == 302


def test_repeated_failures_are_throttled(world: World, client: Client) -> None:
    for _ in range(5):
        sign_in(client, "tc@harbor.test", "wrong")
    response = sign_in(client, "tc@harbor.test")  # even the right password now waits
    assert b"Too many failed login attempts" in response.content
    assert client.get(reverse("home")).status_code == 302


def test_a_peer_signs_in_with_a_second_factor(world: World, client: Client) -> None:
    response = sign_in(client, "peer@harbor.test")
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get(reverse("home")).status_code == 302  # not signed in yet
    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert b"Incorrect code" in wrong.content
    secret = world.totp_secrets[world.peer.pk]
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response["Location"] == reverse("mfa_trust")  # the box to trust this browser
    assert client.get(reverse("home")).status_code == 302  # still not signed in
    response = client.post(reverse("mfa_trust"))  # left unticked
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200


def test_roles_that_need_mfa_must_enrol_before_anything_else(world: World, client: Client) -> None:
    make_person("new.peer@harbor.test", "New Peer", world.agency, Role.PEER)
    sign_in(client, "new.peer@harbor.test")
    for page in ("home", "roster:people", "support:reach_out", "who_has_seen_my_data"):
        assert client.get(reverse(page))["Location"] == reverse("security_setup"), page
    assert client.get(reverse("security_setup")).status_code == 200
    # enrolling asks for the password again (allauth's reauthentication), then shows the QR code
    response = client.get(reverse("mfa_activate_totp"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("account_reauthenticate"))
    response = client.post(response.redirect_chain[-1][0], {"password": PASSWORD}, follow=True)
    assert response.request["PATH_INFO"] == reverse("mfa_activate_totp")
    assert b"Authenticator secret" in response.content


def test_telecommunicators_need_no_second_factor(world: World, client: Client) -> None:
    sign_in(client, "tc@harbor.test")
    assert client.get(reverse("support:reach_out")).status_code == 200


def test_demo_accounts_skip_mfa_only_in_demo_mode(
    world: World, client: Client, settings: Settings
) -> None:
    person = make_person("demo.peer@harbor.test", "Demo Peer", world.agency, Role.PEER)
    User.objects.filter(pk=person.pk).update(is_demo=True)
    sign_in(client, "demo.peer@harbor.test")
    assert client.get(reverse("home"))["Location"] == reverse("security_setup")
    settings.DEMO_MFA_RELAXED = True
    assert client.get(reverse("home")).status_code == 200


def test_a_person_without_a_role_is_told_so(world: World, client: Client) -> None:
    User.objects.create_user(email="lonely@harbor.test", password=PASSWORD, full_name="Lone")
    sign_in(client, "lonely@harbor.test")
    response = client.get(reverse("home"))
    assert b"not part of a peer team yet" in response.content
    assert b"Reach out" not in response.content
    assert client.get(reverse("support:reach_out")).status_code == 404


def test_a_deactivated_person_cannot_sign_in(world: World, client: Client) -> None:
    User.objects.filter(pk=world.telecommunicator.pk).update(is_active=False)
    response = sign_in(client, "tc@harbor.test")
    assert client.get(reverse("home")).status_code == 302
    assert response.status_code in (200, 302)


def test_a_session_ends_after_its_shift(world: World, client: Client) -> None:
    sign_in(client, "tc@harbor.test")
    assert client.get(reverse("home")).status_code == 200
    with time_machine.travel(clock.now() + timedelta(hours=12, minutes=1)):
        assert client.get(reverse("home")).status_code == 302


def test_signing_out_ends_the_session(world: World, client: Client) -> None:
    sign_in(client, "tc@harbor.test")
    client.post(reverse("account_logout"))
    assert client.get(reverse("home")).status_code == 302


def test_password_reset_by_email(world: World, client: Client) -> None:
    response = client.post(reverse("account_reset_password"), {"email": "tc@harbor.test"})
    assert response.status_code == 302
    body = str(mail.outbox[-1].body)
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", body)
    assert link, body
    page = client.get(link.group(1), follow=True)
    assert page.status_code == 200
    new = "a brand new long passphrase"
    client.post(
        page.redirect_chain[-1][0] if page.redirect_chain else link.group(1),
        {"password1": new, "password2": new},
    )
    assert User.objects.get(pk=world.telecommunicator.pk).check_password(new)


def test_password_reset_for_an_unknown_address_reveals_nothing(
    world: World, client: Client
) -> None:
    response = client.post(reverse("account_reset_password"), {"email": "nobody@harbor.test"})
    assert response.status_code == 302
    assert all("nobody@harbor.test" not in m.to or "reset" not in m.body for m in mail.outbox)


def test_open_sign_up_is_closed(client: Client, db: None) -> None:
    response = client.post(
        reverse("account_signup"),
        {
            "email": "walk-in@harbor.test",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert b"Sign Up Closed" in response.content or b"closed" in response.content.lower()
    assert not User.objects.filter(email="walk-in@harbor.test").exists()
