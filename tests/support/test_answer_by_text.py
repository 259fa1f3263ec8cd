"""Taking a request by replying to its text: the real SMS transport and the fake
provider on loopback, which forwards the peer's reply to Backline's inbound webhook
with the real HTTP client, signed as the provider signs."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.urls import reverse
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from backline.accounts.models import Membership, User
from backline.accounts.roles import Role
from backline.lib import clock
from backline.notify.models import Channel, OutgoingMessage
from backline.notify.sms.tests.fake_provider import FakeProvider, Inbound
from backline.support import answers, escalation, lifecycle
from backline.support.models import (
    EscalationState,
    Event,
    EventKind,
    Exclusion,
    RequestStatus,
    SupportRequest,
)
from tests import asking, spoken
from tests.harness import Clock, Team, reachable
from tests.personas import make_person

pytestmark = pytest.mark.django_db(transaction=True)

ACCOUNT = "AC0123456789abcdef0123456789abcdef"
TOKEN = "test-auth-token"
BACKLINE_NUMBER = "+15550109999"
B_NUMBER = "+15550100002"  # peer B's verified number (tests/support/conftest.py)
NOT_VALID = "Backline: that code is not valid. Open the link in the page to respond."
PROMPT = re.compile(r"(?:Reply (\d{6}) to take it|Responde (\d{6}) para atenderla)\.")


@dataclass
class Texts:
    provider: FakeProvider
    webhook: str

    def reply(self, sender: str, body: str, **signing: str) -> Inbound:
        return self.provider.text_in(
            self.webhook,
            sender,
            body,
            account=ACCOUNT,
            auth_token=signing.pop("auth_token", TOKEN),
            to=BACKLINE_NUMBER,
            **signing,
        )

    def code_sent_to(self, number: str) -> str:
        *_, text = self.provider.texts_to(number)
        found = PROMPT.search(text)
        assert found, text
        return found.group(1) or found.group(2)  # in English or in Spanish


@pytest.fixture
def texts(settings: Settings, live_server: LiveServer) -> Iterator[Texts]:
    fake = FakeProvider().start()
    settings.BACKLINE_SMS_API_URL = fake.url
    settings.BACKLINE_SMS_ACCOUNT_SID = ACCOUNT
    settings.BACKLINE_SMS_AUTH_TOKEN = TOKEN
    settings.BACKLINE_SMS_FROM = BACKLINE_NUMBER
    settings.BACKLINE_PUBLIC_URL = live_server.url
    yield Texts(fake, live_server.url + reverse("notify:sms_inbound"))
    fake.stop()


def ask(team: Team, urgency: str = "now") -> SupportRequest:
    request, _ = asking.reach_out(
        team.world.telecommunicator, team.world.region, escalation.Ask(urgency, "call")
    )
    return request


def paged_b(team: Team, moment: Clock, texts: Texts) -> tuple[SupportRequest, str]:
    """A request; A is paged by e-mail, then five minutes later B by text."""
    request = ask(team)
    moment.tick()
    moment.later(minutes=5)
    return request, texts.code_sent_to(B_NUMBER)


def still_open(request: SupportRequest) -> bool:
    request.refresh_from_db()
    return request.status == RequestStatus.OPEN and request.acknowledged_by_id is None


def test_replying_with_the_code_takes_the_request_and_says_what_next(
    team: Team, moment: Clock, texts: Texts
) -> None:
    request, code = paged_b(team, moment, texts)
    [page_text] = texts.provider.texts_to(B_NUMBER)
    assert f"Reply {code} to take it." in page_text
    for identifying in ("Tess", "Caller", "tc@harbor.test"):  # lock-screen safe
        assert identifying not in page_text
    # the code exists only as a digest bound to the number
    for row in OutgoingMessage.objects.all():
        assert code not in f"{row.subject} {row.body} {row.link} {row.action} {row.reply_digest}"

    answer = texts.reply(B_NUMBER, f" {code[:3]} {code[3:]} ")

    assert answer.status == 200
    link = texts.webhook.split("/notify/")[0] + reverse("support:request", args=[request.public_id])
    assert answer.texts == [
        "Backline: you took the request. Please reach out within 15 minutes. "
        f"Sign in to see who asked: {link}"
    ]
    request.refresh_from_db()
    assert (request.status, request.acknowledged_by_id) == (RequestStatus.ACKNOWLEDGED, team.b.pk)
    assert request.coming_by == clock.now() + timedelta(minutes=15)  # "now": the first choice
    assert "Tess" not in answer.texts[0]


def test_the_same_reply_again_takes_nothing_more(team: Team, moment: Clock, texts: Texts) -> None:
    request, code = paged_b(team, moment, texts)
    assert texts.reply(B_NUMBER, code).texts[0].startswith("Backline: you took the request.")
    request.refresh_from_db()
    taken_at = request.acknowledged_at

    moment.traveller.shift(timedelta(minutes=1))
    again = texts.reply(B_NUMBER, code)

    assert again.texts == [NOT_VALID]
    request.refresh_from_db()
    assert request.acknowledged_at == taken_at
    assert Event.objects.filter(request=request, kind=EventKind.ACKNOWLEDGED).count() == 1


def test_the_code_from_another_number_changes_nothing(
    team: Team, moment: Clock, texts: Texts
) -> None:
    request, code = paged_b(team, moment, texts)

    assert texts.reply("+15550100009", code).texts == [NOT_VALID]

    assert still_open(request)
    # nor is the code used up: B's own reply still takes it
    assert texts.reply(B_NUMBER, code).texts[0].startswith("Backline: you took the request.")


@pytest.mark.parametrize(
    "signing",
    [{"signature": ""}, {"signature": "bm90IGEgc2lnbmF0dXJl"}, {"auth_token": "someone-else"}],
    ids=["unsigned", "forged", "other account's token"],
)
def test_a_reply_without_the_providers_signature_is_refused(
    team: Team, moment: Clock, texts: Texts, signing: dict[str, str]
) -> None:
    request, code = paged_b(team, moment, texts)

    refused = texts.reply(B_NUMBER, code, **signing)

    assert (refused.status, refused.texts) == (403, [])
    assert still_open(request)
    assert not OutgoingMessage.objects.filter(replied_at__isnull=False).exists()
    assert texts.reply(B_NUMBER, code).texts[0].startswith("Backline: you took the request.")


FULL_WIDTH = "\uff11\uff12\uff13\uff14\uff15\uff16"  # digits, but not the ones a code is


ANOTHER_CODE = "another code"  # six digits, one more than the page's own


@pytest.mark.parametrize("body", [ANOTHER_CODE, "12345", "1234567", "yes", "", FULL_WIDTH])
def test_anything_but_the_code_is_not_valid(
    team: Team, moment: Clock, texts: Texts, body: str
) -> None:
    request, code = paged_b(team, moment, texts)
    if body == ANOTHER_CODE:
        body = f"{(int(code) + 1) % 1_000_000:06d}"

    assert texts.reply(B_NUMBER, body).texts == [NOT_VALID]
    assert still_open(request)


def test_a_request_another_peer_took_says_so(team: Team, moment: Clock, texts: Texts) -> None:
    request, code = paged_b(team, moment, texts)
    assert lifecycle.acknowledge(request, team.a, timedelta(minutes=5))

    assert texts.reply(B_NUMBER, code).texts == [
        "Backline: another peer already took this request. Thank you."
    ]
    request.refresh_from_db()
    assert request.acknowledged_by_id == team.a.pk


def test_a_request_that_ended_says_so(team: Team, moment: Clock, texts: Texts) -> None:
    request, code = paged_b(team, moment, texts)
    assert lifecycle.cancel(request)

    assert texts.reply(B_NUMBER, code).texts == [
        "Backline: this request has ended. No action is needed."
    ]
    request.refresh_from_db()
    assert (request.status, request.acknowledged_by_id) == (RequestStatus.CANCELLED, None)


def test_a_peer_who_may_no_longer_take_it_gets_the_same_answer_as_a_wrong_code(
    team: Team, moment: Clock, texts: Texts
) -> None:
    request, code = paged_b(team, moment, texts)
    Membership.objects.filter(user=team.b, role=Role.PEER).delete()

    assert texts.reply(B_NUMBER, code).texts == [NOT_VALID]
    assert still_open(request)


def test_an_excluded_peer_who_got_a_text_anyway_gets_the_same_answer(
    team: Team, moment: Clock, texts: Texts
) -> None:
    """Were a page ever sent to someone the requester excluded, its code takes nothing."""
    Exclusion.objects.create(owner=team.world.telecommunicator, excluded=team.b)
    request = ask(team)
    state = EscalationState.objects.get(request=request)
    escalation._page(request, [team.b.pk], state, clock.now())
    moment.tick()
    code = texts.code_sent_to(B_NUMBER)

    assert texts.reply(B_NUMBER, code).texts == [NOT_VALID]
    assert still_open(request)


def test_a_code_is_void_once_its_page_is_a_day_old(team: Team, moment: Clock, texts: Texts) -> None:
    request, code = paged_b(team, moment, texts)
    moment.traveller.shift(timedelta(hours=24))

    assert texts.reply(B_NUMBER, code).texts == [NOT_VALID]
    assert still_open(request)


def test_a_reply_after_taking_it_by_the_push_button_says_it_is_yours(
    team: Team, moment: Clock, texts: Texts
) -> None:
    request, code = paged_b(team, moment, texts)
    page = request.pages.get(peer=team.b)
    assert answers.take(page.link_id, team.b.pk).outcome is answers.Outcome.TAKEN

    [said] = texts.reply(B_NUMBER, code).texts

    assert said.startswith("Backline: you took this request already. Sign in to see who asked:")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a real race needs PostgreSQL")
@pytest.mark.parametrize("attempt", range(3))
def test_two_peers_replying_at_once_one_takes_it(
    team: Team, moment: Clock, texts: Texts, attempt: int
) -> None:
    """B and D, both paged by text, reply at the same moment: exactly one takes it,
    and the other is told plainly."""
    d = make_person(f"d{attempt}@harbor.test", "Di Dee", team.world.agency, Role.PEER)
    reachable(d, Channel.SMS, "+15550100004")
    request = ask(team)
    state = EscalationState.objects.get(request=request)
    escalation._page(request, [team.b.pk, d.pk], state, clock.now())
    moment.tick()
    codes = {
        B_NUMBER: texts.code_sent_to(B_NUMBER),
        "+15550100004": texts.code_sent_to("+15550100004"),
    }
    barrier = threading.Barrier(2)
    said: dict[str, list[str]] = {}

    def reply(number: str) -> None:
        try:
            barrier.wait()
            said[number] = texts.reply(number, codes[number]).texts
        finally:
            connections.close_all()

    threads = [threading.Thread(target=reply, args=(n,)) for n in codes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    outcomes = sorted(text[:40] for [text] in said.values())
    assert outcomes == [
        "Backline: another peer already took this",
        "Backline: you took the request. Please r",
    ]
    request.refresh_from_db()
    winner = next(n for n, [t] in said.items() if "you took" in t)
    assert request.acknowledged_by_id == (team.b.pk if winner == B_NUMBER else d.pk)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a real race needs PostgreSQL")
@pytest.mark.parametrize("attempt", range(3))
def test_the_same_reply_twice_at_once_is_used_once(
    team: Team, moment: Clock, texts: Texts, attempt: int
) -> None:
    request, code = paged_b(team, moment, texts)
    barrier = threading.Barrier(2)
    said: list[str] = []

    def reply() -> None:
        try:
            barrier.wait()
            said.extend(texts.reply(B_NUMBER, code).texts)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=reply) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(text[:30] for text in said) == [
        "Backline: that code is not val",
        "Backline: you took the request",
    ]
    assert Event.objects.filter(request=request, kind=EventKind.ACKNOWLEDGED).count() == 1


def test_the_answer_to_a_reply_is_in_the_language_of_the_peer_who_replied(
    team: Team, moment: Clock, texts: Texts, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The provider's request names no language: the answer is in the replier's."""
    User.objects.filter(pk=team.b.pk).update(language="es")
    with spoken.marking(monkeypatch):
        _request, code = paged_b(team, moment, texts)
        [page_text] = texts.provider.texts_to(B_NUMBER)
        assert page_text.startswith(spoken.mark("es"))
        answer = texts.reply(B_NUMBER, code)
    assert answer.status == 200
    [said] = answer.texts
    assert said.startswith(spoken.mark("es"))
    assert spoken.mark("en") not in said
