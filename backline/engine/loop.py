"""One tick of the paging engine, and the loop around it.

Each tick runs the engine's phases (``engine.phases``: put stale acknowledgements back
into escalation, escalate what is due, send check-ins and reminders, deliver the
outbox), each alone, then writes a heartbeat with how each went. In the running
engine, the phases whose work is due to the minute run at most once per their
``every``, however often new requests wake it. Between ticks the loop sleeps until new
work is announced (LISTEN on PostgreSQL), the next step or message falls due, or a short
poll interval passes, whichever comes first.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from django.db import DatabaseError, close_old_connections, connection

from backline.engine import health, phases
from backline.lib import clock, host
from backline.notify import wake

log = logging.getLogger(__name__)

# The shortest wait: work that is due but was not done (another engine holds it) is
# looked at again this soon, not in a tight loop.
MIN_WAIT_SECONDS = 0.02


@dataclass(frozen=True)
class TickResult:
    """How much each phase did, by name, and which phases are failing (backing off)."""

    done: Mapping[str, int]
    failing: frozenset[str] = field(default_factory=frozenset)

    @property
    def busy(self) -> bool:
        return any(self.done.values())


def engine_name() -> str:
    return host.process_name()


def tick(
    now: datetime | None = None, heart: health.Heart | None = None, paced: bool = False
) -> TickResult:
    """Run every phase once; ``heart`` is the engine's health from its earlier ticks
    (without it, the tick reads its heartbeat and writes it back). ``paced`` (the running
    engine) rests each phase that ran less than its ``every`` ago."""
    now = now or clock.now()
    heart = heart or health.Heart(engine_name())
    runs = phases.run_all(now, heart.resting_until(paced))
    after = heart.beat(runs)
    return TickResult(
        done={run.phase: run.done for run in runs},
        failing=frozenset(name for name, h in after.items() if h.failures),
    )


def seconds_until_due(
    now: datetime | None = None,
    failing: Collection[str] = (),
    paced: Mapping[str, datetime] | None = None,
) -> float | None:
    """Seconds until the next step or message falls due (0 when one is due already);
    None when nothing waits. A failing phase's work is left out: it is due already, and
    the phase is tried again after its back-off, at the pace of the poll. A phase that
    ``paced`` rests until a later moment is due then, and not asked when its work is."""
    now = now or clock.now()
    due: list[datetime] = []
    for phase in phases.PHASES:
        if phase.name in failing:
            continue
        rests_until = (paced or {}).get(phase.name)
        if rests_until is not None and rests_until > now:
            due.append(rests_until)
        elif phase.next_due is not None and (at := phase.next_due()) is not None:
            due.append(at)
    if not due:
        return None
    return max(0.0, (min(due) - now).total_seconds())


class Loop:
    """Runs ticks until ``stop()``; survives a database that goes away and comes back,
    and a tick that fails."""

    def __init__(self, poll_seconds: float) -> None:
        self.poll_seconds = poll_seconds
        self.stopping = False
        self.listening = False
        self.heart = health.Heart(engine_name())

    def stop(self, *_: object) -> None:
        self.stopping = True

    def run(self) -> None:
        failures = 0
        while not self.stopping:
            try:
                result = tick(heart=self.heart, paced=True)
                failures = 0
                self._wait(result)
            except DatabaseError as exc:
                failures += 1
                log.warning("database unavailable (%s); retrying", exc)
                self.listening = False
                connection.close()
                self._back_off(failures)
            except Exception:
                # a defect must not silence paging for good: log it and try again; the
                # heartbeat goes stale meanwhile, so coordinators see that something is wrong
                failures += 1
                log.exception("engine tick failed; retrying")
                self._back_off(failures)
            self._tidy()

    def _back_off(self, failures: int) -> None:
        time.sleep(min(0.5 * 2**failures, 10.0))

    def _tidy(self) -> None:
        """Close the connection when it is older than CONN_MAX_AGE (or unusable). The next
        one is a new session, which has to LISTEN again, or NOTIFY would never wake us."""
        close_old_connections()
        if connection.connection is None:
            self.listening = False

    def _wait(self, after: TickResult) -> None:
        """Until work falls due or is announced, or the poll interval passes. After a
        tick that did something, only when nothing more is due at once (a full batch, or
        work that came meanwhile, is taken by the next tick straight away)."""
        until_due = seconds_until_due(failing=after.failing, paced=self.heart.paced_until())
        if after.busy and until_due == 0:
            return
        timeout = self.poll_seconds if until_due is None else min(self.poll_seconds, until_due)
        timeout = max(timeout, MIN_WAIT_SECONDS)
        if connection.vendor != "postgresql":
            time.sleep(timeout)
            return
        if not self.listening:
            with connection.cursor() as cursor:
                cursor.execute(f"LISTEN {wake.CHANNEL}")
            self.listening = True
        with connection.wrap_database_errors:  # a lost server raises Django's errors
            listener = connection.connection
            for _ in listener.notifies(timeout=timeout, stop_after=1):
                pass
            # a burst announces itself many times over: what is queued already, the
            # next tick answers too
            for _ in listener.notifies(timeout=0):
                pass
