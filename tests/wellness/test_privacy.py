"""The self-check sweep: every wellness URL, filled with every result id and every
instrument, requested by every persona but the owner (GET, then POST with every confirm
step, then GET again), never shows anything of the owner's results, nor deletes them.
The owner is the positive control: the same sweep shows them their own."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from backline.wellness.instruments import INSTRUMENTS
from backline.wellness.models import SelfCheck
from tests.personas import World
from tests.wellness.builders import self_check

PERSONAS = ["peer", "coordinator", "clinician", "administrator", "outsider"]
# the owner's results, each with a band no one else has reached
OWNERS = [
    ("pcl5", [3] * 19 + [0], "Above the provisional cut-point"),
    ("phq9", [3, 3, 3, 3, 3, 2, 2, 2, 0], "Moderately severe"),
    ("stress", [2], "Injured (orange)"),
]


def _wellness_urls(result_ids: list[int]) -> list[str]:
    [wellness] = [
        p
        for p in get_resolver().url_patterns
        if isinstance(p, URLResolver) and p.namespace == "wellness"
    ]
    urls = []
    for pattern in wellness.url_patterns:
        assert isinstance(pattern, URLPattern)
        name = f"wellness:{pattern.name}"
        route = str(pattern.pattern)
        if "<int:pk>" in route:
            urls += [reverse(name, kwargs={"pk": pk}) for pk in result_ids]
        elif "<slug:name>" in route:
            urls += [reverse(name, kwargs={"name": key}) for key in INSTRUMENTS]
        else:
            urls.append(reverse(name))
    return urls


def _read(client: Client, url: str) -> str:
    first = client.get(url)
    client.post(url, {"confirm": "yes", "every": "month"})
    again = client.get(url)
    return first.content.decode(errors="replace") + again.content.decode(errors="replace")


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_other_persona_sees_or_deletes_anything_of_a_persons_results(
    world: World, persona: str
) -> None:
    owner = world.telecommunicator
    checks = [self_check(owner, key, items) for key, items, _band in OWNERS]
    ids = [c.pk for c in checks] + [max(c.pk for c in checks) + 1]
    other = Client()
    other.force_login(getattr(world, persona))
    for url in _wellness_urls(ids):
        seen = _read(other, url)
        for _key, _items, band in OWNERS:
            assert band not in seen, (persona, url, band)
        if url.endswith(".json"):
            assert json.loads(other.get(url).content)["results"] == []
    assert SelfCheck.objects.filter(owner=owner).count() == len(OWNERS)


def test_the_owner_sees_their_own_through_the_same_urls(world: World) -> None:
    owner = world.telecommunicator
    checks = [self_check(owner, key, items) for key, items, _band in OWNERS]
    client = Client()
    client.force_login(owner)
    seen = "".join(
        client.get(url).content.decode() for url in _wellness_urls([c.pk for c in checks])
    )
    for _key, _items, band in OWNERS:
        assert band in seen
