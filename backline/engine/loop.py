"""One tick of the paging engine, and the loop around it.

Each tick: put stale acknowledgements back into escalation, escalate what is due,
deliver the outbox, write a heartbeat. Between ticks the loop sleeps until new work
is announced (LISTEN on PostgreSQL), the next step or message falls due, or a short
poll interval passes, whichever comes first.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import DatabaseError, close_old_connections, connection

from backline.engine.models import Heartbeat
from backline.lib import clock
from backline.notify import outbox, wake
from backline.support import escalation, lifecycle

log = logging.getLogger(__name__)

STALE_AFTER = timedelta(seconds=60)
# The shortest wait: work that is due but was not done (another engine holds it) is
# looked at again this soon, not in a tight loop.
MIN_WAIT_SECONDS = 0.02


@dataclass(frozen=True)
class TickResult:
    reopened: int
    escalated: int
    sent: int

    @property
    def busy(self) -> bool:
        return bool(self.reopened or self.escalated or self.sent)


def engine_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def tick(now: datetime | None = None) -> TickResult:
    now = now or clock.now()
    result = TickResult(
        reopened=lifecycle.reopen_stale(now),
        escalated=escalation.escalate_due(now),
        sent=outbox.process(now),
    )
    beat = {"beat_at": clock.now(), "pid": os.getpid()}
    if not Heartbeat.objects.filter(name=engine_name()).update(**beat):
        Heartbeat.objects.create(name=engine_name(), **beat)
    return result


def seconds_until_due(now: datetime | None = None) -> float | None:
    """Seconds until the next step or message falls due (0 when one is due already);
    None when nothing waits."""
    due = [d for d in (escalation.next_due(), outbox.next_due()) if d is not None]
    if not due:
        return None
    return max(0.0, (min(due) - (now or clock.now())).total_seconds())


def last_heartbeat() -> datetime | None:
    return Heartbeat.objects.order_by("-beat_at").values_list("beat_at", flat=True).first()


def is_stale(now: datetime | None = None) -> bool:
    beat = last_heartbeat()
    return beat is None or (now or clock.now()) - beat > STALE_AFTER


class Loop:
    """Runs ticks until ``stop()``; survives a database that goes away and comes back,
    and a tick that fails."""

    def __init__(self, poll_seconds: float) -> None:
        self.poll_seconds = poll_seconds
        self.stopping = False
        self.listening = False

    def stop(self, *_: object) -> None:
        self.stopping = True

    def run(self) -> None:
        failures = 0
        while not self.stopping:
            try:
                result = tick()
                failures = 0
                if not result.busy:
                    self._wait()
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

    def _wait(self) -> None:
        until_due = seconds_until_due()
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
            for _ in connection.connection.notifies(timeout=timeout, stop_after=1):
                pass
