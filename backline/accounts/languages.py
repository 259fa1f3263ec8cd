"""The languages Backline offers, and the one each person reads it in.

A person's own setting comes first; without one (or with one Backline no longer
offers), their first agency's; then the site's ``LANGUAGE_CODE``. Pages and every
message Backline sends a person follow ``language_of`` (docs/adr/0033)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from backline.accounts.models import User


def offered() -> list[str]:
    """The codes of the languages Backline is offered in, as settings.LANGUAGES lists them."""
    return [code for code, _name in settings.LANGUAGES]


def language_of(user: User | AnonymousUser) -> str:
    """The language to speak to ``user`` in: their setting, else their first agency's
    (by membership order), else ``settings.LANGUAGE_CODE``."""
    codes = offered()
    own = getattr(user, "language", "")
    if own in codes:
        return own
    if user.is_authenticated:
        for membership in user.all_memberships:
            if membership.agency is not None:
                if membership.agency.language in codes:
                    return membership.agency.language
                break
    return settings.LANGUAGE_CODE
