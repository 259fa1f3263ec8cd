"""A delivery report that arrives while its text is still being sent (the provider
answers the report before it answers Backline's request) still counts: it finds its
row by the row's own signed URL. Real threads and connections: the report comes to a
live server while the engine waits for the provider."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from backline.accounts.models import User
from backline.notify import outbox
from backline.notify.models import Channel, ContactMethod, OutgoingMessage, Status
from backline.notify.sms.tests.fake_provider import ACCOUNT, TOKEN, FakeProvider, Reply
from tests.harness import PAGE, Recorder

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def provider(settings: Settings, live_server: LiveServer) -> Iterator[FakeProvider]:
    fake = FakeProvider(auth_token=TOKEN).start()
    settings.BACKLINE_SMS_API_URL = fake.url
    settings.BACKLINE_SMS_ACCOUNT_SID = ACCOUNT
    settings.BACKLINE_SMS_AUTH_TOKEN = TOKEN
    settings.BACKLINE_SMS_FROM = "+15550109999"
    settings.BACKLINE_PUBLIC_URL = live_server.url
    yield fake
    fake.stop()


@pytest.fixture
def message(person: User, method: Callable[..., ContactMethod]) -> OutgoingMessage:
    """A page to the person's phone, not sent yet, with an e-mail address to fall back to."""
    method(Channel.SMS, "+15550100123")
    outbox.enqueue(person.pk, "group", "event", PAGE, until_cancelled=True)
    method(Channel.EMAIL, "riley@mail.test")
    return OutgoingMessage.objects.get(channel=Channel.SMS)


@pytest.fixture
def mail(recording: Callable[[str], Recorder]) -> Recorder:
    """Where the e-mail fallback goes, if any."""
    return recording(Channel.EMAIL)


def test_a_failure_reported_before_the_send_is_recorded_still_fails_over(
    provider: FakeProvider, message: OutgoingMessage, mail: Recorder
) -> None:
    provider.reply(Reply(201, report="undelivered", report_code="30003"))
    outbox.process()
    message.refresh_from_db()
    # the report won: the answer that came after it did not mark the text sent
    assert (message.status, message.provider_id) == (Status.PENDING, "")
    assert message.last_error.startswith("provider reported undelivered (error 30003)")
    assert message.fallback.channel == Channel.EMAIL
    outbox.process()  # the fallback, due from the report's moment
    assert mail.expect(to="riley@mail.test", subject=PAGE.subject).body == PAGE.body


def test_a_delivery_reported_before_the_send_is_recorded_stays_delivered(
    provider: FakeProvider, message: OutgoingMessage, mail: Recorder
) -> None:
    provider.reply(Reply(201, report="delivered"))
    outbox.process()
    message.refresh_from_db()
    assert (message.status, message.provider_id) == (Status.DELIVERED, f"SM{1:032d}")
    assert message.sent_at is not None
    assert not OutgoingMessage.objects.filter(fallback_of=message).exists()
    mail.expect_nothing()
