"""The frame every page shares: the header's "Your request" for a requester with an
open request, one way of showing a moment, and 988 one tap away."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from django.core import mail
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

import backline
from backline.support import escalation, lifecycle
from tests import asking
from tests.harness import ClientOf
from tests.personas import World


def header_of(client: Client) -> str:
    html: str = client.get(reverse("security_setup")).content.decode()
    return html[html.index('<header class="site-header">') : html.index("</header>")]


def test_a_requester_with_an_open_request_is_led_back_to_it(
    world: World, client_of: ClientOf
) -> None:
    client = client_of(world.telecommunicator)
    assert 'href="/support/reach-out/">Reach out</a>' in header_of(client)

    request, _ = asking.reach_out(
        world.telecommunicator, world.region, escalation.Ask("now", "call")
    )
    header = header_of(client)
    assert f'href="/support/requests/{request.public_id}/"' in header
    assert "Your request" in header and "Reach out" not in header
    assert 'aria-current="page">Your request' not in header
    on_it = client.get(reverse("support:request", args=[request.public_id])).content.decode()
    assert 'aria-current="page">Your request' in on_it

    lifecycle.cancel(request)
    assert "Your request" not in header_of(client) and "Reach out" in header_of(client)


def test_an_anonymous_request_is_not_linked_to_its_requester(
    world: World, client_of: ClientOf
) -> None:
    asking.reach_out(
        world.telecommunicator,
        world.region,
        escalation.Ask("now", "call", anonymous=True, callback_number="+13195550142"),
    )
    header = header_of(client_of(world.telecommunicator))
    assert "Your request" not in header and "Reach out" in header


TEMPLATES = sorted(Path(backline.__file__).parent.glob("*/templates/**/*.html"))
# a literal format in a template, other than the machine ones (ISO 8601 for
# <time datetime>, and the values of date and time inputs)
LITERAL_FORMAT = re.compile(r"""\|(?:date|time):["'](?!c["']|Y-m-d|[A-Z_]+_FORMAT["'])""")


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_templates_show_moments_in_the_named_formats(template: Path) -> None:
    assert not LITERAL_FORMAT.search(template.read_text()), template


MOMENT = datetime(2026, 12, 6, 13, 5, tzinfo=UTC)
SHOWN = (
    "{{ at|time:'TIME_FORMAT' }} | {{ at|date:'SHORT_DATETIME_FORMAT' }}"
    " | {{ at|date:'DATETIME_FORMAT' }}"
)


def test_a_moment_reads_the_same_way_everywhere_in_english() -> None:
    with translation.override("en"), timezone.override("America/Chicago"):
        shown = Template(SHOWN).render(Context({"at": MOMENT}))
    assert shown == "07:05 | Sun 6 Dec, 07:05 | Sun 6 Dec 2026, 07:05"


def test_spanish_reads_a_moment_its_own_way() -> None:
    with translation.override("es"), timezone.override("America/Chicago"):
        shown = Template(SHOWN).render(Context({"at": MOMENT}))
    assert shown == "07:05 | dom 6 dic, 07:05 | dom 6 de diciembre de 2026, 07:05"


def test_a_language_without_formats_here_keeps_djangos() -> None:
    with translation.override("fr"), timezone.override("America/Chicago"):
        shown = Template(SHOWN).render(Context({"at": MOMENT}))
    assert shown.startswith("07:05 | 06/12/2026 07:05")


def test_988_is_a_call_and_a_text_away_on_every_page(client: Client, db: None) -> None:
    html = client.get(reverse("account_login")).content.decode()
    assert '<a href="tel:988">Call 988</a>' in html
    assert '<a href="sms:988">Text 988</a>' in html


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_every_988_in_a_template_comes_with_its_links(template: Path) -> None:
    text = re.sub(r"{% comment %}.*?{% endcomment %}", "", template.read_text(), flags=re.S)
    if "988" in text:
        assert 'href="tel:988"' in text and 'href="sms:988"' in text, template


def test_an_invitation_says_when_it_expires_in_the_agencys_time(
    world: World, client_of: ClientOf
) -> None:
    with time_machine.travel(datetime(2026, 12, 1, 15, 0, tzinfo=UTC), tick=False):
        client_of(world.coordinator).post(
            reverse("roster:invitations"),
            {
                "full_name": "Nia New",
                "email": "new@harbor.test",
                "agency": world.agency.pk,
                "roles": ["telecommunicator"],
            },
        )
    assert "expires on Tue 8 Dec 2026, 07:00 (America/Los_Angeles)" in mail.outbox[-1].body
