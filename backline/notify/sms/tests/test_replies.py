"""Texts that offer an action: their reply code, kept only as a digest bound to the
number, and the inbound webhook that hands a reply to its action once."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from backline.accounts.models import User
from backline.notify import actions, outbox
from backline.notify.models import Channel, ContactMethod, OutgoingMessage, Status
from backline.notify.sms import provider as signing
from backline.notify.sms import replies
from backline.notify.sms.tests.fake_provider import ACCOUNT, PUBLIC_URL, TOKEN, FakeProvider, Reply
from backline.notify.transport import TransportError
from tests.harness import Clock, Recorder, Response

NUMBER = "+15550100123"
URL = f"{PUBLIC_URL}/notify/sms/inbound/"
NOT_VALID = "Backline: that code is not valid. Open the link in the page to respond."


@pytest.fixture
def answered(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """A "wave" action: a reply to it is answered "waved at <argument>"."""
    calls: list[tuple[str, int]] = []

    def on_reply(argument: str, recipient_id: int) -> str | None:
        calls.append((argument, recipient_id))
        return None if argument == "nobody" else f"waved at {argument}"

    wave = actions.Action(
        title="Wave",
        reply_prompt="Reply %(code)s to wave.",
        tap_url=lambda argument, recipient_id: f"https://backline.example.org/wave/{argument}/",
        on_reply=on_reply,
    )
    monkeypatch.setitem(actions._actions, "wave", wave)
    return calls


def text(person: User, argument: str = "you") -> OutgoingMessage:
    message = outbox.Message("Backline: hello", "Hello.", action=f"wave:{argument}")
    outbox.enqueue(person.pk, "group", f"event-{argument}", message)
    return OutgoingMessage.objects.get(
        group_key="group", channel=Channel.SMS, action__endswith=argument
    )


@pytest.fixture
def texted(
    provider: FakeProvider,
    person: User,
    method: Callable[..., ContactMethod],
    moment: Clock,
    answered: list[tuple[str, int]],
) -> Callable[..., OutgoingMessage]:
    """``texted(argument="you")``: a text to the person's number that offers the wave
    action, after one pass of the outbox."""
    method(Channel.SMS, NUMBER)

    def send(argument: str = "you") -> OutgoingMessage:
        message = text(person, argument)
        outbox.process()
        return message

    return send


def reply(body: str, sender: str = NUMBER, token: str = TOKEN) -> Response:
    fields = {"MessageSid": "SMin1", "AccountSid": ACCOUNT, "From": sender, "Body": body}
    return Client().post(
        reverse("notify:sms_inbound"),
        fields,
        headers={"X-Twilio-Signature": signing.signature(token, URL, fields)},
    )


def said(response: Response) -> list[str]:
    return re.findall(r"<Message>(.*?)</Message>", response.content.decode())


def test_the_text_says_its_code_and_the_row_keeps_only_a_digest_bound_to_the_number(
    provider: FakeProvider, moment: Clock, texted: Callable[..., OutgoingMessage]
) -> None:
    provider.reply(Reply(status=503))  # the first attempt fails: the retry says the same
    message = texted()
    moment.shift(minutes=1)
    outbox.process()

    first, second = provider.texts_to(NUMBER)
    code = replies.code_for(message.pk)
    assert first == second == f"Hello. Reply {code} to wave."
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert message.reply_digest == replies.digest(NUMBER, code)
    assert code not in f"{message.subject} {message.body} {message.action} {message.reply_digest}"


def test_a_reply_is_handed_to_its_action_once(
    person: User, texted: Callable[..., OutgoingMessage], answered: list[tuple[str, int]]
) -> None:
    code = replies.code_for(texted().pk)

    first = reply(code)
    assert (first.status_code, first["Content-Type"]) == (200, "text/xml; charset=utf-8")
    assert said(first) == ["waved at you"]
    assert said(reply(code)) == [NOT_VALID]  # used
    assert answered == [("you", person.pk)]


def test_a_code_from_another_number_or_an_unsigned_reply_reaches_no_action(
    texted: Callable[..., OutgoingMessage], answered: list[tuple[str, int]]
) -> None:
    message = texted()
    code = replies.code_for(message.pk)

    assert said(reply(code, sender="+15550100999")) == [NOT_VALID]
    assert reply(code, token="not-the-token").status_code == 403
    assert (
        Client().post(reverse("notify:sms_inbound"), {"From": NUMBER, "Body": code}).status_code
        == 403
    )
    assert answered == []
    message.refresh_from_db()
    assert message.replied_at is None


def test_an_action_that_refuses_is_answered_like_an_unknown_code(
    texted: Callable[..., OutgoingMessage],
) -> None:
    message = texted("nobody")

    assert said(reply(replies.code_for(message.pk))) == [NOT_VALID]


def test_a_fallback_offers_the_same_action(
    person: User,
    method: Callable[..., ContactMethod],
    moment: Clock,
    recording: Callable[[str], Recorder],
    answered: list[tuple[str, int]],
) -> None:
    method(Channel.SMS, NUMBER)
    sent = recording(Channel.SMS)
    sent.fail(Channel.SMS, TransportError("invalid number", retryable=False))
    recording(Channel.EMAIL)
    message = text(person)
    method(Channel.EMAIL, "riley@mail.test")
    outbox.process()

    fallback = OutgoingMessage.objects.get(fallback_of=message)
    assert (fallback.channel, fallback.action, fallback.reply_digest) == ("email", "wave:you", "")
    email = sent.expect(to="riley@mail.test", subject="Backline: hello")
    assert email.envelope.button == "Wave"  # its button, as e-mail offers it
