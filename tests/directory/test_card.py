"""The warm hand-off card: whom to call, what to say (naming telehealth and the language
the search asked for), the hours in the reader's time zone and whether they are open
now, cost, 988 at the foot; a print stylesheet and a "Print" button; another team's
entry is a 404."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.http import QueryDict
from django.urls import reverse

from backline.directory import card, hours
from backline.directory.models import Resource, day_names
from tests.directory.builders import EVERY_DAY, WEEKDAYS, entry
from tests.harness import ClientOf, Clock
from tests.personas import World

FRIDAY = 1 << 4


@pytest.fixture
def clinician(world: World) -> Resource:
    return entry(
        world.region,
        "Dr. Ana Morales, LPC",
        organization="Morales Counseling",
        kind="clinician",
        telehealth=True,
        cost="sliding_scale",
        fees_description="$20 to $60 a session",
        insurance="Aetna, Blue Cross",
        phones=(("(253) 555-0161", "voice"), ("253-555-0162", "text"), ("253-555-0163", "fax")),
        languages=(("es", "Spanish"), ("en", "English")),
        hours=((WEEKDAYS, time(9), time(17)),),
        contact_name="Ana",
        contact_title="intake",
        email="ana@morales.example",
        url="https://morales.example/",
    )


def test_the_script_names_telehealth_and_the_language_asked_for(clinician: Resource) -> None:
    said = card.script(clinician, "es")
    assert said.startswith(
        "I'm a 911 telecommunicator and my peer supporter suggested you. "
        "I'd like to ask about seeing a counselor."
    )
    assert "Could we meet by video (telehealth), in Spanish?" in said
    # a language the entry does not list is not promised
    assert "in " not in card.script(clinician, "fr").split(".")[-2]
    clinician.telehealth = False
    assert card.script(clinician, "es").endswith("Could we talk in Spanish?")
    assert card.script(clinician).endswith("I'd like to ask about seeing a counselor.")


def test_an_app_or_reading_is_asked_about_by_its_name(world: World) -> None:
    app = entry(world.region, "Breathe Easy", kind="app", languages=())
    assert card.script(app).endswith("I'd like to ask about Breathe Easy.")


def test_hours_move_into_the_readers_time_zone_and_past_midnight(world: World) -> None:
    late = entry(world.region, "Night line", hours=((FRIDAY, time(22), time(2)),), time_zone="UTC")
    # UTC Friday 22:00-02:00 is Friday 17:00-21:00 in Chicago (daylight time in June)
    [opening] = hours.openings_in(
        late, ZoneInfo("America/Chicago"), datetime(2026, 6, 3, tzinfo=UTC)
    )
    assert (opening.day_names, opening.opens_at, opening.closes_at) == ("Fri", time(17), time(21))
    # and Saturday 07:00 to 11:00 in Tokyo
    [opening] = hours.openings_in(late, ZoneInfo("Asia/Tokyo"), datetime(2026, 6, 3, tzinfo=UTC))
    assert (opening.day_names, opening.opens_at, opening.closes_at) == ("Sat", time(7), time(11))


def test_the_card_page_shows_whom_to_call_what_to_say_hours_open_now_and_cost(
    world: World, clinician: Resource, client_of: ClientOf, moment: Clock
) -> None:
    moment.to(datetime(2026, 3, 2, 18, tzinfo=UTC))  # Monday 10:00 in Los Angeles
    url = reverse("directory:card", args=[clinician.pk]) + "?language=es"
    page = client_of(world.telecommunicator).get(url).content.decode()
    assert "Dr. Ana Morales, LPC" in page and "Morales Counseling" in page
    assert '<a href="tel:2535550161">Call (253) 555-0161</a>' in page
    assert '<a href="sms:2535550162">Text 253-555-0162</a>' in page
    assert "Fax 253-555-0163" in page and "tel:2535550163" not in page
    assert "mailto:ana@morales.example" in page and "https://morales.example/" in page
    assert "Ask for: Ana, intake" in page
    assert "my peer supporter suggested you" in page and "in Spanish?" in page
    assert "Open now" in page
    assert "Mon to Fri: 09:00 to 17:00" in page
    assert "Times are in your time zone, America/Los_Angeles." in page
    assert "Sliding scale: $20 to $60 a session" in page and "Aetna, Blue Cross" in page
    assert "Yes, by video" in page
    assert 'href="tel:988"' in page and 'href="sms:988"' in page
    # the Print button, shown by its script; the print stylesheet
    assert "data-print hidden>Print</button>" in page
    assert "directory/card.css" in page and "directory/print.js" in page

    moment.to(datetime(2026, 3, 3, 3, tzinfo=UTC))  # Monday 19:00 in Los Angeles
    later = client_of(world.telecommunicator).get(url).content.decode()
    assert "Closed now" in later and "Open now" not in later


def test_a_reader_in_another_zone_reads_the_hours_in_their_own(
    world: World, client_of: ClientOf, moment: Clock
) -> None:
    moment.to(datetime(2026, 3, 2, 16, tzinfo=UTC))  # Monday 10:00 in Chicago, 11:00 in NY
    eastern = entry(
        world.region, "Eastern EAP", hours=((WEEKDAYS, time(9), time(17)),),
        time_zone="America/New_York",
    )  # fmt: skip
    page = client_of(world.peer).get(reverse("directory:card", args=[eastern.pk])).content.decode()
    assert "Mon to Fri: 06:00 to 14:00" in page  # in Los Angeles
    assert "Open now" in page


def test_the_print_stylesheet_hides_the_header_menu_and_buttons() -> None:
    from django.contrib.staticfiles import finders

    found = finders.find("directory/card.css")
    assert isinstance(found, str)
    with open(found, encoding="utf-8") as sheet:
        css = sheet.read()
    printed = css[css.index("@media print") :]
    for hidden in (".site-header", ".site-footer", ".card-screen-only", ".messages"):
        assert hidden in printed.split("display: none")[0]
    assert "#fff" in printed and "#000" in printed


def test_the_entry_links_to_its_card_carrying_the_context(
    world: World, clinician: Resource, client_of: ClientOf
) -> None:
    client = client_of(world.peer)
    page = client.get(reverse("directory:resource", args=[clinician.pk]) + "?for=abc123").content
    assert f'href="/directory/{clinician.pk}/card/?for=abc123">Hand-off card' in page.decode()
    found = client.get(reverse("directory:directory"), {"for": "abc123", "language": "es"})
    body = found.content.decode()
    assert '<input type="hidden" name="for" value="abc123">' in body
    assert f"/directory/{clinician.pk}/?for=abc123&amp;language=es" in body


def test_a_context_that_is_not_plain_is_dropped() -> None:
    assert card.Context.of(QueryDict("for=<script>&language=espanol")) == card.Context()
    assert card.Context.of(QueryDict("for=Ab-9_z&language=es")).query == "for=Ab-9_z&language=es"


def test_another_teams_card_is_a_404(
    world: World, clinician: Resource, client_of: ClientOf
) -> None:
    url = reverse("directory:card", args=[clinician.pk])
    assert client_of(world.outsider).get(url).status_code == 404
    assert client_of(world.coordinator).get(url).status_code == 200


def test_the_card_as_text_has_what_the_page_has(clinician: Resource) -> None:
    shown = card.card_of(
        clinician, ZoneInfo("America/Chicago"), datetime(2026, 3, 2, 18, tzinfo=UTC), "es"
    )
    text = card.as_text(shown)
    assert text.startswith("Dr. Ana Morales, LPC\nMorales Counseling\n")
    assert "- Call (253) 555-0161\n- Text 253-555-0162\n- Fax 253-555-0163\n" in text
    assert "“I'm a 911 telecommunicator and my peer supporter suggested you." in text
    assert "- Mon to Fri: 11:00 to 19:00\n" in text  # in Chicago
    assert "Cost: Sliding scale: $20 to $60 a session\n" in text
    assert "&amp;" not in text and "&#x27;" not in text
    assert "988" in text


def test_hours_on_every_day_or_the_working_week_read_so() -> None:
    assert day_names(EVERY_DAY) == "Every day"
    assert day_names(WEEKDAYS) == "Mon to Fri"
    assert day_names(0b1100000) == "Sat, Sun"
    assert day_names(0b0011111 ^ 0b100) == "Mon, Tue, Thu, Fri"  # Wednesday off
