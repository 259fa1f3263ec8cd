"""The plan a request escalates by: its team's policy as it stood when the request
started, kept in ``SupportRequest.policy_snapshot`` so that editing the policy later
never changes a running request (docs/adr/0020-versioned-policy-snapshot.md).

The snapshot is stored as JSON with a ``version`` and read once into frozen types:
``Plan`` → ``Step`` → ``Target``, with the policy's slower clock (``DelayFactors``).
``parse`` brings an older version up to ``VERSION`` and refuses, with a typed error,
one it does not know (written by a newer Backline) or one that is damaged. A request
whose snapshot cannot be read is refused when it is created, not when a step fires.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import Model, QuerySet

from backline.accounts.models import Region
from backline.support.models import EscalationPolicy, TargetKind, Urgency

log = logging.getLogger(__name__)

# 1: unversioned (before the version); 2: versioned, every field present
VERSION = 2

# what a request starts with when its team has no policy: no steps, so the coordinator
# is alerted at once
NO_POLICY_START_TIMEOUT_MINUTES = 30

# the kinds of target that name one person, rotation or schedule by id
NAMED = frozenset({TargetKind.USER, TargetKind.ROTATION, TargetKind.SCHEDULE})

# the fields of each object of the current version, as ``to_json`` writes them
PLAN_FIELDS = frozenset(
    {"version", "policy", "name", "repeat", "start_timeout_minutes", "delay_factors", "steps"}
)
FACTOR_FIELDS = frozenset(Urgency.values)
STEP_FIELDS = frozenset({"delay_minutes", "targets"})
TARGET_FIELDS = frozenset({"kind", "id"})


class Unreadable(Exception):
    """A policy snapshot this Backline cannot read: the request cannot escalate by it."""


class UnknownVersion(Unreadable):
    """A snapshot of a version this Backline does not know (a newer one wrote it)."""

    def __init__(self, version: object) -> None:
        super().__init__(
            f"the policy snapshot is of version {version!r}; this Backline reads versions "
            f"1 to {VERSION}"
        )
        self.version = version


class Malformed(Unreadable):
    """A snapshot of a known version whose content is not what that version holds."""


@dataclass(frozen=True)
class Target:
    """Whom a step pages: a person, whoever a rotation or schedule has on call (``id``
    names it), every available peer, or the coordinators (no ``id``)."""

    kind: TargetKind
    id: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "id": self.id}


@dataclass(frozen=True)
class Step:
    """Page the targets, then wait ``delay_minutes`` (times the slower clock)."""

    delay_minutes: int
    targets: tuple[Target, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "delay_minutes": self.delay_minutes,
            "targets": [target.to_json() for target in self.targets],
        }


@dataclass(frozen=True)
class DelayFactors:
    """How many times its own wait each step waits, by urgency (docs/adr/0011)."""

    now: int = 1
    hours: int = 1
    week: int = 1

    def of(self, urgency: str) -> int:
        return self.to_json()[urgency]

    def to_json(self) -> dict[str, int]:
        """By urgency: the field names are ``Urgency``'s values."""
        return {"now": self.now, "hours": self.hours, "week": self.week}


@dataclass(frozen=True)
class Plan:
    """A policy as a request escalates by it: its steps, run ``1 + repeat`` times."""

    policy_id: int | None
    name: str
    repeat: int
    start_timeout_minutes: int
    delay_factors: DelayFactors
    steps: tuple[Step, ...]

    @property
    def start_timeout(self) -> timedelta:
        """How long a taken request may wait to start before it escalates again."""
        return timedelta(minutes=self.start_timeout_minutes)

    def delay(self, step: Step, urgency: str) -> timedelta:
        """How long ``step`` waits for a request of this urgency: its own wait, times the
        slower clock for a request that can wait."""
        return timedelta(minutes=step.delay_minutes * self.delay_factors.of(urgency))

    def to_json(self) -> dict[str, Any]:
        """The snapshot to store, in the current ``VERSION``."""
        return {
            "version": VERSION,
            "policy": self.policy_id,
            "name": self.name,
            "repeat": self.repeat,
            "start_timeout_minutes": self.start_timeout_minutes,
            "delay_factors": self.delay_factors.to_json(),
            "steps": [step.to_json() for step in self.steps],
        }


def of(policy: EscalationPolicy | None) -> Plan:
    """The plan of a request starting now, by ``policy`` as it stands; with no policy, a
    plan of no steps."""
    if policy is None:
        return Plan(None, "", 0, NO_POLICY_START_TIMEOUT_MINUTES, DelayFactors(), ())
    return _read(EscalationPolicy.objects.filter(pk=policy.pk))


def of_default(region: Region) -> Plan:
    """The plan of a request starting now in ``region``, by its default policy as it
    stands; with none, a plan of no steps."""
    return _read(EscalationPolicy.objects.filter(region=region, is_default=True))


def _read(policies: QuerySet[EscalationPolicy]) -> Plan:
    """The plan of the one policy ``policies`` selects (or of none), read with its steps
    and their targets in one query, then through ``parse`` like a stored snapshot."""
    rows = policies.order_by("steps__order", "steps__targets__pk").values_list(
        "pk", "name", "repeat", "start_timeout_minutes", "hours_delay_factor",
        "week_delay_factor", "steps__pk", "steps__delay_minutes", "steps__targets__kind",
        "steps__targets__user", "steps__targets__rotation", "steps__targets__schedule",
    )  # fmt: skip
    policy: dict[str, Any] | None = None
    steps: dict[int, dict[str, Any]] = {}
    for row in rows:
        pk, name, repeat, start_timeout, hours, week, step_id, delay, kind, *ids = row
        if policy is None:
            factors = EscalationPolicy(hours_delay_factor=hours, week_delay_factor=week)
            policy = {
                "version": VERSION,
                "policy": pk,
                "name": name,
                "repeat": repeat,
                "start_timeout_minutes": start_timeout,
                "delay_factors": factors.delay_factors(),
            }
        if step_id is None:  # a policy without steps comes as one row without one
            continue
        step = steps.setdefault(step_id, {"delay_minutes": delay, "targets": []})
        if kind is not None:  # and a step without targets, as one row without one
            user_id, rotation_id, schedule_id = ids
            step["targets"].append({"kind": kind, "id": user_id or rotation_id or schedule_id})
    if policy is None:
        return of(None)
    return parse({**policy, "steps": list(steps.values())})


def _from_version_1(data: dict[str, Any]) -> dict[str, Any]:
    """Unversioned snapshots: one of a request with no policy had no name, and one taken
    before the slower clock existed had no delay factors (it keeps its steps' waits)."""
    return {"name": "", "delay_factors": DelayFactors().to_json(), **data, "version": 2}


# from each older version to the next
UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _from_version_1}


def parse(data: object) -> Plan:
    """Read a stored snapshot, of any version up to ``VERSION``. Raises
    ``UnknownVersion`` for a later one and ``Malformed`` for damaged content."""
    fields = _mapping(data, "the policy snapshot")
    version = fields.get("version", 1)
    if type(version) is not int or not 1 <= version <= VERSION:
        raise UnknownVersion(version)
    while version < VERSION:
        fields = UPGRADES[version](fields)
        version = fields["version"]
    return _plan(fields)


def _plan(data: dict[str, Any]) -> Plan:
    _exactly(data, "the policy snapshot", PLAN_FIELDS)
    policy_id = data["policy"]
    if policy_id is not None:
        policy_id = _number(policy_id, "its policy", least=1)
    if not isinstance(data["name"], str):
        raise Malformed(f"its name is not text but {type(data['name']).__name__}")
    steps = data["steps"]
    if not isinstance(steps, list):
        raise Malformed(f"its steps are not a list but {type(steps).__name__}")
    return Plan(
        policy_id,
        data["name"],
        _number(data["repeat"], "its repeat"),
        _number(data["start_timeout_minutes"], "its minutes to start", least=1),
        _factors(data["delay_factors"]),
        tuple(_step(step, f"step {index + 1}") for index, step in enumerate(steps)),
    )


def _factors(data: object) -> DelayFactors:
    fields = _mapping(data, "its delay factors")
    _exactly(fields, "its delay factors", FACTOR_FIELDS)
    return DelayFactors(
        **{
            name: _number(value, f"its delay factor {name}", least=1)
            for name, value in fields.items()
        }
    )


def _step(data: object, what: str) -> Step:
    fields = _mapping(data, what)
    _exactly(fields, what, STEP_FIELDS)
    targets = fields["targets"]
    if not isinstance(targets, list):
        raise Malformed(f"{what}: its targets are not a list but {type(targets).__name__}")
    return Step(
        _number(fields["delay_minutes"], f"{what}: its wait"),
        tuple(_target(target, f"{what}, target {i + 1}") for i, target in enumerate(targets)),
    )


def _target(data: object, what: str) -> Target:
    fields = _mapping(data, what)
    _exactly(fields, what, TARGET_FIELDS)
    if fields["kind"] not in TargetKind.values:
        raise Malformed(f"{what}: unknown kind {fields['kind']!r}")
    kind = TargetKind(fields["kind"])
    if kind in NAMED:
        return Target(kind, _number(fields["id"], f"{what}: its {kind.value}", least=1))
    if fields["id"] is not None:
        raise Malformed(f"{what}: a target of kind {kind.value!r} names nobody")
    return Target(kind)


def _mapping(data: object, what: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise Malformed(f"{what} is not an object but {type(data).__name__}")
    return data


def _exactly(data: dict[str, Any], what: str, names: frozenset[str]) -> None:
    """A version's objects hold exactly the fields it writes: none missing, none unknown
    (a field this Backline would ignore could be one that changes whom to page)."""
    if set(data) != names:
        missing, unknown = sorted(names - set(data)), sorted(set(data) - names)
        raise Malformed(f"{what}: missing fields {missing}, unknown fields {unknown}")


def _number(value: object, what: str, least: int = 0) -> int:
    """A whole number of at least ``least`` (JSON's true and false are not numbers)."""
    if type(value) is not int or value < least:
        raise Malformed(f"{what} is not a whole number of at least {least}: {value!r}")
    return value


def rewrite_to_current(requests: QuerySet[Any]) -> list[int]:
    """Rewrite the stored snapshots of ``requests`` that are of an older version in the
    current one (a data migration runs this on every request). Returns the ids of those
    that cannot be read: they are left as they are, and the engine logs each by name
    when it reads one."""
    unreadable: list[int] = []
    rewritten: list[Model] = []
    for request in requests.only("pk", "policy_snapshot").iterator(chunk_size=500):
        try:
            current = parse(request.policy_snapshot).to_json()
        except Unreadable:
            unreadable.append(request.pk)
            continue
        if current != request.policy_snapshot:
            request.policy_snapshot = current
            rewritten.append(request)
    requests.bulk_update(rewritten, ["policy_snapshot"], batch_size=500)
    if unreadable:
        log.warning("policy snapshots left as they were, unreadable: requests %s", unreadable)
    return unreadable
