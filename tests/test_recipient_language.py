"""Every message in its recipient's language, whoever caused it and whatever language the
process sending it has active: a Spanish-speaking telecommunicator reaches out, the
English-speaking peers are paged in English (an e-mail through a real SMTP exchange, a
text through the fake provider, their in-app messages), and what the requester is told
is in Spanish. ``tests.spoken`` marks each text with the language it was written in."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from email.header import decode_header, make_header

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation
from pytest_django.fixtures import Settings

from backline.accounts.models import Agency, User
from backline.notify import outbox, verification
from backline.notify.email.tests.smtp_server import SmtpServer
from backline.notify.models import Channel, OutgoingMessage
from backline.notify.sms.tests.fake_provider import FakeProvider, serving
from backline.support import escalation, lifecycle
from tests import asking, spoken
from tests.harness import ClientOf, Clock, Recorder, Team, reachable
from tests.meetings import builders
from tests.personas import World
from tests.test_invitations import invite

EN, ES = spoken.mark("en"), spoken.mark("es")
B_NUMBER = "+15550100002"  # peer B's text number (tests/harness.py)


@pytest.fixture
def marked(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    with spoken.marking(monkeypatch):
        yield


@pytest.fixture
def provider(settings: Settings) -> Iterator[FakeProvider]:
    with serving(settings) as fake:
        yield fake


def speaks(person: User, language: str) -> None:
    User.objects.filter(pk=person.pk).update(language=language)


def inapp(person: User) -> list[OutgoingMessage]:
    return list(
        OutgoingMessage.objects.filter(recipient=person, channel=Channel.INAPP).order_by("pk")
    )


def test_a_spanish_speakers_request_pages_english_speaking_peers_in_english(
    team: Team, moment: Clock, smtp: SmtpServer, provider: FakeProvider, marked: None
) -> None:
    tess = team.world.telecommunicator
    speaks(tess, "es")
    speaks(team.a, "en")  # B has no setting of their own: their agency's, English
    assert Agency.objects.get(pk=team.world.agency.pk).language == "en"

    with translation.override("es"):  # the requester's page is in Spanish
        request, _ = asking.reach_out(
            tess, team.world.region, escalation.Ask(urgency="now", contact="call")
        )
        # the engine, with Spanish still active: A is paged by e-mail
        moment.tick()
        [received] = [r for r in smtp.received if r.to == ["a@mail.test"]]
        assert str(make_header(decode_header(received.subject))).startswith(EN)
        assert received.body.startswith(EN)
        assert f"\n\n{EN}I'll take it: " in received.body  # the transport's own words
        assert '<html lang="en" dir="ltr">' in received.html
        assert ES not in received.body + received.html
        # five minutes later B, by text: the reply line is written when it is sent
        moment.later(minutes=5)
        [text] = provider.texts_to(B_NUMBER)
        assert text.startswith(EN)
        assert f"{EN}Reply " in text
        assert ES not in text
        for peer in (team.a, team.b):
            assert [m.subject[: len(EN)] for m in inapp(peer)] == [EN]

    with translation.override("en"):  # B takes it, on a page in English
        assert lifecycle.acknowledge(request, team.b, timedelta(minutes=10))
    [coming] = inapp(tess)
    assert coming.subject.startswith(ES) and coming.body.startswith(ES)
    # the pages A and B had are resolved in their readers' language, and A is told
    resolved = [m for m in inapp(team.a) + inapp(team.b) if m.resolved_at]
    assert len(resolved) == 2 and all(m.resolution.startswith(EN) for m in resolved)
    [taken] = [m for m in inapp(team.a) if not m.resolved_at]
    assert taken.subject.startswith(EN)


def test_the_engine_writes_in_the_recipients_language_not_its_own(
    team: Team, moment: Clock, smtp: SmtpServer, marked: None
) -> None:
    """No request, no language: the engine's tick writes a Spanish reader's page in
    Spanish, whichever language the process has active, and so does the thread that
    sends it (the e-mail's button line and layout)."""
    speaks(team.a, "es")
    asking.reach_out(team.world.telecommunicator, team.world.region, escalation.Ask("now", "call"))
    with translation.override("en"):
        moment.tick()
    [received] = [r for r in smtp.received if r.to == ["a@mail.test"]]
    assert str(make_header(decode_header(received.subject))).startswith(ES)
    assert received.body.startswith(ES)
    assert f"\n\n{ES}Yo la atiendo: " in received.body
    assert '<html lang="es" dir="ltr">' in received.html
    assert EN not in received.body + received.html
    [row] = inapp(team.a)
    assert row.subject.startswith(ES)


def test_without_a_setting_the_agencys_language_then_english(
    world: World, moment: Clock, marked: None
) -> None:
    Agency.objects.filter(pk=world.agency.pk).update(language="es")
    say = lambda: outbox.Message(subject=translation.gettext("Backline"), body="")  # noqa: E731
    for person in (world.peer, world.outsider):
        outbox.enqueue(person.pk, "group", "event", say, inapp_only=True)
    assert inapp(world.peer)[0].subject == f"{ES}Backline"  # Harbor's agency: Spanish
    assert inapp(world.outsider)[0].subject == f"{EN}Backline"  # no agency: English


def test_a_session_invitation_and_its_calendar_file_in_each_attendees_language(
    world: World, moment: Clock, client_of: ClientOf, marked: None
) -> None:
    speaks(world.telecommunicator, "es")
    speaks(world.peer, "en")
    for person in (world.telecommunicator, world.peer):
        reachable(person, Channel.EMAIL, person.email)
    coordinator = client_of(world.coordinator)
    data = builders.form(
        facilitators=[world.peer], invite=[world.telecommunicator], zone_of=world.coordinator
    )
    with translation.override("en"):
        builders.schedule(coordinator, data)
        sent = {m.to[0]: m for m in builders.sent_mail()}
    readers = (
        ("tc@harbor.test", ES, "Sesión de Backline"),
        ("peer@harbor.test", EN, "Backline session"),
    )
    for address, mark, summary in readers:
        email = sent[address]
        assert str(email.subject).startswith(mark)
        _part, calendar = builders.calendar_of(email)
        (event,) = calendar.walk("VEVENT")
        assert str(event["SUMMARY"]) == f"{mark}{summary}"
        assert str(event["DESCRIPTION"]).startswith(mark)
    assert not mail.outbox


def test_a_verification_code_in_its_owners_language(
    world: World, recorder: Recorder, marked: None
) -> None:
    speaks(world.peer, "es")
    method = reachable(world.peer, Channel.EMAIL, "new@mail.test", verified=False)
    with translation.override("en"):
        verification.send_code(method)
    sent = recorder.expect(to="new@mail.test")
    assert sent.subject.startswith(ES) and sent.body.startswith(ES)


def test_an_invitation_in_the_language_of_the_agency_it_is_to(
    world: World, moment: Clock, client_of: ClientOf, marked: None
) -> None:
    Agency.objects.filter(pk=world.agency.pk).update(language="es")
    coordinator = client_of(world.coordinator)
    assert invite(coordinator, world, email="nia@harbor.test").status_code == 302
    [email] = [m for m in mail.outbox if m.to == ["nia@harbor.test"]]
    assert str(email.subject).startswith(ES)
    assert str(email.body).startswith(ES)
    assert "marzo" in str(email.body)  # its expiry in March, as Django itself says it


def test_a_password_reset_in_the_language_of_the_person_it_is_for(
    world: World, client: Client, marked: None
) -> None:
    speaks(world.telecommunicator, "es")
    response = client.post(
        reverse("account_reset_password"), {"email": "tc@harbor.test"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 302
    [email] = [m for m in mail.outbox if m.to == ["tc@harbor.test"]]
    for text in (str(email.subject), str(email.body)):
        assert ES in text and EN not in text
