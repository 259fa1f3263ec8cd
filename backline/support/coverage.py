"""Warnings for coordinators: gaps in on-call coverage, and peers nobody can reach.

Over the next ``HORIZON`` a region's coordinators are told about:

- no default escalation policy (a request would page nobody but the coordinator);
- policies without steps, and steps without targets (skipped at once when they fire);
- periods when none of a policy's rotation and schedule targets has anyone who can be
  paged on call (a peer on a break is not);
- then what ``oncall.coverage`` finds without policies: rotations without (pageable)
  members, schedules' uncovered hours, and peers without a usable contact method.

Everything here reads models and returns values; nothing is changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from django.db.models import Prefetch

from backline.accounts.models import Region
from backline.lib import clock
from backline.oncall import breaks, coverage, people, resolve
from backline.oncall.coverage import CoverageWarning, Period
from backline.oncall.models import Rotation, Schedule
from backline.support.models import EscalationPolicy, StepTarget, TargetKind

HORIZON = coverage.HORIZON


class PolicyKind(StrEnum):
    NO_DEFAULT_POLICY = "no_default_policy"
    POLICY_WITHOUT_STEPS = "policy_without_steps"
    EMPTY_STEP = "empty_step"
    POLICY_GAP = "policy_gap"


@dataclass(frozen=True)
class PolicyWarning:
    kind: PolicyKind
    region: Region
    policy: EscalationPolicy | None = None
    step: int | None = None  # counted from 1, as pages show steps
    periods: tuple[Period, ...] = ()

    @property
    def hours(self) -> float:
        """Hours over the horizon when the policy has nobody on call."""
        return sum((p.ends_at - p.starts_at).total_seconds() for p in self.periods) / 3600


RegionWarning = PolicyWarning | CoverageWarning


class _Timelines:
    """Who is on call from ``start`` to ``end`` in each rotation and schedule that the
    policies target, worked out once each, for all of them at once."""

    def __init__(self, policies: list[EscalationPolicy], start: datetime, end: datetime) -> None:
        self.start, self.end = start, end
        targets = [t for p in policies for step in p.steps.all() for t in step.targets.all()]
        rotations = {t.rotation.pk: t.rotation for t in targets if t.rotation is not None}
        schedules = {t.schedule.pk: t.schedule for t in targets if t.schedule is not None}
        self.rotations = resolve.timelines(list(rotations.values()), start, end)
        self.schedules = resolve.schedule_timelines(
            list(schedules.values()), start, end, self.rotations
        )

    def rotation(self, rotation: Rotation) -> list[resolve.Shift]:
        return self.rotations[rotation.pk]

    def schedule(self, schedule: Schedule) -> list[resolve.Shift]:
        return self.schedules[schedule.pk]


def _policy_warnings(
    region: Region,
    policy: EscalationPolicy,
    timelines: _Timelines,
    pageable: set[int],
    away: dict[int, tuple[datetime, datetime]],
) -> list[PolicyWarning]:
    found: list[PolicyWarning] = []
    steps = sorted(policy.steps.all(), key=lambda s: s.order)
    if not steps:
        found.append(PolicyWarning(PolicyKind.POLICY_WITHOUT_STEPS, region, policy))
    targeted: list[list[resolve.Shift]] = []
    for number, step in enumerate(steps, start=1):
        step_targets = list(step.targets.all())
        if not step_targets:
            found.append(PolicyWarning(PolicyKind.EMPTY_STEP, region, policy, step=number))
        for target in step_targets:
            if target.kind == TargetKind.ROTATION and target.rotation is not None:
                targeted.append(timelines.rotation(target.rotation))
            elif target.kind == TargetKind.SCHEDULE and target.schedule is not None:
                targeted.append(timelines.schedule(target.schedule))
    if targeted:
        gaps = coverage.uncovered(targeted, timelines.start, timelines.end, pageable, away)
        if gaps:
            found.append(PolicyWarning(PolicyKind.POLICY_GAP, region, policy, periods=tuple(gaps)))
    return found


def region_warnings(region: Region, now: datetime | None = None) -> list[RegionWarning]:
    """Everything a region's coordinators should look at, most urgent first."""
    start = now or clock.now()
    pageable = people.pageable(region.pk)
    away = breaks.away(pageable, start, start + HORIZON)
    policies = sorted(
        EscalationPolicy.objects.filter(region=region).prefetch_related(
            "steps",
            Prefetch("steps__targets", StepTarget.objects.select_related("rotation", "schedule")),
        ),
        key=lambda p: (not p.is_default, p.name),
    )
    timelines = _Timelines(policies, start, start + HORIZON)
    found: list[RegionWarning] = []
    if not any(p.is_default for p in policies):
        found.append(PolicyWarning(PolicyKind.NO_DEFAULT_POLICY, region))
    for policy in policies:
        found += _policy_warnings(region, policy, timelines, pageable, away)
    return found + coverage.region_warnings(region, pageable, away)
