"""A session on a trusted browser lasts while its person is on call (ADR 0014).

A session normally ends ``SESSION_COOKIE_AGE`` after it was last written, or when the
browser closes: a peer paged at 3 a.m. would face the sign-in page first. On a browser
the person trusts (allauth's "trust this browser", never a shared console), the session
of someone on call lasts to the end of their shift and a margin, so the page opens at
once; never longer than ``BACKLINE_ON_CALL_SESSION_DAYS`` after signing in. Sessions are
only ever lengthened here, never shortened.

Each session is looked at once every ``CHECK_EVERY`` at most in each web process, as
pages poll. The moments are kept in the process's memory: the shared cache would cost
several queries on every request of a trusted browser, and a second process looking
again only lengthens the session to the same end.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from backline.accounts import trust
from backline.accounts.models import User
from backline.lib import clock, tokens
from backline.oncall import resolve

SIGNED_IN_AT = "backline_signed_in_at"
CHECK_EVERY = timedelta(minutes=15)
REMEMBERED_SESSIONS = 10_000


class Checks:
    """When each session was last looked at, for the most recent sessions: a session
    forgotten here is only looked at again sooner."""

    def __init__(self, size: int = REMEMBERED_SESSIONS) -> None:
        self.size = size
        self.last: OrderedDict[str, datetime] = OrderedDict()
        self.lock = threading.Lock()

    def due(self, session_key: str, now: datetime) -> bool:
        """Whether the session is to be looked at now; if so, it counts as looked at."""
        key = tokens.digest(session_key)  # the keys themselves never sit in memory here
        with self.lock:
            last = self.last.get(key)
            if last is not None and last <= now < last + CHECK_EVERY:
                return False
            self.last[key] = now
            self.last.move_to_end(key)
            while len(self.last) > self.size:
                self.last.popitem(last=False)
            return True


_checks = Checks()


def note_sign_in(sender: Any, request: HttpRequest, **_: Any) -> None:
    """Signal receiver (``user_logged_in``): the moment the session's cap counts from."""
    request.session[SIGNED_IN_AT] = clock.now().timestamp()


def on_call_expiry(user: User, signed_in_at: datetime, now: datetime) -> datetime | None:
    """Until when ``user``'s session should last, being on call; None when not on call."""
    until = resolve.on_call_until(user.pk, {m.region_id for m in user.all_memberships}, now)
    if until is None:
        return None
    cap = signed_in_at + timedelta(days=settings.BACKLINE_ON_CALL_SESSION_DAYS)
    return min(until + settings.BACKLINE_ON_CALL_SESSION_MARGIN, cap)


class OnCallSessionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            self._lengthen(request, request.user)
        return self.get_response(request)

    def _lengthen(self, request: HttpRequest, user: User) -> None:
        session = request.session
        signed_in_at = session.get(SIGNED_IN_AT)
        if signed_in_at is None or not trust.has_trust_cookie(request):
            return
        now = clock.now()
        if not session.session_key or not _checks.due(session.session_key, now):
            return
        if trust.trusted_until(request, user) is None:
            return
        expiry = on_call_expiry(user, datetime.fromtimestamp(signed_in_at, UTC), now)
        if expiry is not None and expiry > session.get_expiry_date(modification=now):
            session.set_expiry(expiry)
