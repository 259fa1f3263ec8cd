"""Closing a request offers its record at once, without the request's id; closing
without one is allowed, and the peer is reminded once, in the app."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.urls import reverse

from backline.notify.models import OutgoingMessage
from backline.records.models import ContactRecord, RecordMode, RecordSettings
from backline.records.reminders import REMIND_AFTER
from backline.support import escalation, lifecycle
from backline.support.models import Page, SupportRequest
from tests import asking
from tests.harness import Clock
from tests.personas import World


def _taken(world: World, contact: str = "call") -> SupportRequest:
    created, _ = asking.reach_out(
        world.telecommunicator, world.region, escalation.Ask(urgency="now", contact=contact)
    )
    Page.objects.create(request=created, peer=world.peer, step_index=0, loop_count=0)
    assert lifecycle.acknowledge(created, world.peer, timedelta(minutes=5))
    return created


def _close(client: Client, request: SupportRequest) -> str:
    response = client.post(reverse("support:close", args=[request.public_id]), {"confirm": "yes"})
    assert response.status_code == 302
    location: str = response["Location"]
    return location


def _reminders(world: World) -> list[OutgoingMessage]:
    return list(
        OutgoingMessage.objects.visible_to(world.peer)
        .inbox()
        .filter(group_key__startswith="records:")
    )


def test_closing_offers_the_record_form_without_the_request(world: World, moment: Clock) -> None:
    request = _taken(world, contact="text")
    client = Client()
    client.force_login(world.peer)
    location = _close(client, request)
    assert location == reverse("records:new") + "?type=request&channel=text"
    assert request.public_id not in location and str(request.pk) not in location
    page = client.get(location)
    assert b"Closed. Thank you for being there." in page.content
    assert b'value="request"' in page.content


def test_a_record_filed_after_closing_withdraws_the_reminder(world: World, moment: Clock) -> None:
    client = Client()
    client.force_login(world.peer)
    location = _close(client, _taken(world))
    form = client.get(location).context["form"]
    sent = {
        "date": "2026-03-02",
        "contact_type": "request",
        "channel": "phone",
        "duration": "under_15",
        "topics": ["workplace"],
        "referral": "none",
        "follow_up": "no",
        "once": form["once"].initial,
    }
    assert client.post(reverse("records:new"), sent).status_code == 302
    assert ContactRecord.objects.count() == 1
    moment.shift(seconds=REMIND_AFTER.total_seconds() + 60)
    assert _reminders(world) == []


def test_closing_without_a_record_is_reminded_once(world: World, moment: Clock) -> None:
    client = Client()
    client.force_login(world.peer)
    _close(client, _taken(world))
    assert not ContactRecord.objects.exists()  # closing needs no record
    assert _reminders(world) == []  # not at once: the record form was just offered
    moment.shift(seconds=REMIND_AFTER.total_seconds())
    (reminder,) = _reminders(world)
    assert reminder.channel == "inapp" and reminder.subject.startswith("Backline: a short record")
    assert reminder.link.endswith(reverse("records:new") + "?type=request&channel=phone")
    # lock-screen safe, and it names no request
    request_refs = set(SupportRequest.objects.values_list("public_id", flat=True))
    assert not any(ref in reminder.link or ref in reminder.group_key for ref in request_refs)
    moment.shift(days=10)
    assert len(_reminders(world)) == 1  # never again
    assert OutgoingMessage.objects.filter(group_key__startswith="records:").count() == 1


def test_a_team_without_records_closes_as_before(world: World, moment: Clock) -> None:
    RecordSettings.objects.create(region=world.region, mode=RecordMode.NONE)
    request = _taken(world)
    client = Client()
    client.force_login(world.peer)
    assert _close(client, request) == reverse("support:request", args=[request.public_id])
    assert not OutgoingMessage.objects.filter(group_key__startswith="records:").exists()


def test_closing_twice_offers_nothing_more(world: World, moment: Clock) -> None:
    request = _taken(world)
    client = Client()
    client.force_login(world.peer)
    _close(client, request)
    assert _close(client, request) == reverse("support:request", args=[request.public_id])
    assert OutgoingMessage.objects.filter(group_key__startswith="records:").count() == 1
