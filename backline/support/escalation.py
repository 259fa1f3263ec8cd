"""Starting a request and moving its escalation forward.

State lives in ``EscalationState`` rows; ``escalate_due`` (called by the engine each
tick) re-reads them, so a restart resumes exactly where it stopped. Steps with nobody
on call are skipped at once and recorded; a step the requester's wishes emptied waits
its delay, so that timing tells nobody. When every step has passed unanswered the coordinator is
alerted and the requester is shown 24/7 alternatives, and the team keeps trying. A
coordinator may page the available peers again at any time (``page_again``).

Urgency sets the pace (docs/adr/0011-urgency.md): "now" pages at once at any hour; a
request that can wait waits for its peers' waking hours, alerts each coordinator only
after their night, and each step waits the policy's slower clock times its own wait.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from functools import partial

from django.db import IntegrityError, InterfaceError, OperationalError, connection, transaction
from django.db.models import Min
from django.urls import reverse

from backline.accounts.models import Region, User
from backline.lib import clock, tokens
from backline.notify import languages, outbox, wake
from backline.notify.languages import Words
from backline.notify.models import OutgoingMessage
from backline.oncall import waking
from backline.support import messages, snapshot, targets
from backline.support.models import (
    EscalationState,
    Event,
    EventKind,
    Exclusion,
    Page,
    PageKind,
    RequestStatus,
    Routing,
    SupportRequest,
    Urgency,
)

log = logging.getLogger(__name__)

EMPTY_POLICY_RETRY = timedelta(minutes=1)
FAILED_RETRY = timedelta(minutes=1)
MAX_STEPS_PER_TICK = 100
CHUNK = 20
REPAGE_WINDOW = timedelta(minutes=2)


class AlreadyOpen(Exception):
    """The person already has a request that is not closed."""


class AlreadySent(Exception):
    """This Reach out form was sent already (a double tap, a reload): here is what it
    sent, and for an anonymous request its follow token again."""

    def __init__(self, request: SupportRequest, follow_token: str | None) -> None:
        super().__init__(request.pk)
        self.request = request
        self.follow_token = follow_token


@dataclass(frozen=True)
class Ask:
    """What the requester chose on the Reach out page."""

    urgency: str
    contact: str
    anonymous: bool = False
    outside_agency: bool = False
    preferred_peer: User | None = None
    note: str = ""
    callback_number: str = ""
    place: str = ""
    # the Reach out form's own token; empty when the request does not come from a form
    once: str = ""


def _sending(requester: User, ask: Ask) -> tuple[str | None, str | None]:
    """What identifies this sending of this form by this person (its digest is kept),
    and the follow token an anonymous request gets from it: sending the same form again
    finds the same request and the same link, and nobody else's form can."""
    if not ask.once:
        return None, tokens.new_token() if ask.anonymous else None
    sending = tokens.digest(tokens.keyed("form", requester.pk, ask.once))
    follow = tokens.keyed("follow", requester.pk, ask.once) if ask.anonymous else None
    return sending, follow


def reach_out(
    requester: User, region: Region, ask: Ask, now: datetime | None = None
) -> tuple[SupportRequest, str | None]:
    """Create the request with its escalation due at once, in one transaction, and wake
    the engine, which pages its first step (docs/adr/0023-the-engine-pages-the-first-step.md).

    Returns the request and, for an anonymous one, the private follow token. Raises
    ``snapshot.Unreadable`` when its policy snapshot cannot be read back: nothing is
    written then.
    """
    now = now or clock.now()
    sending, follow_token = _sending(requester, ask)
    plan = snapshot.of_default(region)
    never = set(Exclusion.objects.filter(owner=requester).values_list("excluded_id", flat=True))
    if ask.anonymous:
        never.add(requester.pk)  # sealed: a peer asking anonymously is not paged for it
    avoided = (
        {m.agency_id for m in requester.all_memberships if m.agency_id}
        if ask.outside_agency
        else set()
    )
    routing = Routing(frozenset(avoided), frozenset(never))
    try:
        with transaction.atomic():
            request = SupportRequest.objects.create(
                region=region,
                requester=None if ask.anonymous else requester,
                anonymous=ask.anonymous,
                follow_token_digest=tokens.digest(follow_token) if follow_token else None,
                urgency=ask.urgency,
                contact=ask.contact,
                sealed_routing=routing.dumps(),
                preferred_peer=ask.preferred_peer,
                note=ask.note,
                callback_number=ask.callback_number,
                place=ask.place,
                form_token_digest=sending,
                policy_snapshot=plan.to_json(),
                requested_at=now,
            )
            EscalationState.objects.create(request=request, next_escalation_at=now)
            transaction.on_commit(wake.notify_engine)
    except IntegrityError as exc:
        earlier = sending and SupportRequest.objects.filter(form_token_digest=sending).first()
        if earlier:
            raise AlreadySent(earlier, follow_token) from exc
        if SupportRequest.objects.active().filter(requester=requester).exists():
            raise AlreadyOpen from exc
        raise
    return request, follow_token


def escalate_due(now: datetime | None = None, limit: int = 200) -> int:
    """Advance every open request whose next escalation is due; returns how many.

    Due requests are taken ``CHUNK`` at a time, each chunk in one transaction that
    locks their rows (skipping those another engine holds): an acknowledgement waits
    for the chunk, then wins, and cancels whatever the chunk had queued.
    """
    now = now or clock.now()
    done = 0
    while done < limit:
        with transaction.atomic():
            states = _claim_due(now, min(CHUNK, limit - done))
            for state in states:
                _escalate_alone(state, now)
        if not states:
            break
        done += len(states)
    return done


def _escalate_alone(state: EscalationState, now: datetime) -> None:
    """Escalate one request in a savepoint: should it fail (a defect, bad data), the
    others of the chunk still go out, and it is tried again a minute later."""
    try:
        with transaction.atomic():
            escalate(state.request, state, now)
    except (OperationalError, InterfaceError):
        raise  # the database itself is in trouble: the engine's loop waits and retries
    except Exception:
        log.exception("request %s: escalation failed; trying again shortly", state.pk)
        EscalationState.objects.filter(pk=state.pk).update(next_escalation_at=now + FAILED_RETRY)


def next_due() -> datetime | None:
    """When the earliest step (or timeout of an acknowledgement) falls due."""
    live = [RequestStatus.OPEN, RequestStatus.ACKNOWLEDGED]
    earliest: datetime | None = EscalationState.objects.filter(request__status__in=live).aggregate(
        at=Min("next_escalation_at")
    )["at"]
    return earliest


def _claim_due(now: datetime, size: int) -> list[EscalationState]:
    due = (
        EscalationState.objects.filter(
            next_escalation_at__lte=now, request__status=RequestStatus.OPEN
        )
        .select_related("request")
        .order_by("next_escalation_at")
    )
    if connection.features.has_select_for_update_skip_locked:
        due = due.select_for_update(skip_locked=True, of=("self", "request"))
    return list(due[:size])


def escalate(request: SupportRequest, state: EscalationState, now: datetime) -> None:
    """Fire every step that is due, skipping empty ones, then save the state."""
    plan = request.plan
    steps = plan.steps
    just_paged: set[int] | None = None  # whom this pass paged, once read
    for _ in range(MAX_STEPS_PER_TICK):
        if state.next_escalation_at > now:
            break
        if state.step_index >= len(steps):  # a whole pass is over, unanswered
            empty_pass = not Page.objects.filter(
                request=request, loop_count=state.loop_count
            ).exists()
            if request.exhausted_at is None and (empty_pass or state.loop_count >= plan.repeat):
                _exhaust(request, now)
            state.loop_count += 1
            state.step_index = 0
            just_paged = None  # a new pass: read what it paged, as for any request
            if empty_pass:  # nobody to page at all: look again shortly, not in a tight loop
                state.next_escalation_at = now + EMPTY_POLICY_RETRY
            continue
        step = steps[state.step_index]
        if just_paged is None:
            just_paged = set(
                Page.objects.filter(
                    request=request, loop_count=state.loop_count, kind=PageKind.PEER
                ).values_list("peer_id", flat=True)
            )
        resolution = targets.for_step(request, step, now, just_paged)
        state.waiting_for_waking = resolution.wakes_at is not None
        if resolution.wakes_at is not None:
            # everyone the step pages is asleep, and the request can wait for them
            state.next_escalation_at = resolution.wakes_at
            continue
        if resolution.narrowed:
            _narrowed(request, state.step_index, now)
        if resolution.peer_ids:
            _page(request, resolution.peer_ids, state, now)
            just_paged.update(resolution.peer_ids)
        if resolution.coordinator_ids:
            _alert(request, resolution.coordinator_ids, state, now)
        if not (resolution.peer_ids or resolution.coordinator_ids):
            Event.objects.create(
                request=request, at=now, kind=EventKind.SKIPPED, step_index=state.step_index
            )
        if resolution.peer_ids or resolution.coordinator_ids or resolution.ruled_out:
            # counted from when the step was due, so a late tick does not push the
            # whole escalation later. A step the requester's wishes emptied waits like
            # any other: skipping it at once would tell the next step's people, by
            # the moment they are paged, that someone was left out.
            state.next_escalation_at += plan.delay(step, request.urgency)
        # nothing is logged per step: beside the on-call schedule, even "nobody paged"
        # would tell whom the requester left out (the request's own events keep it)
        state.step_index += 1
    state.save(
        update_fields=["step_index", "loop_count", "next_escalation_at", "waiting_for_waking"]
    )


def _pages(
    request: SupportRequest,
    kind: PageKind,
    recipient_ids: list[int],
    state: EscalationState,
    now: datetime,
    step_index: int | None,
) -> list[Page]:
    return Page.objects.bulk_create(
        [
            Page(
                request=request,
                peer_id=recipient_id,
                kind=kind,
                step_index=step_index,
                loop_count=state.loop_count,
                paged_at=now,
            )
            for recipient_id in recipient_ids
        ]
    )


def _page(
    request: SupportRequest,
    peer_ids: list[int],
    state: EscalationState,
    now: datetime,
    again: bool = False,
) -> int:
    """Page peers for the step due, or (``again``) because a coordinator asked, outside
    the steps; returns how many were paged."""
    step_index = None if again else state.step_index
    pages = _pages(request, PageKind.PEER, peer_ids, state, now, step_index)
    moment = f"again:{now.timestamp()}" if again else f"step{step_index}:loop{state.loop_count}"
    outbox.enqueue_many(
        [(page.peer_id, partial(messages.page, page.link_id, request.urgency)) for page in pages],
        request.group_key,
        f"{request.group_key}:{moment}",
        start_at=now,
        until_cancelled=True,  # taking the request, or its end, cancels the group
    )
    kind = EventKind.REPAGED if again else EventKind.PAGED
    Event.objects.create(
        request=request, at=now, kind=kind, step_index=step_index, count=len(pages)
    )
    return len(pages)


def _alert(
    request: SupportRequest, coordinator_ids: list[int], state: EscalationState, now: datetime
) -> None:
    """A coordinator step: the coordinators organize help; they are not offered the
    request (only a peer who was paged may take it)."""
    pages = _pages(request, PageKind.COORDINATOR, coordinator_ids, state, now, state.step_index)
    _to_coordinators(
        request,
        {page.peer_id: partial(messages.organize, page.link_id, request.urgency) for page in pages},
        request.group_key,  # in the request's group: taking it cancels what is pending
        f"{request.group_key}:alert:step{state.step_index}:loop{state.loop_count}",
        now,
    )
    Event.objects.create(
        request=request,
        at=now,
        kind=EventKind.ALERTED,
        step_index=state.step_index,
        count=len(coordinator_ids),
    )


def _narrowed(request: SupportRequest, step_index: int, now: datetime) -> None:
    """The wishes left a step with nobody: the first time, the requester is told and
    asked what they would like (on their page, and in-app when signed in)."""
    Event.objects.create(request=request, at=now, kind=EventKind.NARROWED, step_index=step_index)
    if request.narrowed_at is not None:
        return
    request.narrowed_at = now
    request.save(update_fields=["narrowed_at"])
    if request.requester_id:
        outbox.enqueue(
            request.requester_id,
            f"{request.group_key}:requester",
            f"{request.group_key}:narrowed",
            partial(
                messages.wishes_left_nobody, reverse("support:request", args=[request.public_id])
            ),
            start_at=now,
            inapp_only=True,
        )


def widen(request: SupportRequest, now: datetime | None = None) -> bool:
    """The requester asks their whole team: the wishes for an outside or a specific
    peer stop narrowing (exclusions still hold) and a new pass starts at once."""
    now = now or clock.now()
    if not SupportRequest.objects.get(pk=request.pk).wishes_hold:
        return False  # nothing to widen: no new pass, so a tap cannot page the team again
    with transaction.atomic():
        changed = SupportRequest.objects.filter(
            pk=request.pk, status=RequestStatus.OPEN, widened_at__isnull=True
        ).update(widened_at=now)
        if not changed:
            return False
        Event.objects.create(request=request, at=now, kind=EventKind.WIDENED)
        state = EscalationState.objects.select_related("request").get(request=request)
        state.step_index = 0
        state.loop_count += 1
        state.next_escalation_at = now
        escalate(state.request, state, now)
    return True


def keep_waiting(request: SupportRequest, now: datetime | None = None) -> bool:
    """The requester keeps their wishes: Backline goes on paging only whom they allow."""
    return bool(
        SupportRequest.objects.filter(pk=request.pk, status=RequestStatus.OPEN).update(
            kept_waiting_at=now or clock.now()
        )
    )


class Again(Enum):
    """What came of a coordinator's "page all available peers again"."""

    PAGED = "paged"
    NOBODY = "nobody"  # nobody could be paged right now (never says why)
    JUST_DONE = "just done"  # within REPAGE_WINDOW of the last time: a double tap
    OVER = "over"  # taken, or ended


def page_again(request: SupportRequest, now: datetime | None = None) -> Again:
    """A coordinator pages every available peer the requester's wishes allow, at once and
    outside the steps; the escalation goes on as it was. Exclusions always hold, and
    whom the wishes rule out is simply not paged: nothing here counts or names them.

    The request's row is locked, so that a take and this, or two taps, happen one after
    the other: once taken or ended it pages nobody, and a second tap within
    ``REPAGE_WINDOW`` pages nobody twice."""
    now = now or clock.now()
    with transaction.atomic():
        locked = (
            SupportRequest.objects.select_for_update()
            .filter(pk=request.pk, status=RequestStatus.OPEN)
            .first()
        )
        if locked is None:
            return Again.OVER
        recent = Event.objects.filter(
            request=locked, kind=EventKind.REPAGED, at__gt=now - REPAGE_WINDOW
        )
        if recent.exists():
            return Again.JUST_DONE
        state = EscalationState.objects.get(request=locked)
        paged = _page(locked, targets.available_for(locked, now), state, now, again=True)
    return Again.PAGED if paged else Again.NOBODY


def _exhaust(request: SupportRequest, now: datetime) -> None:
    request.exhausted_at = now
    request.save(update_fields=["exhausted_at"])
    coordinators = targets.coordinators(request)
    unanswered = partial(messages.unanswered, request.public_id, request.urgency)
    _to_coordinators(
        request,
        dict.fromkeys(coordinators, unanswered),
        request.group_key,  # taking the request cancels it if it still waits for the morning
        f"{request.group_key}:exhausted",
        now,
    )
    Event.objects.create(request=request, at=now, kind=EventKind.EXHAUSTED, count=len(coordinators))
    log.error(
        "request %s: every step passed unanswered; %s coordinator(s) alerted",
        request.pk,
        len(coordinators),
    )


def _to_coordinators(
    request: SupportRequest,
    words_to: dict[int, Words[outbox.Message]],
    group_key: str,
    event_key: str,
    now: datetime,
) -> None:
    """Tell coordinators (each their message, of one subject, in their language): at
    once for a request "now"; for one that can wait, each when they wake (after their
    night and quiet hours), and only once however many passes go by meanwhile: one held
    copy of a message waits for each."""
    message_to = dict(languages.written(list(words_to.items())))
    coordinator_ids = list(message_to)
    starts: dict[datetime, list[int]] = defaultdict(list)
    if request.urgency == Urgency.NOW:
        starts[now] = coordinator_ids
    elif coordinator_ids:
        held = set(
            OutgoingMessage.objects.filter(
                group_key=group_key,
                recipient_id__in=coordinator_ids,
                subject__in={message.subject for message in message_to.values()},
                created_at__gte=now,
            ).values_list("recipient_id", flat=True)
        )
        for coordinator_id, rest in sorted(waking.rests(coordinator_ids).items()):
            if coordinator_id not in held:
                starts[rest.wakes_at(now) or rest.morning(now)].append(coordinator_id)
    for start_at, recipients in starts.items():
        outbox.enqueue_many(
            [(recipient, message_to[recipient]) for recipient in recipients],
            group_key,
            event_key,
            start_at,
            until_cancelled=group_key == request.group_key,
        )
