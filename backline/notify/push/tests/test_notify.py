"""Web push through pywebpush to a fake push service on loopback."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import http_ece
import pytest
from py_vapid import Vapid02, b64urlencode
from pytest_django.fixtures import Settings

from backline.accounts.models import User
from backline.notify import outbox
from backline.notify.models import Channel, ContactMethod, Status
from backline.notify.push.tests.fake_push import Device, FakePushService
from tests.harness import PAGE, Clock, Recorder, page


@pytest.fixture
def service(settings: Settings) -> Iterator[FakePushService]:
    fake = FakePushService().start()
    vapid = Vapid02()
    vapid.generate_keys()
    raw = vapid.private_key.private_numbers().private_value.to_bytes(32, "big")
    settings.BACKLINE_VAPID_PRIVATE_KEY = b64urlencode(raw)
    settings.BACKLINE_VAPID_SUBJECT = "mailto:backline@harbor.test"
    settings.BACKLINE_PUSH_SERVICES = ["127.0.0.1"]
    yield fake
    fake.stop()


@pytest.fixture
def device() -> Device:
    return Device()


@pytest.fixture
def subscription(
    service: FakePushService, device: Device, method: Callable[..., ContactMethod], moment: Clock
) -> ContactMethod:
    """The person's browser subscribed at the fake service, while the clock stands still."""
    return method(Channel.PUSH, json.dumps(device.subscription(service.endpoint())))


def test_a_push_is_accepted_and_only_the_browser_can_read_it(
    service: FakePushService, device: Device, subscription: ContactMethod, person: User
) -> None:
    message = page(person, Channel.PUSH)
    assert outbox.process() == 1
    message.refresh_from_db()
    assert (message.status, message.provider_id) == (Status.SENT, "/messages/1")
    [push] = service.pushes
    assert push.path == "/push/device-1"
    assert push.headers["content-encoding"] == "aes128gcm"
    assert push.headers["ttl"] == "300"
    assert push.headers["urgency"] == "high"
    assert push.headers["authorization"].startswith("vapid t=")
    assert PAGE.body.encode() not in push.body  # encrypted for the device
    opened = http_ece.decrypt(
        push.body, private_key=device.private_key, auth_secret=device.auth, version="aes128gcm"
    )
    assert json.loads(opened) == {
        "title": PAGE.subject,
        "body": PAGE.body,
        "url": PAGE.link,
        "tag": outbox.key_of(message.pk),  # a resend replaces it on the device
    }


@pytest.mark.parametrize("status", [410, 404])
def test_a_gone_subscription_is_turned_off_and_the_next_method_used(
    service: FakePushService,
    subscription: ContactMethod,
    person: User,
    method: Callable[..., ContactMethod],
    recording: Callable[[str], Recorder],
    status: int,
) -> None:
    service.answer(status)
    message = page(person, Channel.PUSH)
    method(Channel.EMAIL, "riley@mail.test")
    mail = recording(Channel.EMAIL)
    outbox.process()
    message.refresh_from_db()
    subscription.refresh_from_db()
    assert (message.status, message.attempts) == (Status.FAILED, 1)
    assert subscription.disabled  # pages no longer use it
    assert mail.expect(to="riley@mail.test", subject=PAGE.subject).body == PAGE.body
    assert not ContactMethod.objects.usable().filter(pk=subscription.pk).exists()


def test_a_push_service_error_is_retried(
    service: FakePushService, subscription: ContactMethod, person: User, moment: Clock
) -> None:
    service.answer(500)
    message = page(person, Channel.PUSH)
    outbox.process()
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.PENDING, 1)
    assert "500" in message.last_error
    moment.shift(seconds=5)
    outbox.process()
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.SENT, 2)
    assert len(service.pushes) == 2


def test_a_refused_push_is_not_retried_and_the_method_stays_on(
    service: FakePushService, subscription: ContactMethod, person: User
) -> None:
    service.answer(403)  # e.g. the VAPID key changed
    message = page(person, Channel.PUSH)
    outbox.process()
    message.refresh_from_db()
    subscription.refresh_from_db()
    assert (message.status, subscription.disabled) == (Status.FAILED, False)


def test_an_unreachable_push_service_is_retried(
    service: FakePushService, subscription: ContactMethod, person: User
) -> None:
    service.stop()
    message = page(person, Channel.PUSH)
    outbox.process()
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.PENDING, 1)
    assert "unreachable" in message.last_error


def test_a_subscription_to_an_unknown_host_is_never_called(
    service: FakePushService, subscription: ContactMethod, person: User, settings: Settings
) -> None:
    settings.BACKLINE_PUSH_SERVICES = ["fcm.googleapis.com"]
    message = page(person, Channel.PUSH)
    outbox.process()
    message.refresh_from_db()
    assert message.status == Status.FAILED
    assert "not a known push service" in message.last_error
    assert service.pushes == []


def test_without_vapid_keys_nothing_is_tried(
    service: FakePushService, subscription: ContactMethod, person: User, settings: Settings
) -> None:
    settings.BACKLINE_VAPID_PRIVATE_KEY = ""
    message = page(person, Channel.PUSH)
    outbox.process()
    message.refresh_from_db()
    assert (message.status, message.last_error) == (Status.FAILED, "web push is not configured")
    assert service.pushes == []
