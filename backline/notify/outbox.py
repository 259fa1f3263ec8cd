"""The outbox: record first, then send with a deadline, retry, fall back.

``enqueue`` writes messages in the caller's transaction (so a page exists the moment
its cause does) and wakes the engine after commit. ``process`` is called by the
engine: it claims due messages (``SKIP LOCKED`` on PostgreSQL, so several engines
never take the same row), sends them outside any transaction, and records each outcome.

A claim is never bigger than what the senders can finish before the sending deadline:
a row that stays "sending" past its deadline belongs to an engine that died, and is
sent again by the next one. A row that keeps dying that way is failed over after
``ATTEMPTS_PER_METHOD`` tries, so that one poisonous message cannot stall a page.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, F, Min, Q, TextField, Value, When
from django.db.models.functions import Cast

from backline.lib import clock, crypto
from backline.lib.fields import SealedTextField
from backline.notify import wake
from backline.notify.models import (
    Channel,
    ContactMethod,
    NotificationRule,
    OutgoingMessage,
    Status,
)
from backline.notify.registry import transport_for
from backline.notify.sms import replies
from backline.notify.transport import TransportError

log = logging.getLogger(__name__)

ATTEMPTS_PER_METHOD = 3
BACKOFF = (timedelta(seconds=5), timedelta(seconds=20), timedelta(seconds=60))
BATCH = 100
SENDERS = 8
KEY_LENGTH = 120


def sending_deadline() -> timedelta:
    """How long a claimed message may stay "sending" before another engine takes it.

    Longer than any transport's own timeout (10 seconds), so a slow provider does not
    cause a second copy.
    """
    return timedelta(seconds=settings.BACKLINE_SENDING_DEADLINE_SECONDS)


@dataclass(frozen=True)
class Message:
    """What to say; lock-screen safe: no names, no notes, no call details. ``action``
    names what a tap or a reply does (``notify.actions``), e.g. ``take:<link id>``."""

    subject: str
    body: str
    link: str = ""
    action: str = ""


def _key(raw: str) -> str:
    """An idempotency key that fits its column, still unique when it had to be cut."""
    if len(raw) <= KEY_LENGTH:
        return raw
    return f"{raw[: KEY_LENGTH - 41]}#{hashlib.sha256(raw.encode()).hexdigest()[:40]}"


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
    return enqueue_many([(recipient_id, message)], group_key, event_key, start_at, inapp_only)


def enqueue_many(
    messages: Sequence[tuple[int, Message]],
    group_key: str,
    event_key: str,
    start_at: datetime | None = None,
    inapp_only: bool = False,
) -> list[OutgoingMessage]:
    """``enqueue`` for several (recipient, message) pairs of one event, planned with
    two queries and written with one."""
    start = start_at or clock.now()
    plans = {} if inapp_only else _plans({recipient for recipient, _ in messages})
    rows = []
    for recipient_id, message in messages:
        rows.append(
            OutgoingMessage(
                recipient_id=recipient_id,
                channel=Channel.INAPP,
                group_key=group_key,
                idempotency_key=_key(f"{event_key}:{recipient_id}:inapp"),
                subject=message.subject,
                body=message.body,
                link=message.link,
                action=message.action,
                status=Status.SENT,
                sent_at=start,
                created_at=start,
                next_attempt_at=start,
            )
        )
        for method, delay in plans.get(recipient_id, []):
            rows.append(
                OutgoingMessage(
                    recipient_id=recipient_id,
                    channel=method.channel,
                    contact_method=method,
                    group_key=group_key,
                    idempotency_key=_key(f"{event_key}:{recipient_id}:{method.pk}:{delay}"),
                    subject=message.subject,
                    body=message.body,
                    link=message.link,
                    action=message.action,
                    created_at=start,
                    next_attempt_at=start + timedelta(minutes=delay),
                )
            )
    created = OutgoingMessage.objects.bulk_create(rows, ignore_conflicts=True)
    transaction.on_commit(wake.notify_engine)
    return created


def enqueue_to_method(
    method: ContactMethod, group_key: str, event_key: str, message: Message
) -> OutgoingMessage:
    """One message on one of the person's methods, now (a test the person asked for)."""
    now = clock.now()
    created = OutgoingMessage.objects.create(
        recipient_id=method.user_id,
        channel=method.channel,
        contact_method=method,
        group_key=group_key,
        idempotency_key=_key(event_key),
        subject=message.subject,
        body=message.body,
        link=message.link,
        created_at=now,
        next_attempt_at=now,
    )
    transaction.on_commit(wake.notify_engine)
    return created


def _plans(recipient_ids: set[int]) -> dict[int, list[tuple[ContactMethod, int]]]:
    """Each recipient's (method, minutes after the event): their notification rules,
    or every usable method at once when they set none."""
    plans: dict[int, list[tuple[ContactMethod, int]]] = defaultdict(list)
    # the sealed value is not needed to plan; it is opened when the message is sent
    rules = (
        NotificationRule.objects.filter(
            user_id__in=recipient_ids,
            contact_method__verified_at__isnull=False,
            contact_method__disabled=False,
        )
        .select_related("contact_method")
        .defer("contact_method__value")
        .order_by("user_id", "delay_minutes", "pk")
    )
    for rule in rules:
        plans[rule.user_id].append((rule.contact_method, rule.delay_minutes))
    without_rules = recipient_ids - plans.keys()
    if without_rules:
        usable = ContactMethod.objects.usable().filter(user_id__in=without_rules).defer("value")
        for method in usable.order_by("user_id", "created_at", "pk"):
            plans[method.user_id].append((method, 0))
    return plans


def cancel(group_key: str) -> int:
    """Stop what has not been sent yet for ``group_key`` (e.g. the request was taken).

    Every row of the group is marked, so that one being sent right now is neither
    retried nor followed by a fallback. Waiting rows are cancelled again at the end:
    that catches a fallback which a concurrent ``fail_over`` committed while this
    transaction waited for its lock. Returns how many waiting messages were cancelled.
    """
    now = clock.now()
    group = OutgoingMessage.objects.filter(group_key=group_key)
    with transaction.atomic():
        cancelled = group.filter(status=Status.PENDING).update(
            status=Status.CANCELLED, cancelled_at=now
        )
        group.filter(cancelled_at__isnull=True).exclude(status=Status.PENDING).update(
            cancelled_at=now
        )
        cancelled += group.filter(status=Status.PENDING).update(
            status=Status.CANCELLED, cancelled_at=now
        )
    return cancelled


def resolve(group_key: str, resolution: str, recipient_id: int | None = None) -> int:
    """Mark the in-app messages of ``group_key`` (of one recipient, or of all) as
    resolved, saying what became of them: they stop counting as unread. Returns how
    many were resolved; a message already resolved keeps what it said first."""
    rows = OutgoingMessage.objects.filter(
        group_key=group_key, channel=Channel.INAPP, resolved_at__isnull=True
    )
    if recipient_id is not None:
        rows = rows.filter(recipient_id=recipient_id)
    return rows.update(resolved_at=clock.now(), resolution=resolution[:120])


def process(now: datetime | None = None, limit: int = BATCH) -> int:
    """Send what is due; returns how many messages were attempted."""
    now = now or clock.now()
    _settle_abandoned(now)
    attempted = 0
    with ThreadPoolExecutor(max_workers=SENDERS) as senders:
        while attempted < limit:
            claimed = _claim(now, min(SENDERS, limit - attempted))
            if not claimed:
                break
            opened = _addresses(claimed)
            _expect_replies(claimed, opened)
            addresses = [opened.get(m.pk) for m in claimed]
            if len(claimed) == 1:  # no thread for a lone message
                outcomes = [_attempt(claimed[0], addresses[0])]
            else:
                outcomes = list(senders.map(_attempt, claimed, addresses))
            _record(claimed, outcomes, clock.now())
            attempted += len(claimed)
    return attempted


def next_due() -> datetime | None:
    """When the earliest waiting message is due, or a "sending" one passes its deadline."""
    pending = OutgoingMessage.objects.filter(status=Status.PENDING).aggregate(
        at=Min("next_attempt_at")
    )["at"]
    stuck = OutgoingMessage.objects.filter(status=Status.SENDING).aggregate(
        at=Min("sending_deadline")
    )["at"]
    return min(filter(None, (pending, stuck)), default=None)


def _settle_abandoned(now: datetime) -> None:
    """Rows left "sending" past their deadline that must not simply be sent again:
    cancelled meanwhile (drop them), or already tried too often (fail them over)."""
    abandoned = OutgoingMessage.objects.filter(status=Status.SENDING, sending_deadline__lt=now)
    abandoned.filter(cancelled_at__isnull=False).update(
        status=Status.CANCELLED, sending_deadline=None
    )
    for message in abandoned.filter(attempts__gte=ATTEMPTS_PER_METHOD):
        with transaction.atomic():
            mine = OutgoingMessage.objects.filter(
                pk=message.pk, status=Status.SENDING, sending_deadline__lt=now
            )
            if mine.update(
                status=Status.FAILED,
                sending_deadline=None,
                last_error=f"no outcome after {message.attempts} attempts",
            ):
                log.error("message %s: sending never finished; failing over", message.pk)
                fail_over(message, now)


def _claim(now: datetime, limit: int) -> list[OutgoingMessage]:
    """Mark due rows as sending, with a deadline, in one short transaction.

    A row still "sending" after its deadline was being sent by an engine that died:
    it is due again.
    """
    due = Q(status=Status.PENDING, next_attempt_at__lte=now) | Q(
        status=Status.SENDING, sending_deadline__lt=now, cancelled_at__isnull=True
    )
    with transaction.atomic():
        candidates = OutgoingMessage.objects.filter(due).order_by("next_attempt_at", "pk")
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True, of=("self",))
        ids = list(candidates.values_list("pk", flat=True)[:limit])
        if not ids:
            return []
        OutgoingMessage.objects.filter(pk__in=ids).update(
            status=Status.SENDING,
            # from the real moment of the claim: a long ``process`` call claims late
            sending_deadline=max(now, clock.now()) + sending_deadline(),
            attempts=F("attempts") + 1,
        )
    return list(
        OutgoingMessage.objects.filter(pk__in=ids)
        .select_related("contact_method")
        .defer("contact_method__value")
        .order_by("next_attempt_at", "pk")
    )


def _addresses(messages: list[OutgoingMessage]) -> dict[int, str | None]:
    """Open each message's address on its own: one value that no key opens (a key
    removed too early) fails that message alone, not the whole outbox."""
    field = ContactMethod._meta.get_field("value")
    assert isinstance(field, SealedTextField)
    sealed = dict(
        ContactMethod.objects.filter(
            pk__in={m.contact_method_id for m in messages if m.contact_method_id}
        )
        .order_by()
        .values_list("pk", Cast("value", TextField()))
    )
    opened: dict[int, str | None] = {}
    for message in messages:
        value = sealed.get(message.contact_method_id)
        try:
            opened[message.pk] = crypto.unseal(value, field.context) if value else None
        except crypto.Unreadable:
            log.error("message %s: its contact method's value does not open", message.pk)
            opened[message.pk] = None
    return opened


def _expect_replies(messages: list[OutgoingMessage], addresses: dict[int, str | None]) -> None:
    """Before a text that offers an action goes out, keep the digest of its reply code
    bound to the number it goes to, so that a reply can never arrive before it."""
    for message in messages:
        address = addresses.get(message.pk)
        if address and replies.offers_reply(message):
            digest = replies.digest(address, replies.code_for(message.pk))
            if message.reply_digest != digest:
                OutgoingMessage.objects.filter(pk=message.pk).update(reply_digest=digest)
                message.reply_digest = digest


@dataclass(frozen=True)
class Outcome:
    provider_id: str = ""
    error: TransportError | None = None


def _attempt(message: OutgoingMessage, address: str | None) -> Outcome:
    method = message.contact_method
    if method is None or not method.is_usable:
        return Outcome(
            error=TransportError("the contact method was turned off or removed", retryable=False)
        )
    if not address:
        return Outcome(error=TransportError("the address cannot be read", retryable=False))
    try:
        return Outcome(provider_id=transport_for(message.channel).send(message, address))
    except TransportError as error:
        log.warning("message %s on %s failed: %s", message.pk, message.channel, error)
        return Outcome(error=error)
    except Exception as exc:  # a transport bug must not stop the outbox
        log.exception("message %s: transport crashed", message.pk)
        return Outcome(error=TransportError(f"transport crashed: {exc!r}"))


def _record(messages: list[OutgoingMessage], outcomes: list[Outcome], now: datetime) -> None:
    """Record a claim's outcomes: every success in one update, each failure on its own."""
    sent = {
        m.pk: o.provider_id[:120] for m, o in zip(messages, outcomes, strict=True) if not o.error
    }
    if sent:
        OutgoingMessage.objects.filter(pk__in=sent, status=Status.SENDING).update(
            status=Status.SENT,
            provider_id=Case(*(When(pk=pk, then=Value(p)) for pk, p in sent.items())),
            sent_at=now,
            sending_deadline=None,
            last_error="",
        )
    for message, outcome in zip(messages, outcomes, strict=True):
        if outcome.error is not None:
            _record_failure(message, outcome.error, now)


def _record_failure(message: OutgoingMessage, error: TransportError, now: datetime) -> None:
    mine = OutgoingMessage.objects.filter(pk=message.pk, status=Status.SENDING)
    reason = str(error)[:500]
    if error.gone and message.contact_method_id:
        ContactMethod.objects.filter(pk=message.contact_method_id).update(disabled=True)
        log.warning("contact method %s is gone; turned off", message.contact_method_id)
    if error.retryable and message.attempts < ATTEMPTS_PER_METHOD:
        backoff = BACKOFF[min(message.attempts, len(BACKOFF)) - 1]
        retried = mine.filter(cancelled_at__isnull=True).update(
            status=Status.PENDING,
            next_attempt_at=now + backoff,
            sending_deadline=None,
            last_error=reason,
        )
        if not retried:  # its group was cancelled while it was being sent
            mine.update(status=Status.CANCELLED, sending_deadline=None, last_error=reason)
        return
    with transaction.atomic():
        if mine.update(status=Status.FAILED, sending_deadline=None, last_error=reason):
            fail_over(message, now)


def fail_over(message: OutgoingMessage, now: datetime) -> OutgoingMessage | None:
    """After a method has failed for good, try the recipient's next unused method.

    Nothing follows a message whose group was cancelled (the request was taken).
    """
    with transaction.atomic():
        # the lock orders this against ``cancel`` of the same group
        failed = (
            OutgoingMessage.objects.select_for_update()
            .filter(pk=message.pk)
            .values_list("cancelled_at", flat=True)
        )
        if not failed.exists() or failed.first() is not None:
            return None
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
            .order_by("created_at", "pk")
            .only("pk", "channel")
            .first()
        )
        if following is None:
            log.error(
                "message %s: no contact method left for recipient %s",
                message.pk,
                message.recipient_id,
            )
            return None
        fallback = OutgoingMessage.objects.create(
            recipient_id=message.recipient_id,
            channel=following.channel,
            contact_method=following,
            group_key=message.group_key,
            idempotency_key=_key(f"fallback-of:{message.pk}"),
            subject=message.subject,
            body=message.body,
            link=message.link,
            action=message.action,
            fallback_of_id=message.pk,
            created_at=now,
            next_attempt_at=now,
        )
    transaction.on_commit(wake.notify_engine)
    return fallback


def withdraw(method: ContactMethod, now: datetime | None = None) -> None:
    """Delete a contact method; whatever still waited to go out on it fails over first.

    Sent messages keep their history without the method (the address is gone with it).
    """
    now = now or clock.now()
    with transaction.atomic():
        waiting = list(
            OutgoingMessage.objects.select_for_update()
            .filter(contact_method_id=method.pk, status__in=[Status.PENDING, Status.SENDING])
            .order_by("pk")
        )
        for message in waiting:
            if OutgoingMessage.objects.filter(
                pk=message.pk, status__in=[Status.PENDING, Status.SENDING]
            ).update(
                status=Status.FAILED,
                sending_deadline=None,
                last_error="the contact method was removed",
            ):
                fail_over(message, now)
        ContactMethod.objects.filter(pk=method.pk).delete()
