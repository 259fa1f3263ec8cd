"""In-app notifications: the list, its live refresh, reading, and the header count."""

from __future__ import annotations

import re

from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from backline.accounts.models import User
from backline.notify import outbox
from backline.notify.inapp.counts import unread_count
from backline.notify.models import Channel, OutgoingMessage
from tests.harness import ClientOf, Clock
from tests.personas import World

HX = {"HX-Request": "true"}


def notify(user: User, key: str, subject: str = "Backline: a peer is coming") -> OutgoingMessage:
    outbox.enqueue(
        user.pk,
        key,
        key,
        outbox.Message(subject, "Open Backline to see when.", "https://b.test/x/"),
        inapp_only=True,
    )
    return OutgoingMessage.objects.get(group_key=key, recipient=user)


def fingerprint(html: str) -> str:
    return html.split("?seen=", 1)[1].split('"', 1)[0]


def test_the_list_shows_only_ones_own_messages(
    world: World, client_of: ClientOf, moment: Clock
) -> None:
    notify(world.telecommunicator, "mine", "Backline: a peer is coming")
    notify(world.peer, "theirs", "Backline: request taken")
    html = client_of(world.telecommunicator).get(reverse("notify:inbox")).content.decode()
    assert "Backline: a peer is coming" in html
    assert "Backline: request taken" not in html
    assert 'hx-trigger="every 5s"' in html
    assert 'href="https://b.test/x/"' in html
    assert "1 unread" in html


def test_the_poll_answers_204_until_something_changes(
    world: World, client_of: ClientOf, moment: Clock
) -> None:
    client = client_of(world.telecommunicator)
    notify(world.telecommunicator, "first")
    seen = fingerprint(client.get(reverse("notify:inbox")).content.decode())
    poll = reverse("notify:inbox") + f"?seen={seen}"
    assert client.get(poll, headers=HX).status_code == 204
    notify(world.peer, "someone-else")  # not theirs: nothing changes for them
    assert client.get(poll, headers=HX).status_code == 204
    notify(world.telecommunicator, "second", "Backline: request cancelled")
    response = client.get(poll, headers=HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="inbox"')  # the partial, not the page
    assert "Backline: request cancelled" in html
    assert '<span id="unread-count" hx-swap-oob="true">2</span>' in html
    assert response["Cache-Control"] == "no-store"


def test_mark_read_and_all_read(world: World, client_of: ClientOf, moment: Clock) -> None:
    client = client_of(world.telecommunicator)
    first = notify(world.telecommunicator, "first")
    notify(world.telecommunicator, "second")
    assert client.post(reverse("notify:mark_read", args=[first.pk])).status_code == 302
    first.refresh_from_db()
    assert first.read_at == moment.shift()
    assert unread_count(world.telecommunicator.pk) == 1
    client.post(reverse("notify:mark_all_read"))
    assert unread_count(world.telecommunicator.pk) == 0
    assert "No notifications yet." not in client.get(reverse("notify:inbox")).content.decode()


def test_someone_elses_message_cannot_be_marked(
    world: World, client_of: ClientOf, moment: Clock
) -> None:
    theirs = notify(world.peer, "theirs")
    client = client_of(world.telecommunicator)
    assert client.post(reverse("notify:mark_read", args=[theirs.pk])).status_code == 404
    client.post(reverse("notify:mark_all_read"))
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_header_counts_unread_messages_in_one_query(
    world: World,
    client_of: ClientOf,
    moment: Clock,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    notify(world.telecommunicator, "a")
    notify(world.telecommunicator, "b")
    read = notify(world.telecommunicator, "c")
    OutgoingMessage.objects.filter(pk=read.pk).update(read_at=moment.shift())
    outbox.cancel("b")  # cancelling a group keeps its in-app message in the list
    with django_assert_num_queries(1):
        assert unread_count(world.telecommunicator.pk) == 2
    html = client_of(world.telecommunicator).get(reverse("home")).content.decode()
    assert re.search(r'Notifications: </span><span id="unread-count"[^>]*>2</span>', html)
    html = client_of(world.peer).get(reverse("home")).content.decode()
    assert re.search(r'Notifications: </span><span id="unread-count"[^>]*>0</span>', html)


def test_only_inapp_messages_are_listed(world: World, client_of: ClientOf, moment: Clock) -> None:
    from backline.lib import clock
    from backline.notify.models import ContactMethod

    ContactMethod.objects.create(
        user=world.telecommunicator,
        channel=Channel.EMAIL,
        value="tess@mail.test",
        verified_at=clock.now(),
    )
    outbox.enqueue(
        world.telecommunicator.pk, "g", "g", outbox.Message("Backline: once", "Open Backline.")
    )
    html = client_of(world.telecommunicator).get(reverse("notify:inbox")).content.decode()
    assert html.count("Backline: once") == 2  # the heading and its hidden button label
    assert unread_count(world.telecommunicator.pk) == 1


def test_a_new_notification_reads_just_now(world: World, client_of: ClientOf) -> None:
    outbox.enqueue(world.peer.pk, "new", "new", outbox.Message("Backline: hello", "Hello."))
    page = client_of(world.peer).get(reverse("notify:inbox")).content.decode()
    assert "just now" in page and "0 minutes" not in page


def test_every_page_keeps_its_unread_count_up_to_date(world: World, client_of: ClientOf) -> None:
    peer = client_of(world.peer)
    home = peer.get(reverse("home")).content.decode()
    assert f'hx-get="{reverse("notify:unread")}"' in home  # the header polls its count
    assert peer.get(reverse("notify:unread")).content.decode().count(">0</span>") == 1
    outbox.enqueue(world.peer.pk, "new", "new", outbox.Message("Backline: hello", "Hello."))
    badge = peer.get(reverse("notify:unread"))
    assert ">1</span>" in badge.content.decode() and badge["Cache-Control"] == "no-store"
