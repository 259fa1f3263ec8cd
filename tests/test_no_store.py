"""Nothing Backline shows is kept in the browser, and signing out clears the site's data."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from tests.harness import ClientOf
from tests.personas import PASSWORD, World
from tests.test_access import ACCESS, PERSONAS, Args, answer

# a view may choose its own caching only for a visitor, and only for what names nobody
CACHED_FOR_VISITORS = {"notify:service_worker": "no-cache", "manifest": "no-cache"}


@pytest.mark.parametrize(
    ("name", "args", "method"),
    [(name, args, method) for name, args, method, _ in ACCESS],
    ids=[name for name, *_ in ACCESS],
)
def test_every_answer_is_no_store(world: World, name: str, args: Args, method: str) -> None:
    for persona in PERSONAS:
        url, response = answer(world, persona, name, args, method)
        want = "no-store"
        if persona == "anonymous":
            want = CACHED_FOR_VISITORS.get(name, want)
        assert response["Cache-Control"] == want, (persona, url, response.status_code)


def test_a_page_that_does_not_exist_is_no_store_too(world: World, client_of: ClientOf) -> None:
    response = client_of(world.peer).get("/support/requests/nowhere/")
    assert response.status_code == 404
    assert response["Cache-Control"] == "no-store"


def test_static_files_keep_their_caching(
    world: World, client_of: ClientOf, settings: Settings
) -> None:
    settings.WHITENOISE_USE_FINDERS = True  # serve from the apps' folders, as in development
    settings.WHITENOISE_AUTOREFRESH = True
    response = client_of(world.peer).get("/static/backline/backline.css")
    assert response.status_code == 200
    assert "no-store" not in response["Cache-Control"]
    assert "max-age" in response["Cache-Control"]


def _sign_in(client: Client, email: str) -> None:
    client.get(reverse("account_login"))
    token = client.cookies["csrftoken"].value
    response = client.post(
        reverse("account_login"),
        {"login": email, "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302 and response["Location"] == reverse("home")


def test_signing_out_clears_the_browser_and_signing_in_again_works(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    _sign_in(client, world.telecommunicator.email)
    assert client.get(reverse("home")).status_code == 200

    token = client.cookies["csrftoken"].value
    out = client.post(reverse("account_logout"), {"csrfmiddlewaretoken": token})
    assert out.status_code == 302
    assert out["Clear-Site-Data"] == '"cache", "storage"'
    assert out["Cache-Control"] == "no-store"
    assert client.get(reverse("home")).status_code == 302  # the session is over

    # the sign-in page after it, and signing in again, keep working (CSRF included)
    login = client.get(reverse("account_login"))
    assert login.status_code == 200 and "Clear-Site-Data" not in login
    _sign_in(client, world.telecommunicator.email)
    assert client.get(reverse("home")).status_code == 200


def test_only_signing_out_clears_the_site_data(world: World, client_of: ClientOf) -> None:
    assert "Clear-Site-Data" not in client_of(world.peer).get(reverse("home"))
