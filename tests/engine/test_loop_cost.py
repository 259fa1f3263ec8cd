"""A burst of work is cheap for the engine (docs/adr/0024): it keeps its own health in
memory, writes its heartbeat when a phase's failing changes or at most once a second,
takes every wake-up already queued at once, after a busy tick ticks again only when
more is due, and looks for work due to the minute (check-ins, reminders) at most once
per that phase's ``every`` (docs/adr/0032)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

import psycopg
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backline.engine import health, phases
from backline.engine import loop as engine_loop
from backline.engine.loop import Loop, TickResult, tick
from backline.engine.models import Heartbeat
from backline.notify import outbox, wake
from backline.notify.models import Channel, ContactMethod
from tests.harness import START, Clock
from tests.personas import World

pytestmark = pytest.mark.django_db

NAME = "engine-host:4242"


def beat_at() -> datetime:
    return Heartbeat.objects.get(name=NAME).beat_at


def test_a_running_engine_writes_its_heartbeat_at_most_once_a_second(
    world: World, moment: Clock
) -> None:
    heart = health.Heart(NAME)
    tick(heart=heart)
    assert beat_at() == START
    moment.shift(seconds=0.4)
    tick(heart=heart)
    moment.shift(seconds=0.4)
    tick(heart=heart)
    assert beat_at() == START  # nothing changed: not yet
    moment.shift(seconds=0.2)
    tick(heart=heart)
    assert beat_at() == START + timedelta(seconds=1)


def broken(now: datetime) -> int:
    raise RuntimeError("a defect while delivering")


def test_a_phase_that_starts_or_stops_failing_is_written_at_once(
    world: World, moment: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    heart = health.Heart(NAME)
    tick(heart=heart)
    failing = tuple(replace(p, run=broken) if p.name == "deliver" else p for p in phases.PHASES)
    monkeypatch.setattr(phases, "PHASES", failing)
    moment.shift(seconds=0.1)
    tick(heart=heart)
    assert beat_at() == START + timedelta(seconds=0.1)
    assert health.of_engine(NAME)["deliver"].failures == 1

    monkeypatch.undo()
    moment.shift(seconds=1)  # its back-off is over
    tick(heart=heart)
    written = health.of_engine(NAME)["deliver"]
    assert (written.failures, written.succeeded_at) == (0, START + timedelta(seconds=1.1))


def test_a_running_engine_reads_its_heartbeat_once(world: World, moment: Clock) -> None:
    heart = health.Heart(NAME)
    with CaptureQueriesContext(connection) as queries:
        for _ in range(5):
            tick(heart=heart)
            moment.shift(seconds=0.3)
    table = Heartbeat._meta.db_table
    reads = [q for q in queries if q["sql"].startswith("SELECT") and table in q["sql"]]
    assert len(reads) == 1


def test_a_tick_on_its_own_reads_the_heartbeat_and_writes_it_back(
    world: World, moment: Clock
) -> None:
    tick()
    moment.shift(seconds=0.1)
    tick()
    assert Heartbeat.objects.get().beat_at == START + timedelta(seconds=0.1)


@pytest.fixture
def naps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The loop's sleeps between ticks (SQLite polls), recorded instead of slept."""
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)
    return slept


ON_SQLITE = pytest.mark.skipif(connection.vendor != "sqlite", reason="the polling wait: SQLite")
BUSY = TickResult(done={"deliver": 1})
IDLE = TickResult(done={"deliver": 0})


@ON_SQLITE
def test_after_a_busy_tick_the_loop_ticks_again_at_once_only_when_more_is_due(
    world: World, reachable: Callable[..., ContactMethod], moment: Clock, naps: list[float]
) -> None:
    loop = Loop(poll_seconds=0.2)
    loop._wait(BUSY)
    assert naps == [0.2]  # nothing waits: no idle tick, a poll's wait
    reachable(world.peer, Channel.EMAIL, "pat@mail.test")
    outbox.enqueue(world.peer.pk, "g", "g", outbox.Message("s", "b"))
    naps.clear()
    loop._wait(BUSY)
    assert naps == []  # due now: the next tick at once
    loop._wait(IDLE)
    assert naps == [engine_loop.MIN_WAIT_SECONDS]  # due, but another engine holds it


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="LISTEN/NOTIFY: PostgreSQL")
def test_one_wait_takes_every_wake_up_already_queued() -> None:
    loop = Loop(poll_seconds=0.05)
    loop._wait(IDLE)  # it listens
    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"] or "127.0.0.1", port=db["PORT"], user=db["USER"], dbname=db["NAME"]
    ) as announcer:
        for _ in range(20):  # a burst of work, each announced after its commit
            announcer.execute(f"NOTIFY {wake.CHANNEL}")
            announcer.commit()
    loop._wait(IDLE)
    assert list(connection.connection.notifies(timeout=0)) == []  # none left for later ticks


def counted(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """How many times each phase has run, its work done as before."""
    runs: dict[str, int] = {}

    def counting(phase: phases.Phase) -> phases.Phase:
        def run(now: datetime) -> int:
            runs[phase.name] = runs.get(phase.name, 0) + 1
            return phase.run(now)

        return replace(phase, run=run)

    monkeypatch.setattr(phases, "PHASES", tuple(counting(p) for p in phases.PHASES))
    return runs


def test_a_running_engine_looks_for_check_ins_and_reminders_once_per_their_every(
    world: World, moment: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    paced = {p.name for p in phases.PHASES if p.every}
    assert paced == {"checkins", "meetings", "wellness"}
    assert {p.every for p in phases.PHASES if p.every} == {phases.UNHURRIED}
    runs = counted(monkeypatch)
    heart = health.Heart(NAME)
    every = phases.UNHURRIED.total_seconds()
    for _ in range(10):  # a burst wakes the engine every half second for one ``every``
        tick(heart=heart, paced=True)
        moment.shift(seconds=every / 10)
    assert runs == {"reopen": 10, "escalate": 10, "deliver": 10} | dict.fromkeys(paced, 1)
    tick(heart=heart, paced=True)  # one ``every`` after their first run
    assert all(runs[name] == 2 for name in paced) and runs["deliver"] == 11


def test_a_tick_on_its_own_runs_every_phase(
    world: World, moment: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs = counted(monkeypatch)
    heart = health.Heart(NAME)
    tick(heart=heart)
    moment.shift(seconds=0.1)
    tick(heart=heart)  # manage.py engine --once, or a test: nothing rests
    assert set(runs.values()) == {2} and runs.keys() == {p.name for p in phases.PHASES}


def test_the_loop_waits_for_a_resting_phase_without_asking_when_its_work_is_due(
    world: World, moment: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    heart = health.Heart(NAME)
    tick(heart=heart, paced=True)
    asked: list[str] = []

    def asking_phase(phase: phases.Phase) -> phases.Phase:
        def next_due() -> datetime | None:
            asked.append(phase.name)
            return None

        return replace(phase, next_due=next_due) if phase.next_due else phase

    monkeypatch.setattr(phases, "PHASES", tuple(asking_phase(p) for p in phases.PHASES))
    moment.shift(seconds=1)
    until = engine_loop.seconds_until_due(paced=heart.paced_until())
    assert until == phases.UNHURRIED.total_seconds() - 1  # when they may run again
    assert sorted(asked) == ["deliver", "escalate"]
    moment.shift(seconds=4)  # their rest is over: asked again
    asked.clear()
    assert engine_loop.seconds_until_due(paced=heart.paced_until()) is None
    assert sorted(asked) == ["checkins", "deliver", "escalate", "meetings", "wellness"]
