"""Notification rules: which of one's own verified methods, how many minutes in."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from backline.notify.models import Channel, ContactMethod, NotificationRule
from tests.harness import ClientOf, Clock, Response
from tests.personas import World


def methods(world: World, moment: Clock) -> tuple[ContactMethod, ContactMethod, ContactMethod]:
    mine = ContactMethod.objects.create(
        user=world.peer, channel=Channel.SMS, value="+15550100199", verified_at=moment.shift()
    )
    unverified = ContactMethod.objects.create(
        user=world.peer, channel=Channel.EMAIL, value="pat@mail.test"
    )
    theirs = ContactMethod.objects.create(
        user=world.telecommunicator,
        channel=Channel.EMAIL,
        value="tess@mail.test",
        verified_at=moment.shift(),
    )
    return mine, unverified, theirs


def add(client: Client, method: ContactMethod, minutes: object) -> Response:
    return client.post(
        reverse("notify:rule_add"), {"contact_method": method.pk, "delay_minutes": minutes}
    )


def test_add_and_remove_a_rule(world: World, client_of: ClientOf, moment: Clock) -> None:
    mine, _unverified, _theirs = methods(world, moment)
    client = client_of(world.peer)
    assert add(client, mine, 5).status_code == 302
    rule = NotificationRule.objects.get()
    assert (rule.user, rule.contact_method, rule.delay_minutes) == (world.peer, mine, 5)
    page = client.get(reverse("notify:methods")).content.decode()
    assert "+15550100199 — after 5 minutes" in page
    response = add(client, mine, 5)
    assert "You already have this rule." in response.content.decode()
    client.post(reverse("notify:rule_remove", args=[rule.pk]))
    assert not NotificationRule.objects.exists()


def test_only_ones_own_verified_methods_and_sane_delays(
    world: World, client_of: ClientOf, moment: Clock
) -> None:
    mine, unverified, theirs = methods(world, moment)
    client = client_of(world.peer)
    for method, minutes, error in [
        (unverified, 0, "Select a valid choice"),
        (theirs, 0, "Select a valid choice"),
        (mine, 241, "Enter at most 240 minutes."),
        (mine, -1, "Enter 0 or more minutes."),
        (mine, "soon", "Enter a whole number of minutes."),
    ]:
        response = add(client, method, minutes)
        assert response.status_code == 200
        assert error in response.content.decode()
    assert not NotificationRule.objects.exists()


def test_someone_elses_rule_is_a_404(world: World, client_of: ClientOf, moment: Clock) -> None:
    _mine, _unverified, theirs = methods(world, moment)
    rule = NotificationRule.objects.create(
        user=world.telecommunicator, contact_method=theirs, delay_minutes=0
    )
    client = client_of(world.peer)
    assert client.post(reverse("notify:rule_remove", args=[rule.pk])).status_code == 404
    assert NotificationRule.objects.filter(pk=rule.pk).exists()
    assert "tess@mail.test" not in client.get(reverse("notify:methods")).content.decode()
