"""Choosing the language: the browser's on a first visit, the footer's picker (cookie,
and the person's setting when signed in), a safe way back, dates in the language's
own formats, and production refusing to start without a compiled catalogue."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import polib
import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django.utils import formats, translation
from pytest_django.fixtures import Settings

from backline.accounts.models import User
from backline.web.checks import compiled_catalogues
from tests.harness import ClientOf, Response
from tests.personas import World

pytestmark = pytest.mark.django_db

SPANISH = {"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"}
COOKIE = django_settings.LANGUAGE_COOKIE_NAME


def html_lang(page: Response) -> str:
    found = re.search(r'<html lang="([^"]*)">', page.content.decode())
    assert found, "no <html lang>"
    return found.group(1)


def pick(client: Client, code: str, back: str = "/home/") -> Response:
    return client.post(reverse("set_language"), {"language": code, "next": back})


def test_a_first_visit_follows_the_browser(client: Client) -> None:
    page = client.get(reverse("account_login"), headers=SPANISH)
    assert html_lang(page) == "es" and page["Content-Language"] == "es"
    assert html_lang(client.get(reverse("account_login"))) == "en"


def test_the_sign_in_page_and_every_page_have_the_picker(
    world: World, client: Client, client_of: ClientOf
) -> None:
    for page in [client.get(reverse("account_login")), client_of(world.peer).get("/home/")]:
        footer = page.content.decode().split('<footer class="site-footer">')[1]
        assert f'action="{reverse("set_language")}"' in footer
        assert 'name="csrfmiddlewaretoken"' in footer
        assert 'value="en" lang="en" class="link-button" aria-current="true">English<' in footer
        assert 'value="es" lang="es" class="link-button">Español<' in footer


def test_picking_a_language_signed_out_sets_the_cookie_and_returns(client: Client) -> None:
    picked = pick(client, "es", "/accounts/login/?next=/home/")
    assert picked.status_code == 302 and picked["Location"] == "/accounts/login/?next=/home/"
    assert picked.cookies[COOKIE].value == "es"
    page = client.get(reverse("account_login"))
    assert html_lang(page) == "es" and 'aria-current="true">Español<' in page.content.decode()


def test_a_signed_in_person_without_a_setting_gets_their_choice_saved(
    world: World, client_of: ClientOf
) -> None:
    client = client_of(world.telecommunicator)
    assert User.objects.get(pk=world.telecommunicator.pk).language == ""
    assert pick(client, "es").cookies[COOKIE].value == "es"
    assert User.objects.get(pk=world.telecommunicator.pk).language == "es"
    assert pick(client, "en").status_code == 302
    assert User.objects.get(pk=world.telecommunicator.pk).language == "en"


def test_a_saved_setting_wins_over_the_browser_and_the_cookie(
    world: World, client_of: ClientOf
) -> None:
    User.objects.filter(pk=world.peer.pk).update(language="es")
    client = client_of(world.peer)
    client.cookies[COOKIE] = "en"
    page = client.get("/home/", HTTP_ACCEPT_LANGUAGE="en")
    assert html_lang(page) == "es" and page["Content-Language"] == "es"
    signed_out = Client()
    signed_out.cookies[COOKIE] = "en"
    assert html_lang(signed_out.get(reverse("account_login"))) == "en"


@pytest.mark.parametrize("code", ["fr", "", "ES", "es-mx", "<script>"])
def test_a_language_not_offered_is_refused_and_nothing_is_saved(
    world: World, client_of: ClientOf, code: str
) -> None:
    client = client_of(world.peer)
    refused = pick(client, code)
    assert refused.status_code == 400
    assert "Backline is not offered in that language" in refused.content.decode()
    assert "Nothing was changed" in refused.content.decode()
    assert COOKIE not in refused.cookies
    assert User.objects.get(pk=world.peer.pk).language == ""


@pytest.mark.parametrize(
    "back",
    ["https://evil.example/", "//evil.example/home/", "http:///evil.example", "javascript:x", ""],
)
def test_only_a_local_page_is_returned_to(client: Client, back: str) -> None:
    picked = pick(client, "es", back)
    assert picked.status_code == 302 and picked["Location"] == reverse("landing")


def test_the_picker_only_posts(client: Client) -> None:
    assert client.get(reverse("set_language"), {"language": "es"}).status_code == 405
    assert COOKIE not in client.cookies


def test_the_picker_needs_the_forms_csrf_token(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.telecommunicator)
    assert pick(client, "es").status_code == 403
    assert User.objects.get(pk=world.telecommunicator.pk).language == ""


def test_dates_and_times_in_each_languages_own_formats() -> None:
    moment = datetime(2026, 12, 1, 20, 5)
    with translation.override("es"):
        assert formats.date_format(moment, "DATE_FORMAT") == "mar 1 de diciembre de 2026"
        assert formats.date_format(moment, "DATETIME_FORMAT") == (
            "mar 1 de diciembre de 2026, 20:05"
        )
        assert formats.date_format(moment, "SHORT_DATETIME_FORMAT") == "mar 1 dic, 20:05"
        assert formats.time_format(moment, "TIME_FORMAT") == "20:05"
    with translation.override("en"):
        assert formats.date_format(moment, "SHORT_DATETIME_FORMAT") == "Tue 1 Dec, 20:05"


def test_production_refuses_to_start_without_a_compiled_catalogue(
    settings: Settings, tmp_path: Path
) -> None:
    settings.LOCALE_PATHS = [tmp_path]
    settings.ENVIRONMENT = "development"
    assert compiled_catalogues(None) == []
    settings.ENVIRONMENT = "production"
    [error] = compiled_catalogues(None)
    assert error.id == "backline.E001" and error.is_serious()
    assert "'es'" in error.msg and str(tmp_path) in error.msg
    assert "scripts/compile_catalogues.py" in (error.hint or "")
    folder = tmp_path / "es" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "django.po").write_text("")
    assert len(compiled_catalogues(None)) == 1  # a .po alone is not enough
    fixture = Path(__file__).resolve().parent / "fixtures" / "catalogues" / "complete.po"
    polib.pofile(str(fixture)).save_as_mofile(str(folder / "django.mo"))
    assert compiled_catalogues(None) == []
    settings.LANGUAGES = [("en", "English"), ("es", "Spanish"), ("fr", "French")]
    [error] = compiled_catalogues(None)
    assert "'fr'" in error.msg
