"""Races, on PostgreSQL: two people take the last seat at the same moment, each on
their own connection. One gets it; the other is offered the waiting list; the
session never holds more than its seats."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection

from backline.accounts.models import User
from backline.lib import clock
from backline.meetings import seats
from backline.meetings.models import Answer, Invitee, Meeting
from tests.meetings import builders
from tests.personas import World
from tests.races import at_once

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a real race needs PostgreSQL's concurrency"
)


def _one_seat_left(world: World) -> Meeting:
    meeting = builders.row(
        world,
        capacity=2,
        facilitators=[world.peer],
        invite=[world.administrator, world.telecommunicator, world.clinician],
    )
    Invitee.objects.filter(person=world.administrator).update(
        answer=Answer.YES, answered_at=clock.now()
    )
    return meeting


def _take(meeting: Meeting, person: User) -> Callable[[], object]:
    return lambda: seats.answer(meeting.pk, person, Answer.YES, meeting.sequence, clock.now())


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_two_people_take_the_last_seat_at_once(world: World, attempt: int) -> None:
    meeting = _one_seat_left(world)
    results = at_once(
        _take(meeting, world.telecommunicator),
        _take(meeting, world.clinician),
        refused=(seats.Refused,),
    )
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
    at_once(give_back, _take(meeting, world.clinician), refused=(seats.Refused,))
    answers = dict(Invitee.objects.filter(meeting=meeting).values_list("person", "answer"))
    assert answers[world.clinician.pk] == Answer.YES
    assert answers[world.administrator.pk] == Answer.NO
    assert list(answers.values()).count(Answer.YES) == 2
