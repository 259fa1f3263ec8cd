"""Proving a contact method reaches its owner: a six-digit code sent through it.

Only an HMAC of the code is kept (bound to the method, keyed by the secret key), with
its expiry and the wrong guesses made; after ``MAX_CODE_GUESSES`` the code is void and
a new one must be asked for. Sending is limited per method (a pause between codes, a
few per hour) and per person across methods, so that Backline cannot be used to flood
someone else's phone.

Codes go straight through the channel's transport, not through the outbox: the outbox
keeps message text in clear, and a code must exist only as its digest. A code lost on
the way is simply asked for again; the person is on the page, waiting for it.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from django.core.cache import cache
from django.db import transaction
from django.utils import translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from backline.lib import clock, tokens
from backline.notify import languages
from backline.notify.models import MAX_CODE_GUESSES, Channel, ContactMethod
from backline.notify.registry import transport_for
from backline.notify.transport import Envelope, TransportError

log = logging.getLogger(__name__)

CODE_DIGITS = 6
CODE_LIFETIME = timedelta(minutes=15)
RESEND_PAUSE = timedelta(seconds=60)
SENDS_PER_WINDOW = 5
SEND_WINDOW = timedelta(hours=1)
SENDS_PER_PERSON_PER_HOUR = 10


class CannotSend(Exception):
    """No code was sent. ``until`` says when asking again can work, when known."""

    def __init__(self, reason: str, until: datetime | None = None) -> None:
        super().__init__(reason)
        self.until = until


class TooSoon(CannotSend):
    """A code was sent to this method less than ``RESEND_PAUSE`` ago."""


class TooMany(CannotSend):
    """Too many codes for this method, or for this person, in the last hour."""


class NotDelivered(CannotSend):
    """The transport refused or failed; the code sent (if any) is void."""


class Check(Enum):
    VERIFIED = "verified"
    ALREADY_VERIFIED = "already verified"
    WRONG = "wrong"  # with no guesses left, the code is now void
    EXPIRED = "expired"
    NO_CODE = "no code"  # never sent, or void after too many wrong guesses


@dataclass(frozen=True)
class Result:
    check: Check
    guesses_left: int = 0


def digest(method_pk: int, code: str) -> str:
    return salted_hmac(
        "backline.notify.verification", f"{method_pk}:{code}", algorithm="sha256"
    ).hexdigest()


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def code_envelope(channel: str, address: str, code: str) -> Envelope:
    """The code's message, sent at once and never stored. Spoken codes are read digit
    by digit."""
    shown = ", ".join(code) if channel == Channel.VOICE else code
    return Envelope(
        address=address,
        key=tokens.new_token(),
        subject=_("Backline verification code"),
        body=_(
            "Your Backline code is %(code)s. It expires in 15 minutes. "
            "If you did not ask for it, ignore this message."
        )
        % {"code": shown},
    )


def send_code(method: ContactMethod, now: datetime | None = None) -> None:
    """Send a new code through ``method``; raises ``CannotSend`` (typed) when not."""
    now = now or clock.now()
    code = new_code()
    with transaction.atomic():
        locked = ContactMethod.objects.select_for_update().get(pk=method.pk)
        if locked.verified_at is not None:
            raise CannotSend("already verified")
        last = locked.code_sent_at
        if last is not None and now - last < RESEND_PAUSE:
            raise TooSoon("a code was sent moments ago", until=last + RESEND_PAUSE)
        sends = locked.code_sends if last is not None and now - last < SEND_WINDOW else 0
        if sends >= SENDS_PER_WINDOW:
            assert last is not None
            raise TooMany("too many codes for this method", until=last + SEND_WINDOW)
        if _person_sends(locked.user_id, now) > SENDS_PER_PERSON_PER_HOUR:
            raise TooMany("too many codes for this person", until=_next_hour(now))
        ContactMethod.objects.filter(pk=locked.pk).update(
            code_digest=digest(locked.pk, code),
            code_expires_at=now + CODE_LIFETIME,
            code_attempts=0,
            code_sent_at=now,
            code_sends=sends + 1,
        )
        address = locked.value
    try:
        with translation.override(languages.of_person(method.user_id)):
            transport_for(method.channel).send(code_envelope(method.channel, address, code))
    except TransportError as error:
        log.warning("verification code for method %s not sent: %s", method.pk, error)
        ContactMethod.objects.filter(pk=method.pk, code_digest=digest(method.pk, code)).update(
            code_digest="", code_expires_at=None
        )
        raise NotDelivered(str(error)) from error


def _next_hour(now: datetime) -> datetime:
    return now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)


def _person_sends(user_id: int, now: datetime) -> int:
    """Codes sent to this person's methods this hour, counted in the shared cache."""
    key = f"notify:codes:{user_id}:{now:%Y%m%d%H}"
    cache.add(key, 0, timeout=int(SEND_WINDOW.total_seconds()) * 2)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=int(SEND_WINDOW.total_seconds()) * 2)
        return 1


def check_code(method: ContactMethod, entered: str, now: datetime | None = None) -> Result:
    """Compare ``entered`` with the code sent; each wrong guess counts, under a lock, so
    that guesses sent in parallel cannot get past the limit."""
    now = now or clock.now()
    with transaction.atomic():
        locked = ContactMethod.objects.select_for_update().get(pk=method.pk)
        if locked.verified_at is not None:
            return Result(Check.ALREADY_VERIFIED)
        if not locked.code_digest or locked.code_attempts >= MAX_CODE_GUESSES:
            return Result(Check.NO_CODE)
        assert locked.code_expires_at is not None
        if now >= locked.code_expires_at:
            ContactMethod.objects.filter(pk=locked.pk).update(code_digest="", code_expires_at=None)
            return Result(Check.EXPIRED)
        if constant_time_compare(digest(locked.pk, entered), locked.code_digest):
            ContactMethod.objects.filter(pk=locked.pk).update(
                verified_at=now,
                code_digest="",
                code_expires_at=None,
                code_attempts=0,
                code_sends=0,
            )
            return Result(Check.VERIFIED)
        attempts = locked.code_attempts + 1
        if attempts >= MAX_CODE_GUESSES:  # void: a new code must be asked for
            ContactMethod.objects.filter(pk=locked.pk).update(
                code_attempts=attempts, code_digest="", code_expires_at=None
            )
        else:
            ContactMethod.objects.filter(pk=locked.pk).update(code_attempts=attempts)
        return Result(Check.WRONG, guesses_left=MAX_CODE_GUESSES - attempts)
