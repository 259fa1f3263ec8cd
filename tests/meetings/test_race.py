"""Races, on PostgreSQL: two people take the last seat at the same moment, each on
their own connection. One gets it; the other is offered the waiting list; the
session never holds more than its seats."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection, connections

from backline.accounts.models import User
from backline.lib import clock
from backline.meetings import seats
from backline.meetings.models import Answer, Invitee, Meeting
from tests.personas import World

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a real race needs PostgreSQL's concurrency"
)


def _at_once(*calls: Callable[[], object]) -> list[object]:
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = calls[index]()
        except seats.Refused as refused:
            results[index] = refused
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _one_seat_left(world: World) -> Meeting:
    now = clock.now()
    meeting = Meeting.objects.create(
        region=world.region,
        kind="training",
        starts_at=now + timedelta(days=2),
        ends_at=now + timedelta(days=2, hours=2),
        place="Room 1",
        capacity=2,
    )
    meeting.facilitators.set([world.peer])
    Invitee.objects.create(
        meeting=meeting, person=world.administrator, answer=Answer.YES, answered_at=now
    )
    for person in (world.telecommunicator, world.clinician):
        Invitee.objects.create(meeting=meeting, person=person)
    return meeting


def _take(meeting: Meeting, person: User) -> Callable[[], object]:
    return lambda: seats.answer(meeting.pk, person, Answer.YES, meeting.sequence, clock.now())


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_two_people_take_the_last_seat_at_once(world: World, attempt: int) -> None:
    meeting = _one_seat_left(world)
    results = _at_once(_take(meeting, world.telecommunicator), _take(meeting, world.clinician))
    full = [r for r in results if isinstance(r, seats.Full)]
    kept = [r for r in results if isinstance(r, str)]
    assert len(full) == 1 and len(kept) == 1, results
    assert Invitee.objects.filter(meeting=meeting, answer=Answer.YES).count() == 2
    # the one refused changed nothing, and may join the waiting list
    loser = world.clinician if isinstance(results[1], seats.Full) else world.telecommunicator
    assert Invitee.objects.get(meeting=meeting, person=loser).answer == ""
    seats.answer(meeting.pk, loser, Answer.WAITING_LIST, meeting.sequence, clock.now())
    assert Invitee.objects.get(meeting=meeting, person=loser).answer == Answer.WAITING_LIST


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_a_seat_given_back_while_another_asks_goes_to_one(world: World, attempt: int) -> None:
    """The administrator gives their seat back as the waiting telecommunicator and the
    clinician ask for it: the seats never hold more than two."""
    meeting = _one_seat_left(world)
    now = clock.now()
    Invitee.objects.filter(meeting=meeting, person=world.telecommunicator).update(
        answer=Answer.YES, answered_at=now
    )  # full now
    Invitee.objects.filter(meeting=meeting, person=world.clinician).update(
        answer=Answer.WAITING_LIST, answered_at=now, waiting_since=now
    )
    give_back = lambda: seats.answer(  # noqa: E731
        meeting.pk, world.administrator, Answer.NO, meeting.sequence, clock.now()
    )
    _at_once(give_back, _take(meeting, world.clinician))
    answers = dict(Invitee.objects.filter(meeting=meeting).values_list("person", "answer"))
    assert answers[world.clinician.pk] == Answer.YES
    assert answers[world.administrator.pk] == Answer.NO
    assert list(answers.values()).count(Answer.YES) == 2
