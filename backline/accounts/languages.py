"""The languages Backline offers, and the one each person reads it in.

A person's own setting comes first; without one (or with one Backline no longer
offers), their first agency's; then the site's ``LANGUAGE_CODE``. Pages and every
message Backline sends a person follow ``language_of`` (docs/adr/0033)."""

from __future__ import annotations

from collections.abc import Iterable
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
    agency_language = ""
    if user.is_authenticated:
        agency = next((m.agency for m in user.all_memberships if m.agency is not None), None)
        agency_language = agency.language if agency is not None else ""
    return _chosen(getattr(user, "language", ""), agency_language)


def languages_of(user_ids: Iterable[int]) -> dict[int, str]:
    """``language_of`` each of many people, in two queries however many they are (the
    engine pages a whole team at once); an id that names nobody gets the default."""
    from backline.accounts.models import Membership, User

    wanted = set(user_ids)
    own = dict(User.objects.filter(pk__in=wanted).values_list("pk", "language"))
    agency_bound = Membership.objects.filter(user_id__in=wanted, agency__isnull=False)
    first: dict[int, str] = {}
    # in the order of ``User.all_memberships``: by team name, team, then role
    for user_id, *_order, agency_language in sorted(
        agency_bound.order_by().values_list(
            "user_id", "region__name", "region_id", "role", "agency__language"
        )
    ):
        first.setdefault(user_id, agency_language)
    return {pk: _chosen(own.get(pk, ""), first.get(pk, "")) for pk in wanted}


def _chosen(own: str, agency_language: str) -> str:
    codes = offered()
    if own in codes:
        return own
    if agency_language in codes:
        return agency_language
    return settings.LANGUAGE_CODE
