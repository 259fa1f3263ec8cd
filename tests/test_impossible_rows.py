"""Rows that cannot be true are refused by the database itself, whatever code writes
them: the outbox's timestamps follow its statuses, a taken request has its peer and its
times, and every status and kind column holds only known values."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.db.models import Model, QuerySet

from backline.lib import clock
from backline.notify import outbox
from backline.notify.models import Channel, ContactMethod, OutgoingMessage, Status
from backline.oncall.models import Rotation
from backline.support import escalation
from backline.support.models import Event, Page, SupportRequest
from tests import asking
from tests.personas import World

PAGE = outbox.Message("Backline: support request", "Open Backline.")


def refused(rows: QuerySet[Model], **values: object) -> bool:
    try:
        with transaction.atomic():
            rows.update(**values)
    except IntegrityError:
        return True
    return False


@pytest.fixture
def message(world: World) -> OutgoingMessage:
    ContactMethod.objects.create(
        user=world.peer, channel=Channel.EMAIL, value="pat@mail.test", verified_at=clock.now()
    )
    outbox.enqueue(world.peer.pk, "group", "event", PAGE)
    return OutgoingMessage.objects.get(channel=Channel.EMAIL)


OUTBOX = [
    ("sent without sent_at", {"status": Status.SENT}),
    ("delivered without sent_at", {"status": Status.DELIVERED}),
    ("pending with sent_at", {"sent_at": clock.now()}),
    ("pending with a deadline", {"sending_deadline": clock.now()}),
    ("sending without a deadline", {"status": Status.SENDING}),
    ("sending without a claimer", {"status": Status.SENDING, "sending_deadline": clock.now()}),
    ("pending with a claimer", {"claimed_by": "engine-a"}),
    ("an unknown status", {"status": "lost"}),
    ("an unknown channel", {"channel": "pigeon"}),
]


@pytest.mark.parametrize("values", [v for _, v in OUTBOX], ids=[i for i, _ in OUTBOX])
def test_an_impossible_outbox_row_is_refused(
    message: OutgoingMessage, values: dict[str, object]
) -> None:
    assert refused(OutgoingMessage.objects.filter(pk=message.pk), **values)


def test_the_outbox_rows_it_writes_are_possible(message: OutgoingMessage) -> None:
    rows = OutgoingMessage.objects.filter(pk=message.pk)
    now = clock.now()
    assert not refused(rows, status=Status.SENDING, sending_deadline=now, claimed_by="engine-a")
    assert not refused(rows, status=Status.SENT, sending_deadline=None, claimed_by="", sent_at=now)
    assert not refused(rows, status=Status.DELIVERED)


@pytest.fixture
def request_(world: World) -> SupportRequest:
    created, _ = asking.reach_out(
        world.telecommunicator, world.region, escalation.Ask(urgency="now", contact="call")
    )
    return created


def taken(world: World) -> dict[str, object]:
    now = clock.now()
    return {
        "status": "acknowledged",
        "acknowledged_by": world.peer,
        "acknowledged_at": now,
        "coming_by": now + timedelta(minutes=15),
    }


REQUESTS = [
    ("taken without a peer", lambda w: taken(w) | {"acknowledged_by": None}),
    ("taken without its time", lambda w: taken(w) | {"acknowledged_at": None}),
    ("taken without a promise", lambda w: taken(w) | {"coming_by": None}),
    ("open with a taker", lambda w: {"acknowledged_by": w.peer}),
    ("open with a promise", lambda w: {"coming_by": clock.now()}),
    ("started without its start", lambda w: taken(w) | {"status": "started"}),
    ("an unknown status", lambda w: {"status": "forgotten"}),
    ("an unknown urgency", lambda w: {"urgency": "whenever"}),
    ("an unknown way to reach", lambda w: {"contact": "fax"}),
]


@pytest.mark.parametrize("values", [v for _, v in REQUESTS], ids=[i for i, _ in REQUESTS])
def test_an_impossible_request_is_refused(
    world: World, request_: SupportRequest, values: Callable[[World], dict[str, object]]
) -> None:
    assert refused(SupportRequest.objects.filter(pk=request_.pk), **values(world))


def test_a_taken_request_with_its_peer_and_times_is_possible(
    world: World, request_: SupportRequest
) -> None:
    assert not refused(SupportRequest.objects.filter(pk=request_.pk), **taken(world))


def test_unknown_kinds_of_events_pages_and_rotations_are_refused(
    world: World, request_: SupportRequest
) -> None:
    Page.objects.create(request=request_, peer=world.peer, step_index=0, loop_count=0)
    Rotation.objects.create(
        region=world.region, name="Primary", time_zone="UTC", starts_on=clock.now().date()
    )
    assert refused(Event.objects.filter(request=request_), kind="gossip")
    assert refused(Page.objects.filter(request=request_), kind="friend")
    assert refused(Rotation.objects.all(), kind="lunar")
