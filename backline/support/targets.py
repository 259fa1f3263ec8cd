"""Resolving a step's targets to people, at the moment it fires, with the requester's
preferences: exclusions always hold; outside-agency and a specific peer are wishes
that fall back to the team (and say so) when they would leave nobody."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from backline.accounts.models import Membership
from backline.accounts.roles import Role
from backline.oncall import resolve
from backline.oncall.models import QuietHours, Rotation, Schedule
from backline.support.models import SupportRequest, TargetKind


@dataclass(frozen=True)
class Resolution:
    peer_ids: list[int]
    fell_back: bool = False


def _team(region_id: int, role: Role) -> dict[int, int | None]:
    """Active members of the region with ``role``: user id → their agency id."""
    return dict(
        Membership.objects.filter(region_id=region_id, role=role, user__is_active=True).values_list(
            "user_id", "agency_id"
        )
    )


def _awake(peer_ids: set[int], on_call: set[int], when: datetime) -> set[int]:
    quiet = {q.user_id: q for q in QuietHours.objects.filter(user_id__in=peer_ids)}
    return {p for p in peer_ids if p in on_call or not resolve.in_quiet_hours(quiet.get(p), when)}


def _raw(region_id: int, target: dict[str, Any], when: datetime) -> set[int]:
    kind = target["kind"]
    found: int | None
    if kind == TargetKind.USER:
        return {target["id"]}
    if kind == TargetKind.ROTATION:
        rotation = Rotation.objects.filter(pk=target["id"], region_id=region_id).first()
        found = resolve.rotation_on_call(rotation, when) if rotation else None
        return {found} if found else set()
    if kind == TargetKind.SCHEDULE:
        schedule = Schedule.objects.filter(pk=target["id"], region_id=region_id).first()
        found = resolve.schedule_on_call(schedule, when) if schedule else None
        return {found} if found else set()
    if kind == TargetKind.ALL_AVAILABLE:
        available = resolve.available_now(region_id, when)
        return _awake(available, resolve.on_call_now(region_id, when), when)
    if kind == TargetKind.COORDINATOR:
        return set(_team(region_id, Role.COORDINATOR))
    raise ValueError(f"unknown target kind {kind!r}")


def for_step(
    request: SupportRequest, step: dict[str, Any], first_page: bool, when: datetime
) -> Resolution:
    peers = _team(request.region_id, Role.PEER)
    coordinators = set(_team(request.region_id, Role.COORDINATOR))
    never = set(request.excluded_ids) | ({request.requester_id} if request.requester_id else set())

    wanted: set[int] = set()
    for target in step["targets"]:
        wanted |= _raw(request.region_id, target, when)
    allowed = {p for p in wanted if p in peers or p in coordinators} - never

    if first_page and request.preferred_peer_id:
        if request.preferred_peer_id in peers and request.preferred_peer_id not in never:
            return Resolution([request.preferred_peer_id])
        return Resolution(sorted(allowed), fell_back=True)
    if request.avoid_agency_id:
        outside = {
            p for p in allowed if p in coordinators or peers.get(p) != request.avoid_agency_id
        }
        if allowed and not outside:
            return Resolution(sorted(allowed), fell_back=True)
        allowed = outside
    return Resolution(sorted(allowed))


def coordinators(region_id: int) -> list[int]:
    return sorted(_team(region_id, Role.COORDINATOR))


def may_take(request: SupportRequest, user_id: int) -> bool:
    """Any active peer of the request's team may take it, except whom the requester
    excluded (and the requester)."""
    if user_id in request.excluded_ids or user_id == request.requester_id:
        return False
    return user_id in _team(request.region_id, Role.PEER)
