"""A request after the pages go out: taken, started, closed, cancelled, or reopened
when contact did not start in time. Each change is one conditional update, so when
two peers tap at once exactly one wins."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial

from django.db import InterfaceError, OperationalError, transaction
from django.db.models import F, Q
from django.urls import reverse

from backline.accounts.models import User
from backline.lib import clock
from backline.notify import outbox
from backline.support import messages, targets
from backline.support.escalation import FAILED_RETRY
from backline.support.models import (
    EscalationState,
    Event,
    EventKind,
    Page,
    PageKind,
    RequestStatus,
    SupportRequest,
    group_key_of,
)

log = logging.getLogger(__name__)


class NotAllowed(Exception):
    """This person may not act on this request."""


def _ended(request: SupportRequest, now: datetime) -> dict[str, object]:
    """What a request becomes when it ends: it forgets the note, the number and place
    to reach the requester, and the routing it was paged with; and its taker's
    follow-up window is fixed (a longer window set later never reopens it)."""
    return {
        "closed_at": now,
        "followup_until": now + targets.followup_window(request.region_id),
        "note": "",
        "callback_number": "",
        "place": "",
        "sealed_routing": "",
    }


def start_deadline(request: SupportRequest, coming_in: timedelta) -> timedelta:
    """How long after the take a request not yet started goes back into escalation: the
    policy's time to start, counted after the peer's promise when that is later (a peer
    who said "within 2 days" keeps it for 2 days, and the policy's time besides)."""
    timeout = request.plan.start_timeout
    return timeout if coming_in <= timeout else coming_in + timeout


def acknowledge(
    request: SupportRequest, peer: User, coming_in: timedelta, now: datetime | None = None
) -> bool:
    """Take the request. Returns False when someone else already did (or it ended)."""
    now = now or clock.now()
    if not targets.may_take(request, peer):
        raise NotAllowed
    with transaction.atomic():
        won = SupportRequest.objects.filter(pk=request.pk, status=RequestStatus.OPEN).update(
            status=RequestStatus.ACKNOWLEDGED,
            acknowledged_by=peer,
            acknowledged_at=now,
            coming_by=now + coming_in,
        )
        if not won:
            return False
        EscalationState.objects.filter(request=request).update(
            next_escalation_at=now + start_deadline(request, coming_in)
        )
        outbox.cancel(request.group_key)
        outbox.resolve(request.group_key, messages.resolved_by_you, recipient_id=peer.pk)
        outbox.resolve(request.group_key, messages.resolved_taken)
        Event.objects.create(request=request, at=now, kind=EventKind.ACKNOWLEDGED)
        others = set(
            Page.objects.filter(request=request, kind=PageKind.PEER)
            .exclude(peer=peer)
            .values_list("peer_id", flat=True)
        )
        for other in sorted(others):
            outbox.enqueue(
                other,
                f"{request.group_key}:taken",
                f"{request.group_key}:taken:{now.timestamp()}:{other}",
                messages.taken,
                start_at=now,
                inapp_only=True,
            )
        if request.requester_id:
            outbox.resolve(f"{request.group_key}:requester", messages.resolved_taken)
            path = reverse("support:request", args=[request.public_id])
            outbox.enqueue(
                request.requester_id,
                f"{request.group_key}:requester",
                f"{request.group_key}:coming:{now.timestamp()}",
                partial(messages.peer_coming, path),
                start_at=now,
                inapp_only=True,
            )
    return True


def change_contact(
    request: SupportRequest, contact: str, number: str, place: str, now: datetime | None = None
) -> bool:
    """The requester changes how to be reached while they wait (before contact has
    started); a peer who took the request is told to look again."""
    now = now or clock.now()
    with transaction.atomic():
        changed = SupportRequest.objects.filter(
            pk=request.pk, status__in=[RequestStatus.OPEN, RequestStatus.ACKNOWLEDGED]
        ).update(contact=contact, callback_number=number, place=place)
        taker = (
            SupportRequest.objects.filter(pk=request.pk)
            .values_list("acknowledged_by_id", flat=True)
            .first()
        )
        if changed and taker:
            outbox.enqueue(
                taker,
                f"{request.group_key}:contact",
                f"{request.group_key}:contact:{now.timestamp()}",
                partial(
                    messages.contact_changed, reverse("support:request", args=[request.public_id])
                ),
                start_at=now,
            )
    return bool(changed)


def hold_to_window(region_id: int) -> int:
    """A shorter follow-up window applies at once to the team's requests that already
    ended, and is written down: a longer one set later never reopens them."""
    window = targets.followup_window(region_id)
    return SupportRequest.objects.filter(
        region_id=region_id, followup_until__gt=F("closed_at") + window
    ).update(followup_until=F("closed_at") + window)


def _by_taker(request: SupportRequest, peer: User) -> Q:
    """Only the peer who took the request may start or close it."""
    taker = (
        SupportRequest.objects.filter(pk=request.pk)
        .values_list("acknowledged_by_id", flat=True)
        .first()
    )
    if taker != peer.pk:
        raise NotAllowed
    return Q(pk=request.pk, acknowledged_by=peer)


def start(request: SupportRequest, peer: User, now: datetime | None = None) -> bool:
    now = now or clock.now()
    with transaction.atomic():
        changed = SupportRequest.objects.filter(
            _by_taker(request, peer), status=RequestStatus.ACKNOWLEDGED
        ).update(status=RequestStatus.STARTED, started_at=now)
        if changed:
            EscalationState.objects.filter(request=request).delete()
            Event.objects.create(request=request, at=now, kind=EventKind.STARTED)
    return bool(changed)


def close(request: SupportRequest, peer: User, now: datetime | None = None) -> bool:
    now = now or clock.now()
    with transaction.atomic():
        changed = SupportRequest.objects.filter(
            _by_taker(request, peer),
            status__in=[RequestStatus.ACKNOWLEDGED, RequestStatus.STARTED],
        ).update(status=RequestStatus.CLOSED, **_ended(request, now))
        if changed:
            _stop(request, messages.resolved_ended)
            Event.objects.create(request=request, at=now, kind=EventKind.CLOSED)
    return bool(changed)


def cancel(request: SupportRequest, now: datetime | None = None) -> bool:
    """The requester (signed in, or through their private link) withdraws the request."""
    now = now or clock.now()
    with transaction.atomic():
        taker = (
            SupportRequest.objects.filter(pk=request.pk)
            .values_list("acknowledged_by_id", flat=True)
            .first()
        )
        changed = SupportRequest.objects.filter(
            pk=request.pk,
            status__in=[RequestStatus.OPEN, RequestStatus.ACKNOWLEDGED, RequestStatus.STARTED],
        ).update(status=RequestStatus.CANCELLED, **_ended(request, now))
        if changed:
            _stop(request, messages.resolved_cancelled)
            Event.objects.create(request=request, at=now, kind=EventKind.CANCELLED)
            if taker:
                outbox.enqueue(
                    taker,
                    f"{request.group_key}:cancelled",
                    f"{request.group_key}:cancelled",
                    messages.cancelled,
                    start_at=now,
                    inapp_only=True,
                )
    return bool(changed)


def _stop(request: SupportRequest, resolution: Callable[[], str]) -> None:
    EscalationState.objects.filter(request=request).delete()
    outbox.cancel(request.group_key)
    # what was sent about it, to the peers and to the requester, is over
    for group in (request.group_key, f"{request.group_key}:requester"):
        outbox.resolve(group, resolution)


def reopen_stale(now: datetime | None = None, limit: int = 200) -> int:
    """Requests taken but not started in time go back into escalation, from the top;
    returns how many. Each goes back alone: one that fails (a defect, bad data) is
    logged and tried again a minute later, and the others still go back."""
    now = now or clock.now()
    stale = list(
        EscalationState.objects.filter(
            next_escalation_at__lte=now, request__status=RequestStatus.ACKNOWLEDGED
        )
        .order_by("next_escalation_at")
        .values_list("request_id", "request__acknowledged_by_id")[:limit]
    )
    reopened = 0
    for request_id, taker_id in stale:
        try:
            reopened += _reopen(request_id, taker_id, now)
        except (OperationalError, InterfaceError):
            raise  # the database itself is in trouble: the engine's loop waits and retries
        except Exception:
            log.exception("request %s: reopening failed; trying again shortly", request_id)
            EscalationState.objects.filter(
                request_id=request_id, request__status=RequestStatus.ACKNOWLEDGED
            ).update(next_escalation_at=now + FAILED_RETRY)
    return reopened


def _reopen(request_id: int, taker_id: int, now: datetime) -> int:
    with transaction.atomic():
        changed = SupportRequest.objects.filter(
            pk=request_id, status=RequestStatus.ACKNOWLEDGED
        ).update(
            status=RequestStatus.OPEN,
            acknowledged_by=None,
            acknowledged_at=None,
            coming_by=None,
        )
        if changed:
            # a fresh pass from the first step: a new loop, so its pages are new too
            EscalationState.objects.filter(request_id=request_id).update(
                step_index=0, loop_count=F("loop_count") + 1, next_escalation_at=now
            )
            Event.objects.create(request_id=request_id, at=now, kind=EventKind.REOPENED)
            # "a peer is coming" is no longer true
            outbox.resolve(f"{group_key_of(request_id)}:requester", messages.resolved_reopened)
            # and the peer who took it learns why it left their list
            outbox.enqueue(
                taker_id,
                f"{group_key_of(request_id)}:handed-back",
                f"{group_key_of(request_id)}:handed-back:{now.timestamp()}",
                messages.handed_back,
                start_at=now,
                inapp_only=True,
            )
    return changed
