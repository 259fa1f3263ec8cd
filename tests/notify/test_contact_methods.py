"""Adding, verifying, turning off and removing one's own contact methods."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from backline.notify import outbox, verification
from backline.notify.forms import normalize_phone
from backline.notify.models import Channel, ContactMethod, OutgoingMessage, Status
from backline.notify.transport import TransportError
from tests.harness import ClientOf, Clock, Recorder, Response
from tests.personas import World

CODE = re.compile(r"\b(\d{6})\b")


def add(client: Client, channel: str, value: str, label: str = "") -> Response:
    return client.post(
        reverse("notify:method_add", args=[channel]), {"value": value, "label": label}
    )


def code_in(text: object) -> str:
    """The code in a message's text (an e-mail's body may be a lazy string)."""
    found = CODE.search(str(text))
    assert found, text
    return found.group(1)


def verify(client: Client, method: ContactMethod, code: str) -> Response:
    return client.post(reverse("notify:method_verify", args=[method.pk]), {"code": code})


def test_add_an_email_and_verify_it_with_the_code(
    world: World, client_of: ClientOf, moment: Clock
) -> None:
    client = client_of(world.peer)
    response = add(client, Channel.EMAIL, "Pat.Peer@Mail.TEST", "personal")
    method = ContactMethod.objects.get(user=world.peer)
    assert response.status_code == 302
    assert response["Location"] == reverse("notify:method_verify", args=[method.pk])
    assert (method.value, method.label, method.verified_at) == (
        "Pat.Peer@mail.test",
        "personal",
        None,
    )
    [sent] = mail.outbox
    assert sent.to == ["Pat.Peer@mail.test"]
    assert sent.subject == "Backline verification code"
    code = code_in(sent.body)
    assert code not in method.code_digest and len(method.code_digest) == 64
    assert method.code_expires_at == moment.shift() + verification.CODE_LIFETIME
    assert OutgoingMessage.objects.count() == 0  # codes never sit in the outbox
    page = client.get(response["Location"])
    assert b"sent a 6-digit code to Pat.Peer@mail.test" in page.content
    response = verify(client, method, f"{code[:3]} {code[3:]}")
    assert response.status_code == 302
    method.refresh_from_db()
    assert method.verified_at == moment.shift()
    assert (method.code_digest, method.code_attempts) == ("", 0)
    assert method.is_usable


def test_add_a_mobile_number_in_any_common_writing(
    world: World, client_of: ClientOf, recording: Callable[[str], Recorder], moment: Clock
) -> None:
    texts = recording(Channel.SMS)
    response = add(client_of(world.peer), Channel.SMS, " +1 (555) 010-0199 ")
    assert response.status_code == 302
    method = ContactMethod.objects.get(user=world.peer)
    assert method.value == "+15550100199"
    text = texts.expect(to="+15550100199")
    assert verification.check_code(method, code_in(text.body)).check == verification.Check.VERIFIED


def test_a_call_reads_the_code_digit_by_digit(
    world: World, client_of: ClientOf, recording: Callable[[str], Recorder], moment: Clock
) -> None:
    calls = recording(Channel.VOICE)
    add(client_of(world.peer), Channel.VOICE, "+44 20 7946 0958")
    call = calls.expect(channel=Channel.VOICE, to="+442079460958")
    digits = re.search(r"(\d), (\d), (\d), (\d), (\d), (\d)", call.body)
    assert digits
    method = ContactMethod.objects.get(user=world.peer)
    code = "".join(digits.groups())
    assert verification.check_code(method, code).check == verification.Check.VERIFIED


@pytest.mark.parametrize(
    ("channel", "value", "error"),
    [
        (Channel.EMAIL, "pat", "Enter a complete e-mail address"),
        (Channel.EMAIL, "pat@", "Enter a complete e-mail address"),
        (Channel.EMAIL, "pat@mail", "Enter a complete e-mail address"),
        (Channel.EMAIL, "", "Enter an e-mail address."),
        (Channel.SMS, "555-0100", "Start with + and the country code"),
        (Channel.SMS, "(555) 010-0199", "Add the country code in front"),
        (Channel.SMS, "+0 555 010 0199", "A country code never starts with 0"),
        (Channel.SMS, "+1 555 CALL NOW", "Use only digits, spaces, dashes"),
        (Channel.VOICE, "+1 555", "has 7 to 15 digits; this one has 4"),
        (Channel.VOICE, "+1234567890123456", "has 7 to 15 digits; this one has 16"),
        (Channel.VOICE, "+1 555 0100+99", "Start with + and the country code"),
        (Channel.VOICE, "", "Enter a phone number."),
    ],
)
def test_invalid_addresses_and_numbers_are_refused_clearly(
    world: World, client_of: ClientOf, channel: str, value: str, error: str
) -> None:
    response = add(client_of(world.peer), channel, value)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert b'aria-invalid="true"' in response.content  # the error is tied to the field
    assert not ContactMethod.objects.exists()
    assert mail.outbox == []


def test_normalize_phone_keeps_only_digits() -> None:
    assert normalize_phone("+1 555.010.0199") == "+15550100199"
    assert normalize_phone("+683 4002") == "+6834002"


def test_the_same_one_twice_and_too_many_are_refused(
    world: World, client_of: ClientOf, moment: Clock
) -> None:
    client = client_of(world.peer)
    add(client, Channel.EMAIL, "pat@mail.test")
    response = add(client, Channel.EMAIL, "PAT@mail.test")
    assert "You have already added this one." in response.content.decode()
    for n in range(9):
        ContactMethod.objects.create(user=world.peer, channel=Channel.SMS, value=f"+1555010{n:04}")
    response = add(client, Channel.EMAIL, "other@mail.test")
    assert "Remove one before adding another." in response.content.decode()
    assert ContactMethod.objects.filter(user=world.peer).count() == 10


def test_only_email_sms_and_voice_can_be_typed_in(world: World, client_of: ClientOf) -> None:
    client = client_of(world.peer)
    for channel in ("push", "inapp", "fax"):
        assert client.get(reverse("notify:method_add", args=[channel])).status_code == 404


class TestCodes:
    @pytest.fixture
    def method(self, world: World, client_of: ClientOf, moment: Clock) -> ContactMethod:
        add(client_of(world.peer), Channel.EMAIL, "pat@mail.test")
        return ContactMethod.objects.get(user=world.peer)

    def test_five_wrong_codes_void_it(
        self, world: World, client_of: ClientOf, method: ContactMethod
    ) -> None:
        client = client_of(world.peer)
        right = code_in(mail.outbox[-1].body)
        wrong = "000000" if right != "000000" else "111111"
        for left in (4, 3, 2, 1):
            response = verify(client, method, wrong)
            assert f"You can try {left} more times." in response.content.decode()
        response = verify(client, method, wrong)
        assert "it no longer works. Ask for a new code." in response.content.decode()
        method.refresh_from_db()
        assert (method.code_digest, method.code_attempts) == ("", 5)
        response = verify(client, method, right)  # too late: the code is void
        assert "No code is waiting" in response.content.decode()
        method.refresh_from_db()
        assert method.verified_at is None

    def test_an_expired_code_is_refused(
        self, world: World, client_of: ClientOf, method: ContactMethod, moment: Clock
    ) -> None:
        code = code_in(mail.outbox[-1].body)
        moment.shift(minutes=15)
        response = verify(client_of(world.peer), method, code)
        assert "This code has expired" in response.content.decode()
        method.refresh_from_db()
        assert method.verified_at is None and method.code_digest == ""

    def test_a_code_just_before_it_expires_works(
        self, world: World, client_of: ClientOf, method: ContactMethod, moment: Clock
    ) -> None:
        code = code_in(mail.outbox[-1].body)
        moment.shift(minutes=14, seconds=59)
        verify(client_of(world.peer), method, code)
        method.refresh_from_db()
        assert method.verified_at is not None

    def test_a_new_code_replaces_the_old_one(
        self, world: World, client_of: ClientOf, method: ContactMethod, moment: Clock
    ) -> None:
        old = code_in(mail.outbox[-1].body)
        moment.shift(seconds=61)
        client_of(world.peer).post(reverse("notify:method_resend", args=[method.pk]))
        new = code_in(mail.outbox[-1].body)
        if new != old:
            assert verification.check_code(method, old).check == verification.Check.WRONG
        assert verification.check_code(method, new).check == verification.Check.VERIFIED

    def test_resending_is_limited(
        self, world: World, client_of: ClientOf, method: ContactMethod, moment: Clock
    ) -> None:
        client = client_of(world.peer)
        resend = reverse("notify:method_resend", args=[method.pk])
        response = client.post(resend, follow=True)
        assert "You can ask again in 1 minute." in response.content.decode()
        assert len(mail.outbox) == 1
        for _ in range(verification.SENDS_PER_WINDOW - 1):
            moment.shift(seconds=61)
            client.post(resend)
        assert len(mail.outbox) == verification.SENDS_PER_WINDOW
        moment.shift(seconds=61)
        response = client.post(resend, follow=True)
        assert "Too many codes were sent in the last hour" in response.content.decode()
        assert len(mail.outbox) == verification.SENDS_PER_WINDOW
        moment.shift(hours=1)
        client.post(resend)
        assert len(mail.outbox) == verification.SENDS_PER_WINDOW + 1

    def test_a_person_cannot_flood_numbers_by_adding_many(
        self, world: World, client_of: ClientOf, recording: Callable[[str], Recorder], moment: Clock
    ) -> None:
        texts = recording(Channel.SMS)
        for n in range(verification.SENDS_PER_PERSON_PER_HOUR + 2):
            method = ContactMethod.objects.create(
                user=world.coordinator, channel=Channel.SMS, value=f"+1555010{n:04}"
            )
            if n < verification.SENDS_PER_PERSON_PER_HOUR:
                verification.send_code(method)
            else:
                with pytest.raises(verification.TooMany):
                    verification.send_code(method)
        assert len(texts.take()) == verification.SENDS_PER_PERSON_PER_HOUR

    def test_a_code_that_could_not_be_sent_is_void(
        self, world: World, client_of: ClientOf, recording: Callable[[str], Recorder], moment: Clock
    ) -> None:
        recording(Channel.SMS).fail(Channel.SMS, TransportError("invalid number", retryable=False))
        client = client_of(world.peer)
        response = add(client, Channel.SMS, "+15550100199")
        method = ContactMethod.objects.get(channel=Channel.SMS)
        page = client.get(response["Location"])
        assert "We could not send a code there" in page.content.decode()
        assert method.code_digest == ""

    def test_a_verified_method_needs_no_code(
        self, world: World, client_of: ClientOf, method: ContactMethod
    ) -> None:
        ContactMethod.objects.filter(pk=method.pk).update(verified_at=method.created_at)
        response = client_of(world.peer).get(reverse("notify:method_verify", args=[method.pk]))
        assert response.status_code == 302
        assert verification.check_code(method, "123456").check == (
            verification.Check.ALREADY_VERIFIED
        )


def test_a_verified_method_is_used_for_pages_and_an_unverified_one_is_not(
    world: World, client_of: ClientOf, recording: Callable[[str], Recorder], moment: Clock
) -> None:
    client = client_of(world.peer)
    sent = recording(Channel.SMS)
    recording(Channel.EMAIL)
    add(client, Channel.SMS, "+15550100199")
    add(client, Channel.EMAIL, "pat@mail.test")
    sms = ContactMethod.objects.get(channel=Channel.SMS)
    verify(client, sms, code_in(sent.expect(to="+15550100199").body))
    sent.expect(to="pat@mail.test", subject="Backline verification code")
    outbox.enqueue(world.peer.pk, "g", "e", outbox.Message("Backline: page", "Open Backline."))
    outbox.process()
    sent.expect(to="+15550100199", subject="Backline: page")
    sent.expect_nothing(to="pat@mail.test")
    assert not OutgoingMessage.objects.filter(channel=Channel.EMAIL).exists()


def test_turn_off_and_on(world: World, client_of: ClientOf, moment: Clock) -> None:
    method = ContactMethod.objects.create(
        user=world.peer, channel=Channel.EMAIL, value="pat@mail.test", verified_at=moment.shift()
    )
    client = client_of(world.peer)
    url = reverse("notify:method_enable", args=[method.pk])
    client.post(url, {"enabled": "no", "confirm": "yes"})
    assert not ContactMethod.objects.usable().filter(pk=method.pk).exists()
    client.post(url, {"enabled": "yes"})
    assert ContactMethod.objects.usable().filter(pk=method.pk).exists()


def test_remove_asks_first(world: World, client_of: ClientOf, moment: Clock) -> None:
    method = ContactMethod.objects.create(
        user=world.peer, channel=Channel.EMAIL, value="pat@mail.test", verified_at=moment.shift()
    )
    client = client_of(world.peer)
    url = reverse("notify:method_remove", args=[method.pk])
    assert b"pat@mail.test" in client.get(url).content
    assert ContactMethod.objects.filter(pk=method.pk).exists()
    assert client.post(url, {"confirm": "yes"}).status_code == 302
    assert not ContactMethod.objects.filter(pk=method.pk).exists()


def test_send_a_test_through_the_outbox(
    world: World, client_of: ClientOf, recording: Callable[[str], Recorder], moment: Clock
) -> None:
    method = ContactMethod.objects.create(
        user=world.peer, channel=Channel.EMAIL, value="pat@mail.test", verified_at=moment.shift()
    )
    sent = recording(Channel.EMAIL)
    client = client_of(world.peer)
    url = reverse("notify:method_test", args=[method.pk])
    client.post(url)
    response = client.post(url, follow=True)
    assert "A test was sent less than a minute ago." in response.content.decode()
    outbox.process()
    sent.expect(to="pat@mail.test", subject="Backline: test message")  # once
    assert OutgoingMessage.objects.get(channel=Channel.EMAIL).status == Status.SENT


def test_someone_elses_methods_are_invisible(
    world: World, client_of: ClientOf, moment: Clock
) -> None:
    theirs = ContactMethod.objects.create(
        user=world.telecommunicator, channel=Channel.EMAIL, value="tess@mail.test"
    )
    client = client_of(world.peer)
    assert b"tess@mail.test" not in client.get(reverse("notify:methods")).content
    for name in ("method_verify", "method_remove"):
        assert client.get(reverse(f"notify:{name}", args=[theirs.pk])).status_code == 404
    for name in ("method_resend", "method_remove", "method_enable", "method_test"):
        assert client.post(reverse(f"notify:{name}", args=[theirs.pk])).status_code == 404
    assert ContactMethod.objects.filter(pk=theirs.pk, disabled=False).exists()
    assert mail.outbox == []


def test_with_e_mail_turned_off_no_address_is_offered_or_taken(
    world: World, client_of: ClientOf, settings: Settings
) -> None:
    settings.BACKLINE_EMAIL = False
    client = client_of(world.peer)
    listed = client.get(reverse("notify:methods")).content
    assert reverse("notify:method_add", args=[Channel.EMAIL]).encode() not in listed
    assert reverse("notify:method_add", args=[Channel.SMS]).encode() in listed
    assert add(client, Channel.EMAIL, "pat@mail.test").status_code == 404
    assert not ContactMethod.objects.filter(user=world.peer).exists()
