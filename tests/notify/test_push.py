"""Turning on browser notifications: the service worker and storing a subscription."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from backline.notify.models import Channel, ContactMethod
from backline.notify.push.tests.fake_push import Device
from tests.harness import ClientOf, Clock, Response
from tests.personas import World

ENDPOINT = "https://fcm.googleapis.com/fcm/send/abc123"


def subscription(endpoint: str = ENDPOINT, device: Device | None = None) -> dict[str, Any]:
    return (device or Device()).subscription(endpoint) | {"expirationTime": None}


def post(client: Client, body: object, raw: bytes | None = None) -> Response:
    return client.post(
        reverse("notify:push_subscribe"),
        raw if raw is not None else json.dumps(body),
        content_type="application/json",
    )


def test_a_subscription_is_stored_verified(
    world: World, client_of: ClientOf, moment: Clock
) -> None:
    client = client_of(world.peer)
    response = post(client, {"subscription": subscription(), "label": "Work phone"})
    assert response.status_code == 201
    method = ContactMethod.objects.get(user=world.peer)
    assert (method.channel, method.label, method.disabled) == (Channel.PUSH, "Work phone", False)
    assert method.verified_at == moment.shift()
    stored = json.loads(method.value)
    assert stored["endpoint"] == ENDPOINT and set(stored) == {"endpoint", "keys"}
    assert response.json() == {"id": method.pk}
    page = client.get(reverse("notify:methods")).content.decode()
    assert "Work phone" in page and ENDPOINT not in page


def test_the_same_browser_again_updates_its_method(
    world: World, client_of: ClientOf, moment: Clock
) -> None:
    client = client_of(world.peer)
    post(client, {"subscription": subscription()})
    method = ContactMethod.objects.get()
    ContactMethod.objects.filter(pk=method.pk).update(disabled=True)
    response = post(client, {"subscription": subscription(), "label": "Laptop"})
    assert response.status_code == 200
    method.refresh_from_db()
    assert (method.label, method.disabled) == ("Laptop", False)
    assert ContactMethod.objects.count() == 1


@pytest.mark.parametrize(
    "body",
    [
        {"subscription": subscription("http://fcm.googleapis.com/fcm/send/abc")},
        {"subscription": subscription("https://169.254.169.254/latest/meta-data")},
        {"subscription": subscription("https://push.example.com/x")},
        {"subscription": subscription("https://fcm.googleapis.com.evil.test/x")},
        {"subscription": subscription("https://user:pw@fcm.googleapis.com/x")},
        {"subscription": {"endpoint": ENDPOINT, "keys": {"p256dh": "AAAA", "auth": "AAAA"}}},
        {"subscription": {"endpoint": ENDPOINT}},
        {"subscription": "nope"},
        ["not", "an", "object"],
    ],
    ids=[
        "plain http",
        "internal address",
        "unknown service",
        "look-alike host",
        "credentials",
        "short keys",
        "no keys",
        "not an object",
        "a list",
    ],
)
def test_anything_else_is_refused(world: World, client_of: ClientOf, body: object) -> None:
    assert post(client_of(world.peer), body).status_code == 400
    assert not ContactMethod.objects.exists()


def test_garbage_and_oversized_bodies_are_refused(world: World, client_of: ClientOf) -> None:
    client = client_of(world.peer)
    assert post(client, None, raw=b"{not json").status_code == 400
    assert post(client, None, raw=b"\xff\xfe").status_code == 400
    big = {"subscription": subscription(), "label": "x" * 5000}
    assert post(client, big).status_code == 400
    assert not ContactMethod.objects.exists()


def test_subscribing_needs_the_csrf_token(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.peer)
    assert post(client, {"subscription": subscription()}).status_code == 403
    assert not ContactMethod.objects.exists()


def test_the_service_worker_may_control_the_whole_site(client: Client, db: None) -> None:
    response = client.get(reverse("notify:service_worker"))
    assert response.status_code == 200
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-cache"
    source = response.content.decode()
    assert 'addEventListener("push"' in source
    # it keeps one page, which names nobody, and nothing it fetches for a page
    assert source.count("cache.put(") == 1 and "cache.put(OFFLINE_PAGE, response)" in source
    assert "cache.add(" not in source and "cache.addAll(preloaded(response))" in source


def test_the_page_offers_push_only_when_configured(
    world: World, client_of: ClientOf, settings: Settings
) -> None:
    client = client_of(world.peer)
    settings.BACKLINE_VAPID_PUBLIC_KEY = ""
    html = client.get(reverse("notify:methods")).content.decode()
    assert 'id="push-form"' not in html
    settings.BACKLINE_VAPID_PUBLIC_KEY = "BPublicKey"
    html = client.get(reverse("notify:methods")).content.decode()
    assert 'data-vapid-public-key="BPublicKey"' in html
    assert f'data-worker="{reverse("notify:service_worker")}"' in html
    assert f'data-subscribe="{reverse("notify:push_subscribe")}"' in html
    assert '<script src="/static/notify/push.js" defer></script>' in html
