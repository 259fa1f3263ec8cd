"""The outbox: record first, then send with a deadline, retry, fall back.

``enqueue`` writes messages in the caller's transaction (so a page exists the moment
its cause does) and wakes the engine after commit. ``process`` is called by the
engine: it claims due messages (``SKIP LOCKED`` on PostgreSQL, so several engines
never take the same row), sends them outside any transaction, and records each outcome.

A failure worth retrying is retried with exponential back-off and jitter, capped at
``BACKOFF_CAP``: a page for as long as its group is open (``until_cancelled``: the
request is taken or ends), anything else for ``RETRY_FOR``. After
``FAIL_OVER_AFTER`` attempts the recipient's next method is tried as well, without
giving up on the first. When a retry succeeds, the channel is back: every retry
waiting on it is due at once, so an outage ends for all its messages together.

A claim is a lease (docs/adr/0024-claims-held-by-a-lease.md). The rows claimed are
"sending", marked with their claimer's name, with a deadline one ``claim_lease()``
ahead, which the claimer renews while its sends are under way, up to
``sending_deadline()`` after the claim. A claimer that stopped (killed, or cut off from
the database) renews nothing: within a lease its rows are past their deadline, and that
attempt counts as a failure like any other: retried, and failed over meanwhile, so that
one poisonous message cannot stall a page. Only the claim's holder records a failure;
a send that went through is recorded even when another engine holds the row since.

A transport gets the row's values, opened, as an ``Envelope`` whose ``key`` is the same
on every attempt of the row (the e-mail's Message-ID, the SMS idempotency key).

Every message is in its recipient's language (``notify.languages``): its words are
written in it when it is enqueued (give a function that writes them), and what its
transport adds is written in it when it is sent.
"""

from __future__ import annotations

import hashlib
import logging
import random
from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, F, Min, QuerySet, Value, When
from django.db.models.functions import Least
from django.utils import translation

from backline.accounts.languages import languages_of
from backline.lib import clock, crypto, host, tokens
from backline.notify import actions, attachments, languages, wake
from backline.notify.languages import Words
from backline.notify.models import (
    Channel,
    ContactMethod,
    NotificationRule,
    OutgoingMessage,
    Status,
)
from backline.notify.registry import transport_for
from backline.notify.sms import replies, reports
from backline.notify.transport import Envelope, Sent, TransportError

log = logging.getLogger(__name__)

FAIL_OVER_AFTER = 3
BACKOFF_BASE = timedelta(seconds=5)
BACKOFF_CAP = timedelta(minutes=2)
RETRY_FOR = timedelta(days=1)
TEST_RETRY_FOR = timedelta(hours=1)
MAX_ATTEMPTS_COUNTED = 32767  # the column's limit; a page may be tried for weeks
BATCH = 100
SENDERS = 8
RENEWALS_PER_LEASE = 5
KEY_LENGTH = 120


def sending_deadline() -> timedelta:
    """How long a claimed message may stay "sending", its claim renewed, before another
    engine takes it whatever its claimer says.

    Longer than any transport's own timeout (10 seconds), so a slow provider does not
    cause a second copy; it bounds a send that hangs in a claimer that is still alive.
    """
    return timedelta(seconds=settings.BACKLINE_SENDING_DEADLINE_SECONDS)


def claim_lease() -> timedelta:
    """How long a claim holds unless its claimer renews it (every fifth of it while its
    sends are under way): a message whose engine died is sent again this soon."""
    return min(timedelta(seconds=settings.BACKLINE_CLAIM_LEASE_SECONDS), sending_deadline())


@dataclass(frozen=True)
class Message:
    """What to say; lock-screen safe: no names, no notes, no call details. ``action``
    names what a tap or a reply does (``notify.actions``), e.g. ``take:<link id>``."""

    subject: str
    body: str
    link: str = ""
    action: str = ""


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failure: doubling from ``BACKOFF_BASE`` up to
    ``BACKOFF_CAP``, each wait drawn between its half and its whole, so that messages
    which failed together do not all come back together."""
    doublings = min(max(attempts - 1, 0), 16)  # far past the cap already
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * (1 << doublings))
    return ceiling * random.uniform(0.5, 1.0)  # noqa: S311 - spread, not a secret


def _key(raw: str) -> str:
    """An idempotency key that fits its column, still unique when it had to be cut."""
    if len(raw) <= KEY_LENGTH:
        return raw
    return f"{raw[: KEY_LENGTH - 41]}#{hashlib.sha256(raw.encode()).hexdigest()[:40]}"


def enqueue(
    recipient_id: int,
    group_key: str,
    event_key: str,
    message: Words[Message],
    start_at: datetime | None = None,
    inapp_only: bool = False,
    until_cancelled: bool = False,
) -> list[OutgoingMessage]:
    """One in-app message now, plus (unless ``inapp_only``) one message per notification
    rule of the recipient (every verified method at once when they set no rules).
    ``message`` is best a function that writes it: it is called in the recipient's
    language."""
    return enqueue_many(
        [(recipient_id, message)],
        group_key,
        event_key,
        start_at,
        inapp_only=inapp_only,
        until_cancelled=until_cancelled,
    )


def enqueue_many(
    messages: Sequence[tuple[int, Words[Message]]],
    group_key: str,
    event_key: str,
    start_at: datetime | None = None,
    *,
    inapp_only: bool = False,
    until_cancelled: bool = False,
) -> list[OutgoingMessage]:
    """``enqueue`` for several (recipient, message) pairs of one event, planned with
    two queries and written with one. ``until_cancelled`` messages (pages) are retried
    until their group is cancelled, however long that takes."""
    start = start_at or clock.now()
    retry_until = None if until_cancelled else start + RETRY_FOR
    plans = {} if inapp_only else _plans({recipient for recipient, _ in messages})
    rows = []
    for recipient_id, message in languages.written(messages):
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
                    retry_until=retry_until and retry_until + timedelta(minutes=delay),
                )
            )
    created = OutgoingMessage.objects.bulk_create(rows, ignore_conflicts=True)
    transaction.on_commit(wake.notify_engine)
    return created


def enqueue_to_method(
    method: ContactMethod, group_key: str, event_key: str, words: Words[Message]
) -> OutgoingMessage:
    """One message on one of the person's methods, now (a test the person asked for)."""
    now = clock.now()
    message = languages.in_language(words, languages.of_person(method.user_id))
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
        retry_until=now + TEST_RETRY_FOR,
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


def resolve(group_key: str, resolution: Words[str], recipient_id: int | None = None) -> int:
    """Mark the in-app messages of ``group_key`` (of one recipient, or of all) as
    resolved, saying what became of them (in each recipient's language): they stop
    counting as unread. Returns how many were resolved; a message already resolved
    keeps what it said first."""
    rows = OutgoingMessage.objects.filter(
        group_key=group_key, channel=Channel.INAPP, resolved_at__isnull=True
    )
    if recipient_id is not None:
        rows = rows.filter(recipient_id=recipient_id)
    now = clock.now()
    recipients: dict[str, list[int]] = defaultdict(list)
    for recipient, language in languages_of(rows.values_list("recipient_id", flat=True)).items():
        recipients[language].append(recipient)
    return sum(
        rows.filter(recipient_id__in=ids).update(
            resolved_at=now, resolution=languages.in_language(resolution, language)[:120]
        )
        for language, ids in recipients.items()
    )


def process(now: datetime | None = None, limit: int = BATCH, claimer: str = "") -> int:
    """Send what is due, claimed in ``claimer``'s name (this process's unless given);
    returns how many messages were attempted."""
    now = now or clock.now()
    claimer = claimer or host.process_name()
    _settle_abandoned(now)
    attempted = 0
    with ThreadPoolExecutor(max_workers=SENDERS) as senders:
        while attempted < limit:
            wanted = min(SENDERS, limit - attempted)
            claim = _claim(now, wanted, claimer)
            if claim is None:
                break
            addresses = _addresses(claim.messages)
            _expect_replies(claim.messages, addresses)
            language = languages_of(m.recipient_id for m in claim.messages)
            envelopes = [
                _envelope(m, addresses.get(m.pk), language[m.recipient_id]) for m in claim.messages
            ]
            outcomes = _send(claim, envelopes, senders)
            more = _record(claim, outcomes, clock.now())
            attempted += len(claim.messages)
            if len(claim.messages) < wanted and not more:
                break  # all that was due is taken
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
    """Rows left "sending" past their deadline: their claimer stopped renewing the claim
    (it died, or lost the database) or its send outlasted ``sending_deadline()``.
    Cancelled meanwhile, they are dropped; otherwise the attempt failed like any other."""
    abandoned = OutgoingMessage.objects.filter(status=Status.SENDING, sending_deadline__lt=now)
    if not abandoned.order_by().exists():  # every tick: the cheapest question first
        return
    abandoned.filter(cancelled_at__isnull=False).update(
        status=Status.CANCELLED, sending_deadline=None, claimed_by=""
    )
    for message in abandoned.select_related("contact_method").defer("contact_method__value"):
        log.warning(
            "message %s: sending never finished (claimed by %s); trying again",
            message.pk,
            message.claimed_by,
        )
        _failed(
            abandoned.filter(pk=message.pk),
            message,
            TransportError("no outcome: the engine stopped while sending"),
            now,
        )


@dataclass(frozen=True)
class Claim:
    """The messages one claimer marked "sending", and until when it may renew them."""

    claimer: str
    messages: list[OutgoingMessage]
    renewable_until: datetime


def _claim(now: datetime, limit: int, claimer: str) -> Claim | None:
    """Mark due rows as sending, in ``claimer``'s name and for one lease, in one short
    transaction; None when nothing is due."""
    # from the real moment of the claim: a long ``process`` call claims late
    claimed_at = max(now, clock.now())
    with transaction.atomic():
        candidates = OutgoingMessage.objects.filter(
            status=Status.PENDING, next_attempt_at__lte=now
        ).order_by("next_attempt_at", "pk")
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True, of=("self",))
        ids = list(candidates.values_list("pk", flat=True)[:limit])
        if not ids:
            return None
        OutgoingMessage.objects.filter(pk__in=ids).update(
            status=Status.SENDING,
            claimed_by=claimer,
            sending_deadline=claimed_at + claim_lease(),
            attempts=Least(F("attempts") + 1, Value(MAX_ATTEMPTS_COUNTED)),
        )
    messages = list(
        OutgoingMessage.objects.filter(pk__in=ids)
        .select_related("contact_method")
        .defer("contact_method__value")
        .order_by("next_attempt_at", "pk")
    )
    return Claim(claimer, messages, claimed_at + sending_deadline())


def _renew(claim: Claim) -> None:
    """The claimer is alive and still sending: its claim holds one more lease, never
    past ``renewable_until``. A row another engine took meanwhile is not renewed."""
    now = clock.now()
    if now < claim.renewable_until:
        OutgoingMessage.objects.filter(
            pk__in=[m.pk for m in claim.messages],
            status=Status.SENDING,
            claimed_by=claim.claimer,
        ).update(sending_deadline=min(now + claim_lease(), claim.renewable_until))


def _send(
    claim: Claim, envelopes: list[Envelope | None], senders: ThreadPoolExecutor
) -> list[Outcome]:
    """Each message of the claim by a sender thread, in parallel; meanwhile this thread
    renews the claim, so that no other engine takes a message still being sent."""
    sending: list[Future[Outcome]] = [
        senders.submit(_attempt, message, envelope)
        for message, envelope in zip(claim.messages, envelopes, strict=True)
    ]
    every = claim_lease().total_seconds() / RENEWALS_PER_LEASE
    while wait(sending, timeout=every).not_done:
        _renew(claim)
    return [future.result() for future in sending]


def _addresses(messages: list[OutgoingMessage]) -> dict[int, str | None]:
    """Each message's address, read through its sealed field. A value that no key
    opens (a key removed too early) fails its own messages, not the whole outbox."""
    method_ids = {m.contact_method_id for m in messages if m.contact_method_id}
    methods = ContactMethod.objects.order_by()
    try:
        values = dict(methods.filter(pk__in=method_ids).values_list("pk", "value"))
    except crypto.Unreadable:
        values = {}
        for method_id in method_ids:
            try:
                values[method_id] = methods.filter(pk=method_id).values_list("value", flat=True)[0]
            except crypto.Unreadable:
                log.error("contact method %s: its value does not open", method_id)
            except IndexError:  # removed meanwhile
                pass
    return {m.pk: values.get(m.contact_method_id or 0) for m in messages}


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


def key_of(message_pk: int) -> str:
    """The row's key, the same on every attempt; keyed, so that it tells nobody how
    many messages Backline has sent."""
    return tokens.keyed("outbox-message", message_pk)


def _envelope(message: OutgoingMessage, address: str | None, language: str) -> Envelope | None:
    """The row's values as its transport sends them, in the recipient's ``language``,
    or None without an address."""
    if not address:
        return None
    with translation.override(language):
        return _opened(message, address, language)


def _opened(message: OutgoingMessage, address: str, language: str) -> Envelope:
    found = actions.find(message.action)
    offers_tap = found is not None and message.channel == Channel.PUSH
    return Envelope(
        address=address,
        subject=message.subject,
        body=message.body,
        key=key_of(message.pk),
        link=message.link,
        button=str(found[0].title) if found else "",
        tap_url=found[0].tap_url(found[1], message.recipient_id) if found and offers_tap else "",
        reply_prompt=replies.prompt(message),
        report_url=reports.url_for(message.pk) if message.channel in reports.CHANNELS else "",
        attachments=attachments.for_group(message.group_key, message.recipient_id)
        if message.channel == Channel.EMAIL
        else (),
        language=language,
    )


@dataclass(frozen=True)
class Outcome:
    sent: Sent | None = None
    error: TransportError | None = None


def _attempt(message: OutgoingMessage, envelope: Envelope | None) -> Outcome:
    method = message.contact_method
    if method is None or not method.is_usable:
        return Outcome(
            error=TransportError("the contact method was turned off or removed", retryable=False)
        )
    if envelope is None:
        return Outcome(error=TransportError("the address cannot be read", retryable=False))
    try:
        # each sender thread has a language of its own: the envelope's, while it sends
        with translation.override(envelope.language):
            return Outcome(sent=transport_for(message.channel).send(envelope))
    except TransportError as error:
        log.warning("message %s on %s failed: %s", message.pk, message.channel, error)
        return Outcome(error=error)
    except Exception as exc:  # a transport bug must not stop the outbox
        log.exception("message %s: transport crashed", message.pk)
        return Outcome(error=TransportError(f"transport crashed: {exc!r}"))


def _record(claim: Claim, outcomes: list[Outcome], now: datetime) -> bool:
    """Record a claim's outcomes: every success in one update, each failure on its own.
    A send that went through is what happened, even where the claim lapsed and another
    engine holds the row now; a failure is only its holder's to record. A retry that
    went through means its channel is back: its other retries are due. Returns whether
    more may be due now: a failure's fallback, or the retries brought forward."""
    messages = claim.messages
    sent = {
        m.pk: o.sent.provider_id[:120]
        for m, o in zip(messages, outcomes, strict=True)
        if o.sent is not None
    }
    if sent:
        OutgoingMessage.objects.filter(pk__in=sent, status=Status.SENDING).update(
            status=Status.SENT,
            provider_id=Case(*(When(pk=pk, then=Value(p)) for pk, p in sent.items())),
            sent_at=now,
            sending_deadline=None,
            claimed_by="",
            last_error="",
        )
    recovered = {m.channel for m in messages if m.pk in sent and m.attempts > 1}
    if recovered:
        OutgoingMessage.objects.filter(
            status=Status.PENDING, channel__in=recovered, attempts__gt=0, next_attempt_at__gt=now
        ).update(next_attempt_at=now)
    failed = False
    for message, outcome in zip(messages, outcomes, strict=True):
        if outcome.error is not None:
            mine = OutgoingMessage.objects.filter(
                pk=message.pk, status=Status.SENDING, claimed_by=claim.claimer
            )
            _failed(mine, message, outcome.error, now)
            failed = True
    return failed or bool(recovered)


def report_failed(message: OutgoingMessage, error: TransportError, now: datetime) -> None:
    """The provider reports that a message it took was not delivered: the provider has
    tried already, so the next method is tried at once."""
    mine = OutgoingMessage.objects.filter(pk=message.pk, status__in=[Status.SENDING, Status.SENT])
    _failed(mine, message, error, now, fail_over_after=0)


def _failed(
    mine: QuerySet[OutgoingMessage],
    message: OutgoingMessage,
    error: TransportError,
    now: datetime,
    fail_over_after: int = FAIL_OVER_AFTER,
) -> None:
    """One attempt of ``message`` failed (``mine`` is its row, while still in the state
    the failure was seen in). Worth retrying, it waits its back-off, and from the
    ``fail_over_after``-th attempt the next method is tried as well; otherwise, or once
    its time to retry is over, it fails over for good."""
    reason = str(error)[:500]
    if error.gone and message.contact_method_id:
        ContactMethod.objects.filter(pk=message.contact_method_id).update(disabled=True)
        log.warning("contact method %s is gone; turned off", message.contact_method_id)
    in_time = message.retry_until is None or now < message.retry_until
    with transaction.atomic():
        if error.retryable and in_time:
            retried = mine.filter(cancelled_at__isnull=True).update(
                status=Status.PENDING,
                next_attempt_at=now + backoff(message.attempts),
                sending_deadline=None,
                claimed_by="",
                sent_at=None,
                provider_id="",
                last_error=reason,
            )
            if not retried:  # its group was cancelled while it was being sent
                mine.update(
                    status=Status.CANCELLED, sending_deadline=None, claimed_by="", last_error=reason
                )
            elif message.attempts == fail_over_after or not fail_over_after:
                fail_over(message, now)  # once: the next method takes over meanwhile
        elif mine.update(
            status=Status.FAILED, sending_deadline=None, claimed_by="", last_error=reason
        ):
            fail_over(message, now)


def fail_over(message: OutgoingMessage, now: datetime) -> OutgoingMessage | None:
    """Try the recipient's next unused method, once per message: after the method failed
    for good, or while it keeps failing.

    Nothing follows a message whose group was cancelled (the request was taken).
    """
    with transaction.atomic():
        # the lock orders this against ``cancel`` of the same group, and against another
        # engine failing the same message over
        failed = (
            OutgoingMessage.objects.select_for_update()
            .filter(pk=message.pk)
            .values_list("cancelled_at", flat=True)
        )
        if not failed.exists() or failed.first() is not None:
            return None
        if OutgoingMessage.objects.filter(fallback_of_id=message.pk).exists():
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
            retry_until=message.retry_until,
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
                claimed_by="",
                last_error="the contact method was removed",
            ):
                fail_over(message, now)
        ContactMethod.objects.filter(pk=method.pk).delete()
