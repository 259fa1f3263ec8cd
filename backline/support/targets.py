"""Resolving a step's targets to people, at the moment it fires, with the requester's
preferences: exclusions always hold; outside-agency and a specific peer are wishes
that fall back to the team (and say so) when they would leave nobody."""

from __future__ import annotations

from dataclasses import dataclass, field
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


@dataclass
class Team:
    """The active peers (user id → agency id) and coordinators of a region."""

    region_id: int
    peers: dict[int, int | None] = field(default_factory=dict)
    coordinators: set[int] = field(default_factory=set)

    @classmethod
    def of(cls, region_id: int) -> Team:
        team = cls(region_id)
        for user_id, agency_id, role in Membership.objects.filter(
            region_id=region_id, role__in=[Role.PEER, Role.COORDINATOR], user__is_active=True
        ).values_list("user_id", "agency_id", "role"):
            if role == Role.PEER:
                team.peers[user_id] = agency_id
            else:
                team.coordinators.add(user_id)
        return team


def _awake(peer_ids: set[int], on_call: set[int], when: datetime) -> set[int]:
    quiet = {q.user_id: q for q in QuietHours.objects.filter(user_id__in=peer_ids)}
    return {p for p in peer_ids if p in on_call or not resolve.in_quiet_hours(quiet.get(p), when)}


def _raw(team: Team, target: dict[str, Any], when: datetime) -> set[int]:
    kind = target["kind"]
    found: int | None
    if kind == TargetKind.USER:
        return {target["id"]}
    if kind == TargetKind.ROTATION:
        rotation = Rotation.objects.filter(pk=target["id"], region_id=team.region_id).first()
        found = resolve.rotation_on_call(rotation, when) if rotation else None
        return {found} if found else set()
    if kind == TargetKind.SCHEDULE:
        schedule = Schedule.objects.filter(pk=target["id"], region_id=team.region_id).first()
        found = resolve.schedule_on_call(schedule, when) if schedule else None
        return {found} if found else set()
    if kind == TargetKind.ALL_AVAILABLE:
        on_call = resolve.on_call_now(team.region_id, when)
        return _awake(resolve.available(set(team.peers), on_call, when), on_call, when)
    if kind == TargetKind.COORDINATOR:
        return set(team.coordinators)
    raise ValueError(f"unknown target kind {kind!r}")


def for_step(
    request: SupportRequest, step: dict[str, Any], first_page: bool, when: datetime
) -> Resolution:
    team = Team.of(request.region_id)
    peers, coordinators = team.peers, team.coordinators
    never = set(request.excluded_ids) | ({request.requester_id} if request.requester_id else set())

    wanted: set[int] = set()
    for target in step["targets"]:
        wanted |= _raw(team, target, when)
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
    return sorted(Team.of(region_id).coordinators)


def may_take(request: SupportRequest, user_id: int) -> bool:
    """Any active peer of the request's team may take it, except whom the requester
    excluded (and the requester)."""
    if user_id in request.excluded_ids or user_id == request.requester_id:
        return False
    return user_id in Team.of(request.region_id).peers
