"""No log line holds a token, or who asked: the reach-out, anonymous, follow, take and
cancel flows through the views, with the engine running, as the configured handlers
write them and as any other handler (caplog) receives them."""

from __future__ import annotations

import io
import logging
import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.asking import reach_out_form
from tests.harness import ClientOf, Clock, Recorder, Response, Team
from tests.personas import World

NAMED_NOTE = "Could not stop thinking about the Route 9 rollover"
ANONYMOUS_NOTE = "My sergeant cannot know about this one"
CALLBACK = "+1 555 010 0199"
FORGED = "forged0token0ZZZ"


def _form_action(html: str, ending: str) -> str:
    """A form's target as the page itself gives it (the URL scheme may change)."""
    found = re.search(rf'action="([^"]*/{ending}/)"', html)
    assert found, f"no form ending in {ending}/"
    return found.group(1)


def _follow_path(response: Response) -> str:
    """The private follow link, wherever the reach-out answer put it."""
    places = [response.content.decode(), *(url for url, _ in response.redirect_chain)]
    for place in places:
        found = re.search(r"/support/follow/[^/\"\s]+/", place)
        if found:
            return found.group(0)
    raise AssertionError("no follow link after an anonymous reach-out")


def _page_link(recorder: Recorder, address: str) -> str:
    page = recorder.expect(to=address, containing="/support/pages/")
    return re.sub(r"^https?://[^/]+", "", page.link)


def test_no_token_name_e_mail_or_note_reaches_a_log(
    team: Team,
    recorder: Recorder,
    moment: Clock,
    client_of: ClientOf,
    caplog: pytest.LogCaptureFixture,
    written: io.StringIO,
) -> None:
    world: World = team.world
    caplog.set_level(logging.DEBUG)
    recorder.fail("sms")  # so that failed sends are logged as well
    requester = client_of(world.telecommunicator)
    peer = client_of(team.a)
    secrets = [NAMED_NOTE, ANONYMOUS_NOTE, CALLBACK, CALLBACK.replace(" ", ""), FORGED]
    secrets += [*world.telecommunicator.full_name.split(), world.telecommunicator.email]

    # a named request, taken from the page's link, then cancelled by the requester
    sent = requester.post(reverse("support:reach_out"), reach_out_form(note=NAMED_NOTE))
    assert sent.status_code == 302
    request_page = sent["Location"]
    moment.tick()
    link = _page_link(recorder, "a@mail.test")
    secrets.append(link.split("/support/pages/")[1].strip("/"))
    offer = peer.get(link)
    assert offer.status_code == 200
    taken = peer.post(_form_action(offer.content.decode(), "take"), {"coming_in": 15})
    assert taken.status_code == 302
    assert NAMED_NOTE.encode() in peer.get(taken["Location"]).content
    assert peer.get(f"/support/pages/{FORGED}/").status_code == 404
    own = requester.get(request_page).content.decode()
    assert requester.post(_form_action(own, "cancel"), {"confirm": "yes"}).status_code == 302

    # an anonymous request, followed by its private link, then cancelled there
    anonymous = requester.post(
        reverse("support:reach_out"),
        reach_out_form(anonymous="on", note=ANONYMOUS_NOTE, callback_number=CALLBACK),
        follow=True,
    )
    assert anonymous.status_code == 200
    follow = _follow_path(anonymous)
    secrets.append(follow.split("/support/follow/")[1].strip("/"))
    moment.later(minutes=6)
    recorder.expect(to="a@mail.test")  # the anonymous request's page
    visitor = Client()
    assert visitor.get(follow).status_code == 200
    assert visitor.get(f"/support/follow/{FORGED}/").status_code == 404
    assert visitor.get(f"/support/follow/{FORGED}/?from=mail").status_code == 404
    unchecked = Client(enforce_csrf_checks=True)
    assert unchecked.post(f"{follow}cancel/").status_code == 403  # logged by CSRF
    assert visitor.post(f"{follow}cancel/", {"confirm": "yes"}).status_code == 302
    assert visitor.get(f"/invitation/{FORGED}/").status_code in (404, 410)
    assert visitor.get(f"/oncall/calendar/{FORGED}.ics").status_code == 404
    moment.later(minutes=30)

    lines = caplog.text + written.getvalue()
    assert "Not Found: /support/follow/[redacted]/" in written.getvalue()
    assert "Forbidden (CSRF cookie not set.): /support/follow/[redacted]/cancel/" in lines
    leaked = [secret for secret in secrets if secret in lines]
    assert leaked == [], lines
    assert "@" not in lines, lines
