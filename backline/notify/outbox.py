"""The outbox: record first, then send with a deadline, retry, fall back.

``enqueue`` writes messages in the caller's transaction (so a page exists the moment
its cause does) and wakes the engine after commit. ``process`` is called by the
engine: it claims due messages (``SKIP LOCKED`` on PostgreSQL, so several engines
never take the same row), sends them outside any transaction, and records each outcome.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q

from backline.lib import clock
from backline.notify import wake
from backline.notify.models import (
    Channel,
    ContactMethod,
    NotificationRule,
    OutgoingMessage,
    Status,
)
from backline.notify.registry import transport_for
from backline.notify.transport import TransportError

log = logging.getLogger(__name__)

ATTEMPTS_PER_METHOD = 3
BACKOFF = (timedelta(seconds=5), timedelta(seconds=20), timedelta(seconds=60))
BATCH = 100
SENDERS = 8


@dataclass(frozen=True)
class Message:
    """What to say; lock-screen safe: no names, no notes, no call details."""

    subject: str
    body: str
    link: str = ""


def enqueue(
    recipient_id: int,
    group_key: str,
    event_key: str,
    message: Message,
    start_at: datetime | None = None,
    inapp_only: bool = False,
) -> list[OutgoingMessage]:
    """One in-app message now, plus (unless ``inapp_only``) one message per notification
    rule of the recipient (every verified method at once when they set no rules)."""
    start = start_at or clock.now()
    rows = [
        OutgoingMessage(
            recipient_id=recipient_id,
            channel=Channel.INAPP,
            group_key=group_key,
            idempotency_key=f"{event_key}:{recipient_id}:inapp",
            subject=message.subject,
            body=message.body,
            link=message.link,
            status=Status.SENT,
            sent_at=start,
            created_at=start,
            next_attempt_at=start,
        )
    ]
    for method, delay in [] if inapp_only else _plan(recipient_id):
        rows.append(
            OutgoingMessage(
                recipient_id=recipient_id,
                channel=method.channel,
                contact_method=method,
                group_key=group_key,
                idempotency_key=f"{event_key}:{recipient_id}:{method.pk}:{delay}",
                subject=message.subject,
                body=message.body,
                link=message.link,
                created_at=start,
                next_attempt_at=start + timedelta(minutes=delay),
            )
        )
    created = OutgoingMessage.objects.bulk_create(rows, ignore_conflicts=True)
    transaction.on_commit(wake.notify_engine)
    return created


def _plan(recipient_id: int) -> list[tuple[ContactMethod, int]]:
    rules = list(
        NotificationRule.objects.filter(
            user_id=recipient_id,
            contact_method__verified_at__isnull=False,
            contact_method__disabled=False,
        ).select_related("contact_method")
    )
    if rules:
        return [(rule.contact_method, rule.delay_minutes) for rule in rules]
    return [(method, 0) for method in ContactMethod.objects.usable().filter(user_id=recipient_id)]


def cancel(group_key: str) -> int:
    """Stop what has not been sent yet for ``group_key`` (e.g. the request was taken)."""
    return OutgoingMessage.objects.filter(group_key=group_key, status=Status.PENDING).update(
        status=Status.CANCELLED
    )


def process(now: datetime | None = None, limit: int = BATCH) -> int:
    """Send what is due; returns how many messages were attempted."""
    now = now or clock.now()
    claimed = _claim(now, limit)
    if not claimed:
        return 0
    addresses = {m.pk: m.contact_method.value for m in claimed if m.contact_method}
    if len(claimed) == 1:
        outcomes = [_attempt(claimed[0], addresses.get(claimed[0].pk, ""))]
    else:
        with ThreadPoolExecutor(max_workers=min(SENDERS, len(claimed))) as pool:
            outcomes = list(pool.map(lambda m: _attempt(m, addresses.get(m.pk, "")), claimed))
    for message, outcome in zip(claimed, outcomes, strict=True):
        _record(message, outcome, clock.now())
    return len(claimed)


def _claim(now: datetime, limit: int) -> list[OutgoingMessage]:
    """Mark due rows as sending, with a deadline, in one short transaction.

    A row still "sending" after its deadline was being sent by an engine that died:
    it is due again.
    """
    due = Q(status=Status.PENDING, next_attempt_at__lte=now) | Q(
        status=Status.SENDING, sending_deadline__lt=now
    )
    with transaction.atomic():
        candidates = OutgoingMessage.objects.filter(due).order_by("next_attempt_at")
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True, of=("self",))
        ids = list(candidates.values_list("pk", flat=True)[:limit])
        if not ids:
            return []
        OutgoingMessage.objects.filter(pk__in=ids).update(
            status=Status.SENDING,
            sending_deadline=now + timedelta(seconds=settings.BACKLINE_SENDING_DEADLINE_SECONDS),
            attempts=F("attempts") + 1,
        )
    return list(OutgoingMessage.objects.filter(pk__in=ids).select_related("contact_method"))


@dataclass(frozen=True)
class Outcome:
    provider_id: str = ""
    error: TransportError | None = None


def _attempt(message: OutgoingMessage, address: str) -> Outcome:
    try:
        return Outcome(provider_id=transport_for(message.channel).send(message, address))
    except TransportError as error:
        log.warning("message %s on %s failed: %s", message.pk, message.channel, error)
        return Outcome(error=error)
    except Exception as exc:  # a transport bug must not stop the outbox
        log.exception("message %s: transport crashed", message.pk)
        return Outcome(error=TransportError(f"transport crashed: {exc!r}"))


def _record(message: OutgoingMessage, outcome: Outcome, now: datetime) -> None:
    mine = OutgoingMessage.objects.filter(pk=message.pk, status=Status.SENDING)
    if outcome.error is None:
        mine.update(
            status=Status.SENT,
            provider_id=outcome.provider_id[:120],
            sent_at=now,
            sending_deadline=None,
            last_error="",
        )
        return
    reason = str(outcome.error)[:500]
    if outcome.error.retryable and message.attempts < ATTEMPTS_PER_METHOD:
        backoff = BACKOFF[min(message.attempts, len(BACKOFF)) - 1]
        mine.update(
            status=Status.PENDING,
            next_attempt_at=now + backoff,
            sending_deadline=None,
            last_error=reason,
        )
        return
    with transaction.atomic():
        if mine.update(status=Status.FAILED, sending_deadline=None, last_error=reason):
            fail_over(message, now)


def fail_over(message: OutgoingMessage, now: datetime) -> OutgoingMessage | None:
    """After a method has failed for good, try the recipient's next unused method."""
    tried = set(
        OutgoingMessage.objects.filter(
            recipient_id=message.recipient_id,
            group_key=message.group_key,
            contact_method__isnull=False,
        ).values_list("contact_method_id", flat=True)
    )
    following = (
        ContactMethod.objects.usable()
        .filter(user_id=message.recipient_id)
        .exclude(pk__in=tried)
        .order_by("created_at")
        .first()
    )
    if following is None:
        log.error(
            "message %s: no contact method left for recipient %s", message.pk, message.recipient_id
        )
        return None
    fallback = OutgoingMessage.objects.create(
        recipient_id=message.recipient_id,
        channel=following.channel,
        contact_method=following,
        group_key=message.group_key,
        idempotency_key=f"{message.idempotency_key}:then:{following.pk}"[:120],
        subject=message.subject,
        body=message.body,
        link=message.link,
        fallback_of=message,
        created_at=now,
        next_attempt_at=now,
    )
    transaction.on_commit(wake.notify_engine)
    return fallback
