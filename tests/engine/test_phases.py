"""Each phase of a tick runs alone: one that fails or overruns its budget is logged by its
name, the others still run, and the heartbeat and the coordinators' pages say which."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, TypedDict, Unpack

import psycopg
import pytest
from django.db import ProgrammingError, connection
from django.test import Client
from django.urls import reverse

from backline.accounts.models import User
from backline.accounts.roles import Role
from backline.engine import health, phases
from backline.engine.loop import Loop, engine_name, seconds_until_due, tick
from backline.engine.models import Heartbeat
from backline.lib import clock
from backline.notify import outbox
from backline.notify.models import Channel, OutgoingMessage, Status
from backline.support import escalation, lifecycle
from backline.support.models import EscalationState, EventKind, RequestStatus, SupportRequest
from tests import asking
from tests.harness import START, ClientOf, Clock, Recorder, Team
from tests.personas import make_person

pytestmark = pytest.mark.django_db

ON_POSTGRES = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="statement_timeout and lost sessions: PostgreSQL"
)


def reach_out(team: Team, requester: User | None = None) -> SupportRequest:
    """A request, its first page queued (the engine escalated it before any fault)."""
    request, _token = asking.reach_out(
        requester or team.world.telecommunicator,
        team.world.region,
        escalation.Ask(urgency="now", contact="call"),
    )
    return request


def claiming_fails(*_args: object) -> None:
    raise ProgrammingError("column support_escalationstate.step does not exist")


def claiming_has_a_defect(*_args: object) -> None:
    raise RuntimeError("a defect while claiming")


def a_defect(now: datetime) -> int:
    raise RuntimeError("a defect in this phase")


class PhaseChanges(TypedDict, total=False):
    run: Callable[[datetime], int]
    budget: timedelta


def with_phase(monkeypatch: pytest.MonkeyPatch, name: str, **changes: Unpack[PhaseChanges]) -> None:
    """The engine's phases, with the one named changed (its function, its budget)."""
    monkeypatch.setattr(
        phases,
        "PHASES",
        tuple(replace(p, **changes) if p.name == name else p for p in phases.PHASES),
    )


def beat() -> dict[str, health.PhaseHealth]:
    return health.of_engine(engine_name())


def banner(client: Client) -> str:
    """The page's text, its non-breaking spaces ("3 minutes") as plain ones."""
    html: str = client.get(reverse("home")).content.decode()
    return html.replace("\xa0", " ")


@pytest.mark.parametrize("fault", [claiming_fails, claiming_has_a_defect])
def test_queued_pages_go_out_on_time_while_escalating_fails_every_tick(
    team: Team,
    recorder: Recorder,
    moment: Clock,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    fault: Callable[..., None],
) -> None:
    reach_out(team)  # its first page, to A, is queued
    later = START + timedelta(minutes=2)
    outbox.enqueue(team.b.pk, "later", "later", outbox.Message("Backline: later", "b"), later)
    monkeypatch.setattr(escalation, "_claim_due", fault)
    with caplog.at_level(logging.ERROR, logger="backline.engine.phases"):
        result = moment.tick()
        recorder.expect(to="a@mail.test")
        assert result.done["deliver"] == 1 and result.failing == {"escalate"}
        moment.later(minutes=2)
    recorder.expect(to="+15550100002")
    sends = OutgoingMessage.objects.filter(channel__in=[Channel.EMAIL, Channel.SMS])
    assert {(m.status, m.sent_at) for m in sends.filter(recipient=team.a)} == {(Status.SENT, START)}
    assert {(m.status, m.sent_at) for m in sends.filter(recipient=team.b)} == {(Status.SENT, later)}
    failures = [r for r in caplog.records if "engine phase escalate failed" in r.getMessage()]
    assert len(failures) == 2  # logged by name at each tick, with what it raised
    assert all(r.exc_info for r in failures)


def test_the_heartbeat_keeps_each_phase_and_a_failing_one_backs_off(
    team: Team,
    recorder: Recorder,
    moment: Clock,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    reach_out(team)
    monkeypatch.setattr(escalation, "_claim_due", claiming_fails)
    moment.tick()
    recorder.expect(to="a@mail.test")  # delivering went on
    phase = beat()
    assert set(phase) == {"reopen", "escalate", "checkins", "meetings", "wellness", "deliver"}
    assert phase["escalate"].failures == 1
    assert phase["escalate"].failing_since == phase["escalate"].failed_at == START
    assert phase["escalate"].succeeded_at is None
    assert phase["escalate"].error == "ProgrammingError"  # its kind, never its message
    assert phase["deliver"].failures == 0 and phase["deliver"].succeeded_at == START
    assert phase["deliver"].seconds > 0
    assert Heartbeat.objects.get().phases["deliver"]["succeeded_at"] == START.isoformat()

    caplog.clear()
    with caplog.at_level(logging.ERROR, logger="backline.engine.phases"):
        moment.later(seconds=0.5)  # within its back-off: it rests
        assert beat()["escalate"].failures == 1 and not caplog.records
        moment.later(seconds=0.5)  # tried again: 1 s after the first failure
        assert beat()["escalate"].failures == 2 and len(caplog.records) == 1
        moment.later(seconds=1)  # the next rest is 2 s
        assert beat()["escalate"].failures == 2 and len(caplog.records) == 1

    monkeypatch.undo()  # repaired
    moment.later(seconds=1)
    repaired = beat()["escalate"]
    assert repaired.failures == 0 and repaired.failing_since is None
    assert repaired.succeeded_at == START + timedelta(seconds=3)
    assert repaired.error == "ProgrammingError"  # the last error is kept for whoever looks


def test_a_phase_past_its_budget_is_logged_by_name_and_the_others_run(
    team: Team,
    recorder: Recorder,
    moment: Clock,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    reach_out(team)

    def slow(now: datetime) -> int:
        time.sleep(0.05)  # a phase five times slower than its budget
        return 0

    with_phase(monkeypatch, "reopen", run=slow, budget=timedelta(milliseconds=10))
    with caplog.at_level(logging.WARNING, logger="backline.engine.phases"):
        moment.tick()
    assert "engine phase reopen took" in caplog.text and "past its budget of 0.01 s" in caplog.text
    recorder.expect(to="a@mail.test")  # the others ran
    phase = beat()
    assert phase["reopen"].seconds >= 0.05
    assert phase["reopen"].failures == 0  # slow, not failed
    assert phase["escalate"].failures == phase["deliver"].failures == 0


def test_one_request_that_cannot_go_back_does_not_keep_the_others(
    team: Team,
    recorder: Recorder,
    moment: Clock,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    requesters = [team.world.telecommunicator] + [
        make_person(f"t{n}@harbor.test", f"Tel {n}", team.world.agency, Role.TELECOMMUNICATOR)
        for n in (2, 3)
    ]
    requests = [reach_out(team, requester) for requester in requesters]
    moment.tick()
    assert len(recorder.take(to="a@mail.test")) == 3  # A, for each
    for request in requests:
        assert lifecycle.acknowledge(request, team.a, timedelta(minutes=5))
    poisoned = requests[1]
    enqueue = outbox.enqueue

    def enqueue_failing_for_one(
        recipient_id: int, group_key: str, *args: Any, **kwargs: Any
    ) -> list[OutgoingMessage]:
        if group_key.startswith(f"{poisoned.group_key}:"):
            raise ValueError("a defect in this request's data")
        return enqueue(recipient_id, group_key, *args, **kwargs)

    monkeypatch.setattr(outbox, "enqueue", enqueue_failing_for_one)
    moment.traveller.shift(timedelta(minutes=30))  # none was started in time
    with caplog.at_level(logging.ERROR, logger="backline.support.lifecycle"):
        assert lifecycle.reopen_stale() == 2
    for request in requests:
        request.refresh_from_db()
    assert [r.status for r in requests] == [
        RequestStatus.OPEN,
        RequestStatus.ACKNOWLEDGED,  # rolled back whole: still taken, nothing half done
        RequestStatus.OPEN,
    ]
    assert not poisoned.events.filter(kind=EventKind.REOPENED).exists()
    assert f"request {poisoned.pk}: reopening failed" in caplog.text
    retry = EscalationState.objects.get(request=poisoned).next_escalation_at
    assert retry == clock.now() + escalation.FAILED_RETRY  # tried again a minute later

    monkeypatch.undo()
    moment.traveller.shift(timedelta(seconds=59))
    assert lifecycle.reopen_stale() == 0
    moment.traveller.shift(timedelta(seconds=1))
    assert lifecycle.reopen_stale() == 1
    poisoned.refresh_from_db()
    assert poisoned.status == RequestStatus.OPEN


def test_a_failing_phase_leaves_its_due_work_out_of_the_loops_wait(
    team: Team, recorder: Recorder, moment: Clock
) -> None:
    reach_out(team)
    moment.tick()
    recorder.expect(to="a@mail.test")
    moment.traveller.shift(timedelta(minutes=5))  # the second step is due
    assert seconds_until_due() == 0
    # escalating keeps failing: the loop waits for the outbox's next retry or its poll,
    # it does not spin on the step it cannot take
    assert seconds_until_due(failing={"escalate"}) is None


DELAYED = "Paging is delayed: sending messages has failed for 3 minutes. Backline keeps trying."


def test_coordinators_read_which_phase_keeps_failing_and_others_do_not(
    team: Team,
    recorder: Recorder,
    moment: Clock,
    monkeypatch: pytest.MonkeyPatch,
    client_of: ClientOf,
) -> None:
    coordinator = client_of(team.world.coordinator)
    telecommunicator = client_of(team.world.telecommunicator)
    with_phase(monkeypatch, "deliver", run=a_defect)
    moment.tick()
    moment.later(seconds=30)
    page = banner(coordinator)
    assert "Paging is delayed" not in page  # a blip is not worth a worry yet
    assert "paging engine is not running" not in page
    for _ in range(5):
        moment.later(seconds=30)
    assert DELAYED in banner(coordinator)
    assert "Paging is delayed" not in banner(telecommunicator)

    monkeypatch.undo()
    moment.later(seconds=10)
    assert "Paging is delayed" not in banner(coordinator)


def test_a_phase_of_an_engine_that_stopped_is_not_reported(
    team: Team, recorder: Recorder, moment: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_phase(monkeypatch, "deliver", run=a_defect)
    for _ in range(4):
        moment.later(seconds=30)
    assert health.watch().delay is not None
    moment.traveller.shift(health.STALE_AFTER + timedelta(seconds=1))
    assert health.watch() == health.Watch(running=False)  # "not running" says it all


@ON_POSTGRES
@pytest.mark.django_db(transaction=True)
def test_a_phase_stuck_behind_a_lock_is_cut_off_at_its_budget(
    team: Team,
    recorder: Recorder,
    moment: Clock,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    reach_out(team)
    for name in ("reopen", "escalate"):
        with_phase(monkeypatch, name, budget=timedelta(milliseconds=300))
    db = connection.settings_dict
    holder = psycopg.connect(
        host=db["HOST"] or "127.0.0.1", port=db["PORT"], user=db["USER"], dbname=db["NAME"]
    )
    try:
        # should the budget not hold, the server ends this session (and its lock) after a
        # while: the test then fails rather than hangs
        holder.execute("SET idle_in_transaction_session_timeout = '20s'")
        holder.execute(f"LOCK TABLE {EscalationState._meta.db_table} IN ACCESS EXCLUSIVE MODE")
        with caplog.at_level(logging.WARNING, logger="backline.engine.phases"):
            result = tick()
    finally:
        holder.close()
    assert result.failing == {"reopen", "escalate"}
    recorder.expect(to="a@mail.test")  # delivering went on
    phase = beat()
    assert phase["reopen"].error == phase["escalate"].error == "OperationalError (QueryCanceled)"
    assert "engine phase reopen failed" in caplog.text
    assert "engine phase escalate failed" in caplog.text
    with connection.cursor() as cursor:  # the engine's session keeps no phase's limit
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "0"


@ON_POSTGRES
@pytest.mark.django_db(transaction=True)
def test_a_database_gone_mid_phase_still_takes_the_loops_reconnect_path(
    team: Team,
    recorder: Recorder,
    moment: Clock,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    reach_out(team)
    loop = Loop(poll_seconds=0)
    ticks: list[int] = []

    def session_lost(now: datetime) -> int:
        ticks.append(len(ticks))
        if len(ticks) == 1:
            connection.connection.close()  # as a server restart leaves it
        else:
            loop.stop()
        return lifecycle.reopen_stale(now)

    with_phase(monkeypatch, "reopen", run=session_lost)
    with caplog.at_level(logging.WARNING):
        loop.run()
    assert ticks == [0, 1]  # it came back on a new session
    assert "database unavailable" in caplog.text
    assert "engine phase reopen failed" not in caplog.text
    recorder.expect(to="a@mail.test")
