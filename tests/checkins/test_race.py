"""Races, on PostgreSQL: two engines sending the same check-in, and two taps of "Let's
talk" (or "Let's talk" and "I'm good") at the same moment."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection

from backline.checkins import answers, due
from backline.checkins.models import Answer, Nudge, Plan, schedule
from backline.checkins.recurrence import Frequency
from backline.lib import clock
from backline.support.models import SupportRequest
from tests.personas import World
from tests.races import at_once

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a real race needs PostgreSQL's concurrency"
)


def _plan(world: World) -> Plan:
    now = clock.now()
    local = now.astimezone(world.telecommunicator.time_zone)
    plan = Plan(
        region=world.region,
        peer=world.peer,
        colleague=world.telecommunicator,
        frequency=Frequency.WEEKLY,
        starts_on=local.date(),
        at=(local + timedelta(minutes=1)).time(),
        time_zone=world.telecommunicator.time_zone.key,
        ends_on=local.date() + timedelta(weeks=2),
    )
    schedule(plan, now)
    plan.save()
    return plan


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_two_engines_send_a_check_in_once(world: World, attempt: int) -> None:
    plan = _plan(world)
    later = clock.now() + timedelta(minutes=2)
    sent = at_once(lambda: due.send_due(later), lambda: due.send_due(later))
    assert sorted(s for s in sent if isinstance(s, int)) == [0, 1]
    assert Nudge.objects.filter(plan=plan).count() == 1


def _nudge(world: World) -> Nudge:
    plan = _plan(world)
    return Nudge.objects.create(plan=plan, colleague=world.telecommunicator, due_at=clock.now())


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_two_taps_of_lets_talk_make_one_request(world: World, attempt: int) -> None:
    nudge = _nudge(world)
    results = at_once(
        lambda: answers.talk(Nudge.objects.get(pk=nudge.pk)),
        lambda: answers.talk(Nudge.objects.get(pk=nudge.pk)),
        refused=(answers.Refused,),
    )
    assert SupportRequest.objects.count() == 1
    made = SupportRequest.objects.get()
    assert made.preferred_peer == world.peer
    assert all(r == made or isinstance(r, answers.Refused) for r in results)
    assert Nudge.objects.get(pk=nudge.pk).answer == Answer.TALK


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_i_am_good_and_lets_talk_at_once_answer_once(world: World, attempt: int) -> None:
    nudge = _nudge(world)
    results = at_once(
        lambda: answers.good(Nudge.objects.get(pk=nudge.pk)),
        lambda: answers.talk(Nudge.objects.get(pk=nudge.pk)),
        refused=(answers.Refused,),
    )
    answered = Nudge.objects.get(pk=nudge.pk).answer
    assert sum(isinstance(r, answers.Refused) for r in results) == 1
    assert SupportRequest.objects.count() == (1 if answered == Answer.TALK else 0)
