"""Every notifications page: a strict policy, no inline script, and labelled forms."""

from __future__ import annotations

import re

from django.urls import reverse
from pytest_django.fixtures import Settings

from backline.notify.models import Channel, ContactMethod
from tests.harness import ClientOf, Clock
from tests.personas import World

INLINE = re.compile(r"<script(?![^>]*\b(src|type=\"application/json\")\b)[^>]*>")


def test_pages_carry_a_strict_policy_and_no_inline_script(
    world: World, client_of: ClientOf, settings: Settings, moment: Clock
) -> None:
    settings.BACKLINE_VAPID_PUBLIC_KEY = "BPublicKey"
    method = ContactMethod.objects.create(
        user=world.peer, channel=Channel.SMS, value="+15550100199"
    )
    client = client_of(world.peer)
    for url in [
        reverse("notify:methods"),
        reverse("notify:inbox"),
        reverse("notify:method_add", args=["email"]),
        reverse("notify:method_add", args=["voice"]),
        reverse("notify:method_verify", args=[method.pk]),
        reverse("notify:method_remove", args=[method.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        policy = response["Content-Security-Policy"]
        assert "script-src 'self';" in policy and "'unsafe-inline'" not in policy
        html = response.content.decode()
        assert INLINE.findall(html) == [], url
        assert " style=" not in html and " onclick=" not in html, url
        for field in re.findall(r'<input (?![^>]*type="hidden")[^>]*id="([^"]+)"', html):
            assert f'for="{field}"' in html, (url, field)  # every field has its label
        assert html.count("<fieldset") == html.count("<legend"), url


def test_the_phone_field_brings_up_the_phone_keypad(world: World, client_of: ClientOf) -> None:
    html = client_of(world.peer).get(reverse("notify:method_add", args=["sms"])).content
    assert b'type="tel"' in html and b'autocomplete="tel"' in html
    html = client_of(world.peer).get(reverse("notify:method_add", args=["email"])).content
    assert b'type="email"' in html
