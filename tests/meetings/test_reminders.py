"""Reminders the day before and the hour before, each sent once, by the engine's
sessions phase as the clock moves; to those coming (yes or maybe) and the facilitators."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse

from backline.meetings.models import Answer, Meeting
from backline.notify.models import Channel, OutgoingMessage
from tests.harness import ClientOf, Clock
from tests.meetings import builders
from tests.personas import World

DAY = "Backline: a session in a day"
HOUR = "Backline: a session within the hour"


def _reminded(subject: str) -> list[int]:
    return sorted(
        OutgoingMessage.objects.filter(channel=Channel.INAPP, subject=subject).values_list(
            "recipient_id", flat=True
        )
    )


def _session(world: World, client_of: ClientOf) -> Meeting:
    meeting = builders.schedule(
        client_of(world.peer),
        builders.form(
            facilitators=[world.peer],
            invite=[world.telecommunicator, world.clinician, world.administrator],
        ),
    )
    builders.answer(client_of(world.telecommunicator), meeting, Answer.YES)
    builders.answer(client_of(world.clinician), meeting, Answer.MAYBE)
    builders.answer(client_of(world.administrator), meeting, Answer.NO)
    return meeting


def test_a_day_before_and_an_hour_before_once_each(
    world: World, moment: Clock, client_of: ClientOf
) -> None:
    meeting = _session(world, client_of)
    coming = sorted([world.telecommunicator.pk, world.clinician.pk, world.peer.pk])
    assert moment.tick().done["meetings"] == 0
    moment.to(meeting.starts_at - timedelta(days=1, minutes=1))
    assert moment.tick().done["meetings"] == 0
    assert _reminded(DAY) == []
    assert moment.later(minutes=1).done["meetings"] == 3
    assert _reminded(DAY) == coming
    assert moment.later(minutes=30).done["meetings"] == 0  # once
    assert _reminded(DAY) == coming
    moment.to(meeting.starts_at - timedelta(hours=1))
    assert moment.tick().done["meetings"] == 3
    assert moment.later(minutes=10).done["meetings"] == 0
    assert _reminded(HOUR) == coming and _reminded(DAY) == coming
    e_mailed = OutgoingMessage.objects.filter(channel=Channel.EMAIL, subject__in=[DAY, HOUR])
    assert e_mailed.count() == 6 and all(m.sent_at for m in e_mailed)
    for email in e_mailed:
        assert "Pat" not in email.body and "Support group" not in email.subject


def test_an_engine_stopped_over_the_day_before_sends_only_the_nearer(
    world: World, moment: Clock, client_of: ClientOf
) -> None:
    meeting = _session(world, client_of)
    moment.to(meeting.starts_at - timedelta(minutes=30))
    assert moment.tick().done["meetings"] == 3
    assert _reminded(DAY) == [] and len(_reminded(HOUR)) == 3


def test_a_moved_session_is_reminded_for_its_new_time(
    world: World, moment: Clock, client_of: ClientOf
) -> None:
    meeting = _session(world, client_of)
    moment.to(meeting.starts_at - timedelta(days=1))
    moment.tick()
    assert len(_reminded(DAY)) == 3
    later = meeting.starts_at + timedelta(days=2)
    data = builders.form(facilitators=[world.peer], starts=later)
    data["sequence"] = str(meeting.sequence)
    edited = client_of(world.peer).post(reverse("meetings:edit", args=[meeting.pk]), data)
    assert edited.status_code == 302
    moment.to(later - timedelta(days=1))
    assert moment.tick().done["meetings"] == 3
    assert len(_reminded(DAY)) == 6


def test_a_cancelled_session_is_not_reminded(
    world: World, moment: Clock, client_of: ClientOf
) -> None:
    meeting = _session(world, client_of)
    client_of(world.peer).post(reverse("meetings:cancel", args=[meeting.pk]), {"confirm": "yes"})
    moment.to(meeting.starts_at - timedelta(minutes=30))
    assert moment.tick().done["meetings"] == 0
    assert _reminded(DAY) == _reminded(HOUR) == []
