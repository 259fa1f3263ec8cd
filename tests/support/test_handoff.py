"""A warm hand-off card to the colleague's own e-mail, through the outbox and a real SMTP
exchange (aiosmtpd on loopback): a member to themselves, and the peer who took a
request to the colleague who asked (only the taker, only while they still see who asked,
never for an anonymous request, from a confirm step). Only verified e-mail, never text;
a lock-screen safe subject; one e-mail for a double submit; a cap an hour; no address in
the audit row or the logs; coordinators learn nothing of it."""

from __future__ import annotations

import logging
from datetime import time, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from backline.accounts.models import User
from backline.directory.models import Resource
from backline.notify.email.tests.smtp_server import Received, SmtpServer
from backline.notify.models import Channel, OutgoingMessage
from backline.privacy.models import AuditEntry
from backline.support import escalation, handoff, lifecycle
from backline.support.models import FOLLOWUP_DAYS_DEFAULT, SupportRequest
from tests import asking, spoken
from tests.directory.builders import WEEKDAYS, entry
from tests.harness import ClientOf, Clock, Response, Team, reachable

SUBJECT = "The details you asked for"
TESS = "tess@mail.test"


@pytest.fixture
def clinician(team: Team) -> Resource:
    return entry(
        team.world.region,
        "Dr. Ana Morales, LPC",
        organization="Morales Counseling",
        kind="clinician",
        telehealth=True,
        languages=(("es", "Spanish"), ("en", "English")),
        hours=((WEEKDAYS, time(9), time(17)),),
    )


@pytest.fixture
def tess(team: Team) -> None:
    """The telecommunicator's own verified e-mail and mobile, and an unverified e-mail."""
    tc = team.world.telecommunicator
    reachable(tc, Channel.EMAIL, TESS)
    reachable(tc, Channel.SMS, "+15550100009")
    reachable(tc, Channel.EMAIL, "old@mail.test", verified=False)


def _taken(team: Team, anonymous: bool = False) -> SupportRequest:
    made, _ = asking.reach_out(
        team.world.telecommunicator,
        team.world.region,
        escalation.Ask(urgency="now", contact="call", anonymous=anonymous),
    )
    assert lifecycle.acknowledge(made, team.a, timedelta(minutes=5))
    made.refresh_from_db()
    return made


def _cards(smtp: SmtpServer) -> list[Received]:
    return [r for r in smtp.received if r.subject == SUBJECT]


def _sent_cards() -> list[OutgoingMessage]:
    return list(OutgoingMessage.objects.filter(group_key__startswith="handoff:"))


def _to_requester(
    client: Client, request: SupportRequest, resource: Resource, **data: str
) -> Response:
    url = reverse("support:hand_off", args=[request.public_id, resource.pk])
    return client.post(url, data)


def test_a_member_emails_the_card_to_their_own_verified_email_only(
    team: Team,
    tess: None,
    clinician: Resource,
    smtp: SmtpServer,
    client_of: ClientOf,
    moment: Clock,
) -> None:
    client = client_of(team.world.telecommunicator)
    card = reverse("directory:card", args=[clinician.pk])
    page = client.get(card).content.decode()
    assert "E-mail this card to me" in page
    response = client.post(reverse("support:hand_off_to_me", args=[clinician.pk]), follow=True)
    assert "Sent to your e-mail" in response.content.decode()
    [row] = _sent_cards()
    assert row.channel == Channel.EMAIL and row.recipient == team.world.telecommunicator
    moment.tick()  # the engine sends it
    [mail] = _cards(smtp)
    assert mail.to == [TESS]
    for revealing in ("counsel", "crisis", "peer support", "Morales", "Backline:"):
        assert revealing.lower() not in mail.subject.lower()
    body = mail.body
    assert body.startswith("Dr. Ana Morales, LPC\nMorales Counseling\n")
    assert "my peer supporter suggested you" in body and "Could we meet by video" in body
    assert f"https://backline.example.org{card}" in body
    assert "text/html" in [p.get_content_type() for p in mail.message.walk()]
    assert not OutgoingMessage.objects.filter(
        recipient=team.world.telecommunicator, channel=Channel.SMS, group_key__startswith="handoff:"
    ).exists()


def test_without_a_verified_email_the_card_says_so_and_nothing_is_sent(
    team: Team, clinician: Resource, client_of: ClientOf
) -> None:
    reachable(team.world.telecommunicator, Channel.SMS, "+15550100009")
    client = client_of(team.world.telecommunicator)
    page = client.get(reverse("directory:card", args=[clinician.pk])).content.decode()
    assert "You have no verified e-mail in Backline" in page
    assert f'href="{reverse("notify:methods")}">Add an e-mail address' in page
    assert "E-mail this card to me" not in page
    response = client.post(reverse("support:hand_off_to_me", args=[clinician.pk]), follow=True)
    assert "Nothing was sent: there is no verified e-mail" in response.content.decode()
    assert _sent_cards() == []


def test_a_double_submit_or_a_reload_sends_one_email(
    team: Team,
    tess: None,
    clinician: Resource,
    smtp: SmtpServer,
    client_of: ClientOf,
    moment: Clock,
) -> None:
    client = client_of(team.world.telecommunicator)
    url = reverse("support:hand_off_to_me", args=[clinician.pk])
    client.post(url)
    again = client.post(url, follow=True)
    assert "already sent to your e-mail today" in again.content.decode()
    moment.tick()
    assert len(_cards(smtp)) == 1 and len(_sent_cards()) == 1


def test_a_sender_sends_at_most_ten_cards_an_hour(
    team: Team, tess: None, client_of: ClientOf, moment: Clock
) -> None:
    client = client_of(team.world.telecommunicator)
    entries = [entry(team.world.region, f"Entry {n}") for n in range(handoff.PER_HOUR + 1)]
    for resource in entries[:-1]:
        client.post(reverse("support:hand_off_to_me", args=[resource.pk]))
    refused = client.post(reverse("support:hand_off_to_me", args=[entries[-1].pk]), follow=True)
    assert "that is 10 cards in an hour" in refused.content.decode()
    assert len(_sent_cards()) == handoff.PER_HOUR
    moment.shift(hours=1)
    client.post(reverse("support:hand_off_to_me", args=[entries[-1].pk]))
    assert len(_sent_cards()) == handoff.PER_HOUR + 1


def test_the_peer_who_took_the_request_sends_the_card_to_the_colleague(
    team: Team,
    tess: None,
    clinician: Resource,
    smtp: SmtpServer,
    client_of: ClientOf,
    moment: Clock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    taken = _taken(team)
    peer = client_of(team.a)
    page = peer.get(reverse("support:request", args=[taken.public_id])).content.decode()
    assert f'href="/directory/?for={taken.public_id}">Find a resource for them' in page
    card = reverse("directory:card", args=[clinician.pk]) + f"?for={taken.public_id}"
    viewed = AuditEntry.objects.filter(action="support.request.viewed", actor_id=team.a.pk)
    read_before = viewed.count()
    shown = peer.get(card).content.decode()
    assert "Send to Tess&#x27;s e-mail" in shown
    # the card names who asked: a read of the request, audited as the request page is
    assert viewed.count() == read_before + 1
    assert viewed.latest("pk").subject_id == taken.requester_id
    assert "Send it only because Tess asked for it" in shown
    assert "E-mail this card to me" not in shown

    # without the confirm step: nothing
    response = _to_requester(peer, taken, clinician)
    assert response.status_code == 302 and _sent_cards() == []
    response = _to_requester(peer, taken, clinician, confirm="yes")
    assert response["Location"] == card
    _to_requester(peer, taken, clinician, confirm="yes")  # a reload
    moment.tick()
    [mail] = _cards(smtp)
    assert mail.to == [TESS]
    assert "Dr. Ana Morales, LPC" in mail.body
    [audited] = AuditEntry.objects.filter(action="support.handoff.sent")
    assert audited.actor_id == team.a.pk and audited.subject_id == taken.requester_id
    [row] = AuditEntry.objects.filter(pk=audited.pk).values()
    assert not [value for value in row.values() if "@" in str(value)]
    # nothing in the logs says to whom
    for revealing in (TESS, "Tess", "Caller", "tc@harbor.test"):
        assert revealing not in caplog.text


def test_only_the_taker_sends_and_only_while_they_see_who_asked(
    team: Team, tess: None, clinician: Resource, client_of: ClientOf, moment: Clock
) -> None:
    taken = _taken(team)
    for other in (team.b, team.world.coordinator, team.world.telecommunicator, team.world.outsider):
        assert _to_requester(client_of(other), taken, clinician, confirm="yes").status_code == 404
        shown = client_of(other).get(
            reverse("directory:card", args=[clinician.pk]) + f"?for={taken.public_id}"
        )
        assert "Tess" not in shown.content.decode()
    theirs = entry(team.world.outside_region, "Prairie Counseling")
    assert _to_requester(client_of(team.a), taken, theirs, confirm="yes").status_code == 404
    assert _sent_cards() == []

    assert lifecycle.close(taken, team.a)
    assert _to_requester(client_of(team.a), taken, clinician, confirm="yes").status_code == 302
    assert len(_sent_cards()) == 1
    moment.shift(days=FOLLOWUP_DAYS_DEFAULT + 1)
    eap = entry(team.world.region, "Harbor EAP", kind="eap")
    assert _to_requester(client_of(team.a), taken, eap, confirm="yes").status_code == 404
    card = client_of(team.a).get(
        reverse("directory:card", args=[eap.pk]) + f"?for={taken.public_id}"
    )
    assert "Tess" not in card.content.decode()
    assert len(_sent_cards()) == 1


def test_an_anonymous_request_offers_no_send(
    team: Team, tess: None, clinician: Resource, client_of: ClientOf
) -> None:
    taken = _taken(team, anonymous=True)
    peer = client_of(team.a)
    page = peer.get(reverse("support:request", args=[taken.public_id])).content.decode()
    assert "Find a resource for them" not in page
    assert _to_requester(peer, taken, clinician, confirm="yes").status_code == 404
    assert _sent_cards() == []


def test_coordinators_never_learn_to_whom_a_card_was_sent(
    team: Team, tess: None, clinician: Resource, client_of: ClientOf
) -> None:
    taken = _taken(team)
    _to_requester(client_of(team.a), taken, clinician, confirm="yes")
    assert len(_sent_cards()) == 1
    for person in (team.world.coordinator, team.world.administrator):
        client = client_of(person)
        for url in (
            reverse("support:team"),
            reverse("records:team"),
            reverse("support:coordinate", args=[taken.public_id]),
            reverse("directory:card", args=[clinician.pk]) + f"?for={taken.public_id}",
        ):
            body = client.get(url).content.decode()
            for revealing in ("Tess", TESS):
                assert revealing not in body, (person, url, revealing)


def test_the_card_is_in_the_colleagues_language_not_the_senders(
    team: Team,
    tess: None,
    clinician: Resource,
    client_of: ClientOf,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    User.objects.filter(pk=team.world.telecommunicator.pk).update(language="es")
    User.objects.filter(pk=team.a.pk).update(language="en")
    taken = _taken(team)
    peer = client_of(team.a)
    peer.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the sender's page is in English
    with spoken.marking(monkeypatch):
        assert _to_requester(peer, taken, clinician, confirm="yes").status_code == 302
    [row] = [m for m in _sent_cards() if m.channel == Channel.EMAIL]
    with translation.override("es"):
        subject = spoken.mark("es") + str(handoff.SUBJECT)
    assert row.subject == subject == "[es] Los datos que pediste"
    assert spoken.mark("es") in row.body and spoken.mark("en") not in row.body
    assert "Dr. Ana Morales, LPC" in row.body
