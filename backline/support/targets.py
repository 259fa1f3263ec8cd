"""Who is paged for a request and who may take it: one rule, used everywhere.

A person may see a request's offer and take it only if Backline paged them for it as
a peer, and only while the requester's wishes allow them:

- never the requester, nor anyone on their exclusion list (even after widening);
- only an active peer of the team whose peer role was granted before the request was
  made, so that a grant never reaches a request already waiting;
- with "a peer outside my agency", nobody of the requester's agency;
- with "a specific peer", only that peer;

the last two until the requester chooses to ask their whole team. Wishes are never
widened silently: when they leave a step with nobody, the available peers they allow
are paged instead, and when there are none the requester is asked what to do.

A request that can wait ("within a few hours", "this week") pages nobody asleep (in
their quiet hours or at night where they live, on call or not): a step whose people
are all asleep waits for the first of them to wake. Who is asleep is decided before
the wishes, so the wait tells nobody whom the requester left out.

A peer on a break is paged by no step (``oncall.breaks``), and a peer already with a
colleague is left out of "all available peers" unless nobody else is available
(``spare_the_busy``; docs/adr/0026-care-for-the-peers.md).

The same ``allows`` decides paging (``for_step``), lists (``offers_for``), the offer
and the take (``may_take``), and whether a taker still sees who asked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import QuerySet

from backline.accounts.models import Membership, User
from backline.accounts.roles import Role
from backline.lib import clock
from backline.oncall import breaks, resolve, waking
from backline.oncall.models import Schedule
from backline.support import snapshot
from backline.support.models import (
    BUSY_STATUSES,
    FOLLOWUP_DAYS_DEFAULT,
    FOLLOWUP_DAYS_MAX,
    RequestStatus,
    SupportRequest,
    TargetKind,
    TeamSettings,
    Urgency,
)


@dataclass(frozen=True)
class Seat:
    """A peer's place in the team: every agency they work at (whatever the role), and
    since when they are a peer."""

    agency_ids: frozenset[int]
    since: datetime


@dataclass(frozen=True)
class Resolution:
    peer_ids: list[int]
    coordinator_ids: list[int] = field(default_factory=list)
    # the step had peers to page, and the requester's wishes or exclusions (or the
    # requester being one of them) left none
    ruled_out: bool = False
    # the wishes kept this step from someone, and it pages nobody new: the requester is
    # asked whether to keep waiting
    narrowed: bool = False
    # the request can wait and every peer of the step is asleep: it pages nobody now,
    # and is due again at this moment, when the first of them wakes
    wakes_at: datetime | None = None


@dataclass
class Team:
    """The active peers and coordinators of a region."""

    region_id: int
    peers: dict[int, Seat] = field(default_factory=dict)
    coordinators: set[int] = field(default_factory=set)

    @classmethod
    def of(cls, region_id: int) -> Team:
        team = cls(region_id)
        agencies: dict[int, set[int]] = {}
        since: dict[int, datetime] = {}
        for user_id, agency_id, role, created_at in Membership.objects.filter(
            region_id=region_id, user__is_active=True
        ).values_list("user_id", "agency_id", "role", "created_at"):
            if agency_id is not None:
                agencies.setdefault(user_id, set()).add(agency_id)
            if role == Role.PEER:
                since[user_id] = created_at
            elif role == Role.COORDINATOR:
                team.coordinators.add(user_id)
        team.peers = {
            user_id: Seat(frozenset(agencies.get(user_id, ())), granted)
            for user_id, granted in since.items()
        }
        return team

    def available(self, when: datetime, can_wait: bool) -> set[int]:
        """The team's peers who may be paged at ``when`` for being available: on call or
        "available now", under the rule of ``waking.available``."""
        return waking.available(self.region_id, set(self.peers), when, can_wait=can_wait)


def _never(request: SupportRequest) -> set[int]:
    """Who is never paged for this request nor takes it, whatever is widened."""
    requester = {request.requester_id} if request.requester_id else set()
    return set(request.routing.excluded_ids) | requester


def allows(request: SupportRequest, team: Team, user_id: int) -> bool:
    """Whether the requester's wishes, as they stand, allow this person as their peer."""
    seat = team.peers.get(user_id)
    if seat is None or seat.since > request.requested_at or user_id in _never(request):
        return False
    if not request.wishes_hold:
        return True
    if request.preferred_peer_id and user_id != request.preferred_peer_id:
        return False
    return not (seat.agency_ids & request.routing.avoid_agency_ids)


def _raw(team: Team, target: snapshot.Target, when: datetime, can_wait: bool) -> set[int]:
    kind, named = target.kind, target.id
    found: int | None
    if kind == TargetKind.ALL_AVAILABLE:
        return team.available(when, can_wait)
    if kind == TargetKind.USER and named:
        return {named}
    if kind == TargetKind.ROTATION and named:
        found = resolve.on_call_in(team.region_id, when, [named]).get(named)
        return {found} if found else set()
    if kind == TargetKind.SCHEDULE and named:
        schedule = Schedule.objects.filter(pk=named, region_id=team.region_id).first()
        found = resolve.schedule_on_call(schedule, when) if schedule else None
        return {found} if found else set()
    raise ValueError(f"nobody to find for the target {target!r}")


def for_step(
    request: SupportRequest, step: snapshot.Step, when: datetime, paged_this_pass: set[int]
) -> Resolution:
    """The peers to page and the coordinators to alert when ``step`` fires.

    A step's peers are narrowed by the wishes; when that leaves nobody, the peers the
    wishes allow are paged instead (the specific peer, or the available peers outside
    the agency) unless this pass already paged them. For a request that can wait,
    whoever is asleep is left out first; when that is everyone, the step waits.
    """
    team = Team.of(request.region_id)
    can_wait = request.urgency != Urgency.NOW
    wanted: set[int] = set()
    alerted: set[int] = set()
    named: set[int] = set()  # found by a rotation, a schedule or by name
    for target in step.targets:
        if target.kind == TargetKind.COORDINATOR:
            alerted |= team.coordinators
        else:
            found = _raw(team, target, when, can_wait)
            wanted |= found & set(team.peers)
            if target.kind != TargetKind.ALL_AVAILABLE:
                named |= found
            # a coordinator named in a step, without the peer role, organizes help
            alerted |= (found & team.coordinators) - set(team.peers)
    # a peer on a break is paged by no step: for the step, as if nobody were on call
    wanted -= breaks.unavailable(wanted, when)
    if can_wait and wanted:
        # before the wishes: the wait is the same whomever the requester left out
        rests = waking.rests(wanted)
        awake = {p for p in wanted if not rests[p].asleep(when)}
        wakes_at = None if awake else waking.earliest_waking(rests.values(), when)
        if wakes_at is not None:
            return Resolution([], wakes_at=wakes_at)
        wanted = awake
    peers = {p for p in wanted if allows(request, team, p)}
    narrowed_here = request.wishes_hold and bool(wanted - peers)
    peers = spare_the_busy(request, peers, peers - named)
    if not peers and wanted and request.wishes_hold:
        if request.preferred_peer_id:
            instead = {request.preferred_peer_id}
        else:
            instead = team.available(when, can_wait)
        peers = {p for p in instead if allows(request, team, p)} - paged_this_pass
        if can_wait:
            peers = waking.awake(peers, when)
        if not request.preferred_peer_id:
            peers = spare_the_busy(request, peers, peers)
    return Resolution(
        sorted(peers),
        sorted(alerted),
        ruled_out=bool(wanted) and not peers,
        # the wishes kept this step from someone, and nobody it still pages is new
        narrowed=narrowed_here and not peers - paged_this_pass,
    )


def spare_the_busy(request: SupportRequest, peers: set[int], only_available: set[int]) -> set[int]:
    """Busy peers are not rung first: of ``peers``, those found only for being available
    (``only_available``) who are with a colleague already (a request they took, not yet
    closed) are left out, unless that leaves nobody to page (one query)."""
    if not only_available:
        return peers
    busy = set(
        SupportRequest.objects.filter(
            status__in=BUSY_STATUSES, acknowledged_by_id__in=only_available
        )
        .exclude(pk=request.pk)
        .values_list("acknowledged_by_id", flat=True)
    )
    return peers - busy or peers


def available_for(request: SupportRequest, when: datetime) -> list[int]:
    """The available peers the requester's wishes allow, as they stand: whom a
    coordinator's "page again" reaches. For a request that can wait, nobody asleep."""
    team = Team.of(request.region_id)
    can_wait = request.urgency != Urgency.NOW
    peers = {p for p in team.available(when, can_wait) if allows(request, team, p)}
    return sorted(waking.awake(peers, when) if can_wait else peers)


def coordinators(request: SupportRequest) -> list[int]:
    """Whom to alert when a request goes unanswered: every coordinator of the team.
    An alert names nobody and offers nothing to take, so it goes to coordinators the
    requester excluded too: leaving them out would make the last step silent, and
    their "Team requests" counts would show them that they were excluded."""
    return sorted(Team.of(request.region_id).coordinators)


def may_take(request: SupportRequest, user: User) -> bool:
    """Whether ``user`` may see this request's offer and take it."""
    if not SupportRequest.objects.paged_to(user).filter(pk=request.pk).exists():
        return False
    return allows(request, Team.of(request.region_id), user.pk)


def offers_for(user: User) -> list[SupportRequest]:
    """The waiting requests ``user`` may take, oldest first."""
    waiting = list(
        SupportRequest.objects.paged_to(user)
        .filter(status=RequestStatus.OPEN)
        .order_by("requested_at")
    )
    teams = {region_id: Team.of(region_id) for region_id in {r.region_id for r in waiting}}
    return [r for r in waiting if allows(r, teams[r.region_id], user.pk)]


def taken_by(user: User) -> QuerySet[SupportRequest]:
    """The requests ``user`` took that have not ended, oldest first."""
    return SupportRequest.objects.active().filter(acknowledged_by=user).order_by("acknowledged_at")


def followup_window(region_id: int) -> timedelta:
    """How long after a request ends its taker still sees who asked."""
    try:
        days = (
            TeamSettings.objects.filter(region_id=region_id)
            .values_list("followup_days", flat=True)
            .first()
        )
    except (TypeError, ValueError):  # a value the database gives back but cannot convert
        return timedelta(0)
    return window_of(FOLLOWUP_DAYS_DEFAULT if days is None else days)


def window_of(days: object) -> timedelta:
    """Fails closed: a setting that is not a whole number of days from 0 to 30 means
    no window at all."""
    if type(days) is not int or not 0 <= days <= FOLLOWUP_DAYS_MAX:
        return timedelta(0)
    return timedelta(days=days)


def taker_sees_requester(request: SupportRequest, user: User, now: datetime | None = None) -> bool:
    """The taker sees who asked while the request is active and for the team's
    follow-up window after it ends, and only while they are still a peer of the team."""
    if request.acknowledged_by_id != user.pk:
        return False
    if user.pk not in Team.of(request.region_id).peers:
        return False
    if request.is_active:
        return True
    now = now or clock.now()
    ended = request.closed_at or now
    # the window it ended with, or a shorter one set since: never a longer one
    until = min(request.followup_until or ended, ended + followup_window(request.region_id))
    return now < until
