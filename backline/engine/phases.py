"""What each tick of the engine does, phase by phase, and the guard each phase runs under.

A phase is a name, the words coordinators read when it fails, the function it runs, its
time budget, when it knows, when its next work falls due and, for work due to the
minute, how often a running engine looks for it. Add one with a line in ``PHASES``.
Each runs under its own guard (docs/adr/0019-engine-phases.md):

- one that raises is logged by its name and the next phase still runs in the same tick;
  it is tried again after a back-off (1, 2, 4, 8, then every 10 seconds), so a defect
  that recurs neither floods the log nor keeps the others waiting;
- one that runs past its budget is logged by its name; on PostgreSQL each of its
  statements is cancelled at the budget (``statement_timeout``), so a query stuck
  behind a lock ends that phase, not the tick;
- a database that has gone away ends the tick instead: the loop reconnects and backs
  off, as it always has.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import DatabaseError, connection
from django.utils.translation import gettext_lazy as _

from backline.checkins import due as checkins
from backline.meetings import due as meetings
from backline.notify import outbox
from backline.support import escalation, lifecycle
from backline.wellness import reminders as wellness

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise

log = logging.getLogger(__name__)

# error kinds are kept short, in the heartbeat
ERROR_LENGTH = 100
# how often a running engine looks for work due to the minute (check-ins, reminders): a
# burst of requests wakes it many times a second, and paging must not wait behind these
UNHURRIED = timedelta(seconds=5)


@dataclass(frozen=True)
class Phase:
    name: str
    # completes "Paging is delayed: … has failed for 3 minutes"
    label: StrOrPromise
    run: Callable[[datetime], int]
    budget: timedelta
    next_due: Callable[[], datetime | None] | None = None
    # a running engine runs it at most once in this time (its work is due to the
    # minute); None: at every tick
    every: timedelta | None = None


PHASES: tuple[Phase, ...] = (
    # escalation's due time covers this phase's too (acknowledgements that time out)
    Phase(
        "reopen",
        _("handing requests not started in time back to the team"),
        lifecycle.reopen_stale,
        timedelta(seconds=10),
    ),
    Phase(
        "escalate",
        _("paging peers for waiting requests"),
        escalation.escalate_due,
        timedelta(seconds=20),
        escalation.next_due,
    ),
    Phase(
        "checkins",
        _("sending planned check-ins"),
        checkins.send_due,
        timedelta(seconds=10),
        checkins.next_due,
        UNHURRIED,
    ),
    Phase(
        "meetings",
        _("sending session reminders"),
        meetings.send_due,
        timedelta(seconds=10),
        meetings.next_due,
        UNHURRIED,
    ),
    Phase(
        "wellness",
        _("sending self-check reminders"),
        wellness.send_due,
        timedelta(seconds=10),
        wellness.next_due,
        UNHURRIED,
    ),
    Phase("deliver", _("sending messages"), outbox.process, timedelta(seconds=60), outbox.next_due),
)


def named(name: str) -> Phase | None:
    return next((phase for phase in PHASES if phase.name == name), None)


@dataclass(frozen=True)
class Run:
    """How one phase went in one tick. ``error`` is the kind of what it raised (never
    its message, which may quote a person's data); ``rested`` means it was not run, as
    it is backing off after a failure or ran less than its ``every`` ago."""

    phase: str
    done: int = 0
    seconds: float = 0.0
    error: str = ""
    rested: bool = False

    @property
    def failed(self) -> bool:
        return bool(self.error)


def run_all(now: datetime, resting_until: Mapping[str, datetime]) -> list[Run]:
    """Run every phase in order, each alone; a phase resting past ``now`` (backing off,
    or run less than its ``every`` ago) rests this tick."""
    try:
        return [
            Run(phase.name, rested=True)
            if phase.name in resting_until and now < resting_until[phase.name]
            else run(phase, now)
            for phase in PHASES
        ]
    finally:
        _limit_statements(None)


def run(phase: Phase, now: datetime) -> Run:
    started = time.monotonic()
    try:
        _limit_statements(phase.budget)
        done = phase.run(now)
    except Exception as exc:
        if isinstance(exc, DatabaseError) and not _database_answers():
            raise  # the database itself is gone: the loop reconnects and backs off
        log.exception("engine phase %s failed; the other phases go on", phase.name)
        return Run(phase.name, seconds=time.monotonic() - started, error=kind_of(exc))
    seconds = time.monotonic() - started
    if seconds > phase.budget.total_seconds():
        log.warning(
            "engine phase %s took %.2f s, past its budget of %.2f s",
            phase.name,
            seconds,
            phase.budget.total_seconds(),
        )
    return Run(phase.name, done, seconds)


def kind_of(exc: BaseException) -> str:
    """``OperationalError (QueryCanceled)``: the exception's class, and the database
    driver's under it when Django wrapped one."""
    kind = type(exc).__name__
    cause = exc.__cause__
    if cause is not None and type(cause).__name__ != kind:
        kind = f"{kind} ({type(cause).__name__})"
    return kind[:ERROR_LENGTH]


def _database_answers() -> bool:
    return connection.connection is not None and connection.is_usable()


def _limit_statements(budget: timedelta | None) -> None:
    """On PostgreSQL, cancel any statement of this session that runs longer than
    ``budget`` (None: the server's own setting again)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        if budget is None:
            cursor.execute("RESET statement_timeout")
        else:
            milliseconds = int(budget.total_seconds() * 1000)
            cursor.execute(
                "SELECT set_config('statement_timeout', %s, false)", [f"{milliseconds}ms"]
            )
