"""The engine's heartbeat: each engine's last beat and, phase by phase, how its runs went;
and what coordinators are told from it (docs/adr/0019-engine-phases.md)."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from backline.engine.models import Heartbeat
from backline.engine.phases import Phase, Run, named
from backline.lib import clock

# no beat for this long: the engine has stopped
STALE_AFTER = timedelta(seconds=60)
# an engine that ticks writes its beat at least this often (and at once when a phase
# starts or stops failing), not at every tick: a burst wakes it many times a second
BEAT_EVERY = timedelta(seconds=1)
# a phase failing for less than this is a blip, not yet a delay worth a coordinator's worry
DELAY_SHOWN_AFTER = timedelta(minutes=1)
LONGEST_REST = timedelta(seconds=10)


@dataclass(frozen=True)
class PhaseHealth:
    """One phase on one engine: how long its last run took, when it last succeeded and
    last failed, the kind of its last error (kept after it recovers), how many times in
    a row it has failed, and since when."""

    seconds: float = 0.0
    succeeded_at: datetime | None = None
    failed_at: datetime | None = None
    error: str = ""
    failures: int = 0
    failing_since: datetime | None = None

    def after(self, run: Run, at: datetime) -> PhaseHealth:
        if run.rested:
            return self
        if run.failed:
            return replace(
                self,
                seconds=run.seconds,
                failed_at=at,
                error=run.error,
                failures=self.failures + 1,
                failing_since=self.failing_since or at,
            )
        return replace(self, seconds=run.seconds, succeeded_at=at, failures=0, failing_since=None)

    @property
    def resting_until(self) -> datetime | None:
        """A failing phase is tried again 1, 2, 4, 8, then every 10 seconds later."""
        if not self.failures or self.failed_at is None:
            return None
        rest = min(timedelta(seconds=0.5 * 2**self.failures), LONGEST_REST)
        return self.failed_at + rest

    def to_json(self) -> dict[str, Any]:
        return {
            "seconds": self.seconds,
            "succeeded_at": _moment(self.succeeded_at),
            "failed_at": _moment(self.failed_at),
            "error": self.error,
            "failures": self.failures,
            "failing_since": _moment(self.failing_since),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PhaseHealth:
        return cls(
            seconds=float(data.get("seconds", 0.0)),
            succeeded_at=_parsed(data.get("succeeded_at")),
            failed_at=_parsed(data.get("failed_at")),
            error=str(data.get("error", "")),
            failures=int(data.get("failures", 0)),
            failing_since=_parsed(data.get("failing_since")),
        )


def _moment(at: datetime | None) -> str | None:
    return at.isoformat() if at else None


def _parsed(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def of_engine(name: str) -> dict[str, PhaseHealth]:
    phases = Heartbeat.objects.filter(name=name).values_list("phases", flat=True).first()
    return {phase: PhaseHealth.from_json(data) for phase, data in (phases or {}).items()}


class Heart:
    """One engine's health, kept between its ticks: read from its heartbeat once, at the
    first tick, then only ever written. A beat is written when a phase starts or stops
    failing (or fails again), and otherwise when the last is ``BEAT_EVERY`` old; a heart
    made for one tick alone (``manage.py engine --once``, a test's tick) writes its beat."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._phases: dict[str, PhaseHealth] | None = None
        self._written_at: datetime | None = None

    @property
    def phases(self) -> dict[str, PhaseHealth]:
        if self._phases is None:
            self._phases = of_engine(self.name)
        return self._phases

    def resting_until(self, paced: bool = False) -> dict[str, datetime]:
        """The phases backing off after a failure, and until when; with ``paced`` (a
        running engine), also those that ran less than their ``every`` ago."""
        backing_off = {name: h.resting_until for name, h in self.phases.items() if h.resting_until}
        return self.paced_until() | backing_off if paced else backing_off

    def paced_until(self) -> dict[str, datetime]:
        """The phases with an ``every`` that last ran well, and until when they rest."""
        return {
            name: h.succeeded_at + phase.every
            for name, h in self.phases.items()
            if h.succeeded_at and not h.failures and (phase := named(name)) and phase.every
        }

    def beat(self, runs: Sequence[Run]) -> dict[str, PhaseHealth]:
        """Take a tick's runs in; write the heartbeat if it is due. Returns each phase's
        health."""
        before, at = self.phases, clock.now()
        after = {run.phase: before.get(run.phase, PhaseHealth()).after(run, at) for run in runs}
        changed = after.keys() != before.keys() or any(
            health.failures != before[phase].failures for phase, health in after.items()
        )
        self._phases = after
        last = self._written_at
        if changed or last is None or not timedelta(0) <= at - last < BEAT_EVERY:
            _write(self.name, at, after)
            self._written_at = at
        return after


def _write(name: str, at: datetime, phases: Mapping[str, PhaseHealth]) -> None:
    fields = {
        "beat_at": at,
        "pid": os.getpid(),
        "phases": {phase: health.to_json() for phase, health in phases.items()},
    }
    if not Heartbeat.objects.filter(name=name).update(**fields):
        Heartbeat.objects.create(name=name, **fields)


@dataclass(frozen=True)
class Delay:
    """A phase that has kept failing on a running engine."""

    phase: Phase
    since: datetime


@dataclass(frozen=True)
class Watch:
    """What coordinators are told about the engines: whether one is running, and the
    phase that has been failing longest, if any has for a minute."""

    running: bool
    delay: Delay | None = None


def watch(now: datetime | None = None) -> Watch:
    now = now or clock.now()
    live = list(
        Heartbeat.objects.filter(beat_at__gte=now - STALE_AFTER).values_list("phases", flat=True)
    )
    failing = [
        Delay(phase, health.failing_since)
        for phases in live
        for name, data in phases.items()
        if (health := PhaseHealth.from_json(data)).failing_since is not None
        and health.failing_since <= now - DELAY_SHOWN_AFTER
        and (phase := named(name)) is not None  # an older engine's phase is not ours to name
    ]
    return Watch(running=bool(live), delay=min(failing, key=lambda d: d.since, default=None))
