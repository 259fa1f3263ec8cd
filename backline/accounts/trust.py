"""Trusted browsers: django-allauth's "trust this browser", read for Backline's pages.

allauth keeps the trust in a signed cookie on the browser, one entry per person who
trusted it, each tied to a fingerprint of that person's password and second factors:
changing either forgets every trust at once. Nothing about it is kept on the server.
This module is the one place that reads allauth's cookie (ADR 0014).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from allauth.mfa import app_settings
from allauth.mfa.internal.flows import trust
from django.http import HttpRequest, HttpResponse

from backline.accounts.models import User


def has_trust_cookie(request: HttpRequest) -> bool:
    """Whether this browser holds any unexpired trust at all (no database query)."""
    return bool(trust.decode_trust_cookie(request))


def trusted_until(request: HttpRequest, user: User) -> datetime | None:
    """Until when this browser skips ``user``'s second factor; None if it does not."""
    entries = trust.decode_trust_cookie(request)  # expired entries are already left out
    if not entries:
        return None
    fingerprint = trust.create_config_fingerprint(user)
    issued = [entry.at for entry in entries if entry.fingerprint == fingerprint]
    if not issued:
        return None
    age: timedelta = app_settings.TRUST_COOKIE_AGE  # allauth's module reads it untyped
    return datetime.fromtimestamp(max(issued), UTC) + age


def forget(response: HttpResponse) -> None:
    """This browser stops skipping the second factor, for everyone who trusted it."""
    response.delete_cookie(
        app_settings.TRUST_COOKIE_NAME,
        path=app_settings.TRUST_COOKIE_PATH,
        domain=app_settings.TRUST_COOKIE_DOMAIN,
        samesite=app_settings.TRUST_COOKIE_SAMESITE,
    )
