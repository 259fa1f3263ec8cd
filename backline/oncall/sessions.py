"""A session on a trusted browser lasts while its person is on call (ADR 0014).

A session normally ends ``SESSION_COOKIE_AGE`` after it was last written, or when the
browser closes: a peer paged at 3 a.m. would face the sign-in page first. On a browser
the person trusts (allauth's "trust this browser", never a shared console), the session
of someone on call lasts to the end of their shift and a margin, so the page opens at
once; never longer than ``BACKLINE_ON_CALL_SESSION_DAYS`` after signing in. Sessions are
only ever lengthened here, never shortened. Each session is looked at once every
``CHECK_EVERY`` at most, as pages poll.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from backline.accounts import trust
from backline.accounts.models import User
from backline.lib import clock
from backline.oncall import resolve

SIGNED_IN_AT = "backline_signed_in_at"
CHECK_EVERY = timedelta(minutes=15)


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
        if not cache.add(f"oncall:session:{session.session_key}", 1, CHECK_EVERY.total_seconds()):
            return
        if trust.trusted_until(request, user) is None:
            return
        now = clock.now()
        expiry = on_call_expiry(user, datetime.fromtimestamp(signed_in_at, UTC), now)
        if expiry is not None and expiry > session.get_expiry_date(modification=now):
            session.set_expiry(expiry)
