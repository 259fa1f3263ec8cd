"""Reminders a person sets for their own self-checks: sent by the engine once each, at the
same local time across daylight-saving changes, lock-screen safe."""

from __future__ import annotations

from datetime import UTC, datetime

from django.test import Client
from django.urls import reverse

from backline.notify.models import Channel
from backline.wellness import reminders
from backline.wellness.models import Every, Reminder
from tests.harness import Clock, Recorder, reachable
from tests.personas import World

TESS = "tess@mail.test"


def test_a_monthly_reminder_keeps_its_local_hour_across_the_clock_change(
    world: World, moment: Clock, recorder: Recorder
) -> None:
    reachable(world.telecommunicator, Channel.EMAIL, TESS)
    tess = Client()
    tess.force_login(world.telecommunicator)
    # Monday 2 March 2026, 7:00 in Los Angeles (PST); the clocks change on 8 March
    response = tess.post(reverse("wellness:reminder"), {"every": "month"}, follow=True)
    assert "Your next reminder comes on 2026-04-02." in response.content.decode()
    reminder = Reminder.objects.get(owner=world.telecommunicator)
    assert reminder.next_at == datetime(2026, 4, 2, 14, tzinfo=UTC)  # 7:00 PDT
    moment.to(datetime(2026, 4, 2, 13, 59, tzinfo=UTC))
    moment.tick()
    recorder.expect_nothing()
    moment.later(minutes=1)
    sent = recorder.expect(to=TESS, subject="Backline: a reminder you asked for")
    for word in ("self-check", "phq", "stress", "mood", "anxiety", "wellness"):
        assert word not in f"{sent.subject} {sent.body}".lower()
    assert sent.link.endswith(reverse("wellness:index"))
    moment.later(minutes=5)
    recorder.expect_nothing()  # once
    assert Reminder.objects.get(pk=reminder.pk).next_at == datetime(2026, 5, 2, 14, tzinfo=UTC)


def test_an_engine_stopped_for_months_sends_one_reminder(
    world: World, moment: Clock, recorder: Recorder
) -> None:
    reachable(world.telecommunicator, Channel.EMAIL, TESS)
    reminder = reminders.set_reminder(world.telecommunicator, Every.TWO_WEEKS, moment.shift())
    assert reminder is not None
    moment.shift(days=100)
    assert reminders.send_due() == 1
    moment.tick()
    recorder.expect(to=TESS)
    assert Reminder.objects.get(pk=reminder.pk).next_at > moment.shift()


def test_a_reminder_is_claimed_once_and_a_second_pass_sends_nothing(
    world: World, moment: Clock
) -> None:
    reminder = reminders.set_reminder(world.telecommunicator, Every.QUARTER, moment.shift())
    assert reminder is not None
    moment.shift(days=95)
    assert reminders.send_due() == 1
    assert reminders.send_due() == 0


def test_turning_reminders_off_removes_them(world: World) -> None:
    tess = Client()
    tess.force_login(world.telecommunicator)
    tess.post(reverse("wellness:reminder"), {"every": "quarter"})
    assert Reminder.objects.filter(owner=world.telecommunicator, every=Every.QUARTER).exists()
    response = tess.post(reverse("wellness:reminder"), {"every": ""}, follow=True)
    assert "No more reminders." in response.content.decode()
    assert not Reminder.objects.exists()
    refused = tess.post(reverse("wellness:reminder"), {"every": "hourly"})
    assert "Please choose one of the options shown." in refused.content.decode()
    assert not Reminder.objects.exists()


def test_the_engine_knows_when_the_next_reminder_is_due(world: World, moment: Clock) -> None:
    assert reminders.next_due() is None
    reminder = reminders.set_reminder(world.peer, Every.MONTH, moment.shift())
    assert reminder is not None and reminders.next_due() == reminder.next_at
