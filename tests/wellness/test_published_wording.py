"""A validated self-check keeps its published English items and answers on a page in
another language, under a notice saying why; Backline's own words around them, and the
Stress Continuum (Backline's wording), follow the page's language (docs/adr/0034)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from backline.accounts.models import User
from backline.wellness.instruments import INSTRUMENTS, PHQ9, STRESS
from tests.personas import World

VALIDATED = sorted(key for key, instrument in INSTRUMENTS.items() if instrument.validated)
NOTICE = 'id="wording-notice"'


def reading_in(world: World, language: str) -> Client:
    """The telecommunicator, who chose ``language``, on a browser that prefers it."""
    User.objects.filter(pk=world.telecommunicator.pk).update(language=language)
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(world.telecommunicator)
    return client


def page(client: Client, key: str) -> str:
    response = client.get(reverse("wellness:take", args=[key]))
    assert response.status_code == 200
    return response.content.decode()


def test_only_the_stress_continuum_is_worded_by_backline() -> None:
    assert VALIDATED == ["gad7", "pcl5", "phq9", "proqol5"]


@pytest.mark.parametrize("key", VALIDATED)
def test_in_spanish_the_notice_comes_above_the_english_items(world: World, key: str) -> None:
    instrument = INSTRUMENTS[key]
    html = page(reading_in(world, "es"), key)
    assert '<html lang="es">' in html
    assert NOTICE in html
    assert html.index(NOTICE) < html.index(str(instrument.prompt))
    # the published wording, marked as English for a screen reader
    assert f'<p class="prompt" lang="en">{instrument.prompt}</p>' in html
    for item in instrument.items:
        assert str(item).replace("'", "&#x27;").replace('"', "&quot;") in html
    for choice in instrument.choices:
        assert f"> {choice.label}</label>" in html
    assert len(re.findall(r'<legend lang="en">', html)) == len(instrument.items) + bool(
        instrument.extra_question
    )


@pytest.mark.parametrize("key", VALIDATED)
def test_in_english_there_is_no_notice(world: World, key: str) -> None:
    html = page(reading_in(world, "en"), key)
    assert '<html lang="en">' in html
    assert NOTICE not in html
    assert 'lang="en">' not in html.split("<body", 1)[1]  # nothing marked apart


def test_the_stress_continuum_has_no_notice_in_spanish(world: World) -> None:
    html = page(reading_in(world, "es"), STRESS.key)
    assert NOTICE not in html
    assert '<legend lang="en">' not in html


def test_the_published_words_are_the_same_whatever_the_active_language() -> None:
    """Plain strings, not translations: no catalogue can change them."""
    for instrument in INSTRUMENTS.values():
        if not instrument.validated:
            continue
        words = [
            instrument.prompt,
            *instrument.items,
            *(c.label for c in (*instrument.choices, *instrument.extra_choices)),
        ]
        if instrument.extra_question:
            words.append(instrument.extra_question)
        assert all(type(word) is str for word in words), instrument.key


def test_what_backline_wrote_around_them_is_translated() -> None:
    """The title, the bands and the results stay marked for translation."""
    for instrument in (PHQ9, STRESS):
        assert not isinstance(instrument.title, str)
        assert not any(isinstance(band.meaning, str) for s in instrument.scales for band in s.bands)
    with translation.override("es"):
        assert type(STRESS.choices[0].label) is not str
