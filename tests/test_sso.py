"""Single sign-on (OIDC) per region, end to end against a fake identity provider.

The browser side is Django's test client plus httpx for the hop to the provider; the
server side (discovery, token, userinfo, keys) is allauth's own HTTP client talking to
``tests/oidc_provider.py`` on 127.0.0.1.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount, SocialApp
from django.contrib.messages import get_messages
from django.contrib.sites.models import Site
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from backline.accounts.models import Region, User
from backline.web import middleware as csp
from tests.harness import Response
from tests.oidc_provider import FakeIdentityProvider
from tests.personas import PASSWORD, World, totp_code

CALLBACK = "/accounts/oidc/region-harbor/login/callback/"


@pytest.fixture(autouse=True)
def _no_proxies(monkeypatch: pytest.MonkeyPatch) -> None:
    """allauth's server-side requests must reach the loopback provider directly."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


@pytest.fixture
def idp() -> Iterator[FakeIdentityProvider]:
    with FakeIdentityProvider(redirect_uris=[f"http://testserver{CALLBACK}"]) as provider:
        yield provider


def configure(region: Region, idp: FakeIdentityProvider, **extra: str) -> str:
    out = StringIO()
    options = {
        "region": region.slug,
        "name": "Harbor Agency SSO",
        "server_url": idp.issuer,
        "client_id": idp.client_id,
        "client_secret": idp.client_secret,
        **extra,
    }
    call_command("configure_sso", stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def sso(world: World, idp: FakeIdentityProvider) -> FakeIdentityProvider:
    """The fake provider, configured for world.region with the management command."""
    configure(world.region, idp)
    return idp


def provider_link(client: Client) -> str:
    """The region's button on the sign-in page, as a visitor finds it."""
    page = client.get(reverse("account_login"))
    assert page.status_code == 200
    links = re.findall(r'href="(/accounts/oidc/[^"]+)"', page.content.decode())
    assert len(links) == 1, links
    link: str = links[0]
    return link.replace("&amp;", "&")


def sso_sign_in(client: Client, idp: FakeIdentityProvider) -> Response:
    """Press the button, visit the provider, come back: the callback's response."""
    start = client.post(provider_link(client))
    assert start.status_code == 302, start
    authorize = start["Location"]
    assert authorize.startswith(f"{idp.issuer}/authorize?")
    with httpx.Client(trust_env=False, follow_redirects=False, timeout=10) as http:
        at_idp = http.get(authorize)
    assert at_idp.status_code == 302, at_idp.text
    callback = urlsplit(at_idp.headers["location"])
    assert f"{callback.scheme}://{callback.netloc}{callback.path}" == (
        f"http://testserver{CALLBACK}"
    )
    return client.get(callback.path, parse_qs(callback.query))


def signed_in_user(client: Client) -> int | None:
    value = client.session.get("_auth_user_id")
    return int(value) if value is not None else None


# -- the sign-in flow -----------------------------------------------------------------


def test_member_of_the_region_signs_in(world: World, sso: FakeIdentityProvider) -> None:
    identity = sso.sign_in_as("tc@harbor.test", name="Tess Caller")
    client = Client()

    response = sso_sign_in(client, sso)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert signed_in_user(client) == world.telecommunicator.pk
    assert client.get(reverse("home")).status_code == 200
    # allauth called the provider from the server side, with the client's secret.
    [token_call] = sso.calls("/token")
    assert token_call.params["client_secret"] == sso.client_secret
    assert token_call.params["redirect_uri"] == f"http://testserver{CALLBACK}"
    assert len(sso.calls("/userinfo")) == 1
    # The identity is now linked to the person, so the next sign-in finds it directly.
    link = SocialAccount.objects.get(user=world.telecommunicator)
    assert (link.provider, link.uid) == ("region-harbor", identity.sub)


def test_linked_person_signs_in_again_by_subject(world: World, sso: FakeIdentityProvider) -> None:
    identity = sso.sign_in_as("tc@harbor.test")
    sso_sign_in(Client(), sso)
    # Same subject, the address changed at the provider: the link still holds.
    sso.sign_in_as("tess.caller@harbor.test", sub=identity.sub)
    client = Client()

    sso_sign_in(client, sso)

    assert signed_in_user(client) == world.telecommunicator.pk
    assert SocialAccount.objects.filter(user=world.telecommunicator).count() == 1


def test_sso_sign_in_keeps_the_password_of_an_invited_address(
    world: World, sso: FakeIdentityProvider
) -> None:
    """The invitation proved the address, so allauth links without disabling the password."""
    sso.sign_in_as("tc@harbor.test")

    sso_sign_in(Client(), sso)

    world.telecommunicator.refresh_from_db()
    assert world.telecommunicator.check_password(PASSWORD)


def test_sso_sign_in_disables_the_password_of_an_unproven_address(
    world: World, sso: FakeIdentityProvider
) -> None:
    """allauth's guard against an account pre-registered with someone else's address."""
    EmailAddress.objects.filter(user=world.telecommunicator).update(verified=False)
    sso.sign_in_as("tc@harbor.test")

    sso_sign_in(Client(), sso)

    world.telecommunicator.refresh_from_db()
    assert not world.telecommunicator.has_usable_password()


def test_unknown_email_is_not_signed_in_and_no_account_is_made(
    world: World, sso: FakeIdentityProvider
) -> None:
    sso.sign_in_as("stranger@harbor.test")
    users_before = User.objects.count()
    client = Client()

    response = sso_sign_in(client, sso)

    assert response.status_code == 200
    assert b"closed" in response.content.lower()
    assert signed_in_user(client) is None
    assert User.objects.count() == users_before
    assert not User.objects.filter(email="stranger@harbor.test").exists()
    assert not SocialAccount.objects.exists()
    # Nor is a half-made sign-up left waiting in the session.
    assert "socialaccount_sociallogin" not in client.session


def test_person_of_another_region_is_refused(world: World, sso: FakeIdentityProvider) -> None:
    sso.sign_in_as("out@prairie.test")
    client = Client()

    response = sso_sign_in(client, sso)

    assert response.status_code == 302
    assert response["Location"] == reverse("account_login")
    assert signed_in_user(client) is None
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "That sign-in service is not set up for your team. Use your password."
    ]
    assert not SocialAccount.objects.exists()
    world.outsider.refresh_from_db()
    assert world.outsider.check_password(PASSWORD)


def test_linked_person_who_left_the_region_is_refused(
    world: World, sso: FakeIdentityProvider
) -> None:
    sso.sign_in_as("tc@harbor.test")
    sso_sign_in(Client(), sso)
    world.telecommunicator.memberships.all().delete()
    client = Client()

    response = sso_sign_in(client, sso)

    assert response["Location"] == reverse("account_login")
    assert signed_in_user(client) is None


def test_unverified_email_is_not_linked(world: World, sso: FakeIdentityProvider) -> None:
    sso.sign_in_as("tc@harbor.test", email_verified=False)
    client = Client()

    response = sso_sign_in(client, sso)

    assert response.status_code == 200
    assert signed_in_user(client) is None
    assert not SocialAccount.objects.exists()
    world.telecommunicator.refresh_from_db()
    assert world.telecommunicator.check_password(PASSWORD)


def test_second_factor_is_still_required(world: World, sso: FakeIdentityProvider) -> None:
    sso.sign_in_as("peer@harbor.test")
    client = Client()

    response = sso_sign_in(client, sso)

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert signed_in_user(client) is None
    code = totp_code(world.totp_secrets[world.peer.pk])
    asked = client.post(reverse("mfa_authenticate"), {"code": code})
    assert asked["Location"] == reverse("mfa_trust")  # trust this browser? (ADR 0014)
    done = client.post(reverse("mfa_trust"))
    assert done.status_code == 302
    assert signed_in_user(client) == world.peer.pk


def test_person_who_must_enrol_is_sent_to_enrol(world: World, sso: FakeIdentityProvider) -> None:
    world.clinician.authenticator_set.all().delete()
    sso.sign_in_as("clin@harbor.test")
    client = Client()

    response = sso_sign_in(client, sso)

    assert signed_in_user(client) == world.clinician.pk
    assert client.get(response["Location"])["Location"] == reverse("security_setup")


def test_address_case_does_not_matter(world: World, sso: FakeIdentityProvider) -> None:
    sso.sign_in_as("TC@Harbor.Test")
    client = Client()

    sso_sign_in(client, sso)

    assert signed_in_user(client) == world.telecommunicator.pk


def test_deactivated_person_is_not_signed_in(world: World, sso: FakeIdentityProvider) -> None:
    world.telecommunicator.is_active = False
    world.telecommunicator.save()
    sso.sign_in_as("tc@harbor.test")
    client = Client()

    response = sso_sign_in(client, sso)

    assert response["Location"] == reverse("account_inactive")
    assert signed_in_user(client) is None


def test_forged_state_is_refused(world: World, sso: FakeIdentityProvider) -> None:
    sso.sign_in_as("tc@harbor.test")
    client = Client()
    client.post(provider_link(client))

    response = client.get(CALLBACK, {"code": "made-up", "state": "made-up"})

    assert response.status_code == 401  # allauth's "sign-in failed" page
    assert signed_in_user(client) is None
    assert not sso.calls("/token")


def test_provider_in_another_region_signs_nobody_in_here(
    world: World, idp: FakeIdentityProvider
) -> None:
    """The other region's provider vouches for a harbor person: still refused."""
    configure(world.outside_region, idp)
    idp.redirect_uris = None
    idp.sign_in_as("tc@harbor.test")
    client = Client()
    start = client.post(reverse("openid_connect_login", args=["region-prairie"]))
    with httpx.Client(trust_env=False) as http:
        callback = urlsplit(http.get(start["Location"]).headers["location"])

    response = client.get(callback.path, parse_qs(callback.query))

    assert response["Location"] == reverse("account_login")
    assert signed_in_user(client) is None


# -- the sign-in page ------------------------------------------------------------------


def test_sign_in_page_lists_the_provider_and_allows_its_origin(
    world: World, sso: FakeIdentityProvider
) -> None:
    page = Client().get(reverse("account_login"))

    assert "Harbor Agency SSO" in page.content.decode()
    assert provider_link(Client()).startswith("/accounts/oidc/region-harbor/login/")
    policy = page["Content-Security-Policy"]
    form_action = re.search(r"form-action ([^;]+)", policy)
    assert form_action is not None
    assert form_action.group(1).split() == ["'self'", sso.issuer]


def test_sign_in_page_without_sso(world: World) -> None:
    csp.forget_sso_origins()
    page = Client().get(reverse("account_login"))

    assert "/accounts/oidc/" not in page.content.decode()
    assert "form-action 'self'" in page["Content-Security-Policy"]
    assert "127.0.0.1" not in page["Content-Security-Policy"]


# -- the command -----------------------------------------------------------------------


def test_configure_creates_and_links_the_app(world: World, idp: FakeIdentityProvider) -> None:
    output = configure(world.region, idp)

    world.region.refresh_from_db()
    app = world.region.sso_app
    assert app is not None
    assert (app.provider, app.provider_id) == ("openid_connect", "region-harbor")
    assert (app.name, app.client_id, app.secret) == (
        "Harbor Agency SSO",
        idp.client_id,
        idp.client_secret,
    )
    assert app.settings == {"server_url": idp.issuer}
    assert list(app.sites.all()) == [Site.objects.get_current()]
    assert CALLBACK in output
    assert idp.client_secret not in output


def test_configure_updates_in_place(
    world: World, idp: FakeIdentityProvider, tmp_path: Path
) -> None:
    configure(world.region, idp)
    secret_file = tmp_path / "secret"
    secret_file.write_text("  new-secret\n", encoding="utf-8")

    call_command(
        "configure_sso",
        region="harbor",
        name="Renamed",
        server_url=idp.issuer,
        client_id="other-client",
        client_secret_file=str(secret_file),
        stdout=StringIO(),
    )

    assert SocialApp.objects.count() == 1
    world.region.refresh_from_db()
    app = world.region.sso_app
    assert app is not None
    assert (app.name, app.client_id, app.secret) == ("Renamed", "other-client", "new-secret")


def test_changing_the_provider_drops_existing_links(
    world: World, sso: FakeIdentityProvider
) -> None:
    sso.sign_in_as("tc@harbor.test")
    sso_sign_in(Client(), sso)
    assert SocialAccount.objects.count() == 1

    configure(world.region, sso, client_id="renamed")  # same provider: links kept
    assert SocialAccount.objects.count() == 1
    configure(world.region, sso, server_url="https://idp.example/realms/new")

    assert not SocialAccount.objects.exists()


def test_remove_unlinks_and_deletes(world: World, sso: FakeIdentityProvider) -> None:
    sso.sign_in_as("tc@harbor.test")
    sso_sign_in(Client(), sso)

    call_command("configure_sso", region="harbor", remove=True, stdout=StringIO())

    world.region.refresh_from_db()
    assert world.region.sso_app is None
    assert not SocialApp.objects.exists()
    assert not SocialAccount.objects.exists()
    page = Client().get(reverse("account_login"))
    assert "/accounts/oidc/" not in page.content.decode()
    assert sso.issuer not in page["Content-Security-Policy"]
    # Removing again is harmless.
    out = StringIO()
    call_command("configure_sso", region="harbor", remove=True, stdout=out)
    assert "nothing changed" in out.getvalue()


@pytest.mark.parametrize(
    "server_url",
    [
        "https://idp.example",
        "https://idp.example/realms/x/",
        "http://localhost:8080/x",
        "http://127.0.0.1:9000",
        "http://[::1]:9000/realm",
    ],
)
def test_accepted_server_urls(world: World, server_url: str) -> None:
    call_command(
        "configure_sso",
        region="harbor",
        name="SSO",
        server_url=server_url,
        client_id="c",
        client_secret="s",
        stdout=StringIO(),
    )

    world.region.refresh_from_db()
    assert world.region.sso_app is not None
    assert world.region.sso_app.settings["server_url"] == server_url.rstrip("/")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"region": "nowhere"}, "no region"),
        ({"server_url": "http://idp.example/realms/x"}, "https"),
        ({"server_url": "http://127.0.0.1.evil.example/"}, "https"),
        ({"server_url": "http://localhost.evil.example/"}, "https"),
        ({"server_url": "ftp://idp.example/"}, "https"),
        ({"server_url": "idp.example/realms/x"}, "full URL"),
        ({"server_url": "https://idp.example/x?a=b"}, "query"),
        ({"server_url": "https://user:pw@idp.example/x"}, "password"),
        ({"server_url": "https://idp.example:99999/"}, "valid URL"),
        ({"name": "x" * 41}, "--name"),
        ({"name": " "}, "--name"),
        ({"client_id": ""}, "--client-id"),
        ({"client_secret": ""}, "secret"),
        ({"client_secret": None}, "--client-secret"),
        ({"client_secret": None, "client_secret_file": "/nonexistent/secret"}, "cannot read"),
        ({"client_secret_file": "/nonexistent/secret"}, "not allowed with"),
        ({"remove": True}, "--remove takes no other options"),
    ],
)
def test_invalid_input_changes_nothing(
    world: World, options: dict[str, object], message: str
) -> None:
    call_command(
        "configure_sso",
        region="harbor",
        name="Before",
        server_url="https://a.example",
        client_id="before",
        client_secret="before",
        stdout=StringIO(),
    )
    before = SocialApp.objects.get()
    arguments: dict[str, object] = {
        "region": "harbor",
        "name": "After",
        "server_url": "https://b.example",
        "client_id": "after",
        "client_secret": "after",
    }
    arguments.update(options)
    arguments = {k: v for k, v in arguments.items() if v is not None}

    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("configure_sso", stdout=StringIO(), **arguments)

    after = SocialApp.objects.get()
    assert (after.pk, after.name, after.client_id, after.secret, after.settings) == (
        before.pk,
        "Before",
        "before",
        "before",
        {"server_url": "https://a.example"},
    )
    world.region.refresh_from_db()
    assert world.region.sso_app_id == before.pk


def test_invalid_input_creates_nothing(world: World) -> None:
    with pytest.raises(CommandError, match="https"):
        call_command(
            "configure_sso",
            region="harbor",
            name="SSO",
            server_url="http://idp.example",
            client_id="c",
            client_secret="s",
        )

    assert not SocialApp.objects.exists()
    world.region.refresh_from_db()
    assert world.region.sso_app is None


# -- the fake provider itself ----------------------------------------------------------


def test_fake_provider_id_token_passes_allauths_own_checks(
    db: None, idp: FakeIdentityProvider
) -> None:
    """allauth skips the signature when it fetched the token itself: check it here."""
    from allauth.socialaccount.internal import jwtkit

    idp.redirect_uris = None
    identity = idp.sign_in_as("tc@harbor.test")
    with httpx.Client(base_url=idp.issuer, trust_env=False) as http:
        at_idp = http.get(
            "/authorize",
            params={
                "client_id": idp.client_id,
                "redirect_uri": "http://testserver/cb",
                "response_type": "code",
                "scope": "openid email",
                "state": "s",
                "nonce": "n-1",
            },
        )
        code = parse_qs(urlsplit(at_idp.headers["location"]).query)["code"][0]
        token = http.post(
            "/token",
            auth=(idp.client_id, idp.client_secret),
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": "http://testserver/cb",
            },
        ).json()
        replay = http.post(
            "/token",
            auth=(idp.client_id, idp.client_secret),
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": "http://testserver/cb",
            },
        )

    claims = jwtkit.verify_and_decode(
        credential=token["id_token"],
        keys_url=f"{idp.issuer}/jwks",
        issuer=idp.issuer,
        audience=idp.client_id,
        lookup_kid=jwtkit.lookup_kid_jwk,
    )
    assert claims["sub"] == identity.sub
    assert claims["nonce"] == "n-1"
    assert claims["email_verified"] is True
    assert replay.status_code == 400  # a code works once
