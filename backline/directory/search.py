"""Searching a team's directory: words in a name or description, and filters by kind,
language, cost, telehealth, specialty and "open now". Each filter is one indexed
condition; the page shows a screenful at a time."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django import forms
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils.translation import gettext_lazy as _

from backline.directory import hours
from backline.directory.models import (
    Cost,
    Kind,
    Language,
    Resource,
    ResourceQuerySet,
    ResourceSpecialty,
    Specialty,
    Status,
)

if TYPE_CHECKING:
    from backline.accounts.models import User

PAGE_SIZE = 15  # a phone shows three or four at a time

ANY = [("", _("Any"))]


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=ANY + Kind.choices, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=ANY, required=False)
    cost = forms.ChoiceField(label=_("Cost"), choices=ANY + Cost.choices, required=False)
    specialty = forms.ChoiceField(
        label=_("Specialty"), choices=ANY + Specialty.choices, required=False
    )
    telehealth = forms.BooleanField(label=_("Offers telehealth"), required=False)
    open_now = forms.BooleanField(label=_("Open now"), required=False)

    def __init__(self, *args: Any, languages: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = ANY + languages  # type: ignore[attr-defined]


def languages_of(found: ResourceQuerySet) -> list[tuple[str, str]]:
    """The languages the entries of ``found`` speak, to choose among."""
    spoken = Language.objects.filter(resource__in=found).order_by()  # DISTINCT of these alone
    return sorted(spoken.values_list("code", "name").distinct(), key=lambda pair: pair[1])


def with_details(found: ResourceQuerySet) -> ResourceQuerySet:
    return found.select_related("organization").prefetch_related(
        "phones", "languages", "schedules", Prefetch("specialties", ResourceSpecialty.objects.all())
    )


def find(viewer: User, chosen: dict[str, Any], now: datetime) -> ResourceQuerySet:
    """The active entries the viewer may see that match every chosen filter."""
    found = Resource.objects.visible_to(viewer).filter(status=Status.ACTIVE)
    words = (chosen.get("q") or "").split()
    for word in words:
        found = found.filter(
            Q(name__icontains=word)
            | Q(description__icontains=word)
            | Q(organization__name__icontains=word)
        )
    if chosen.get("kind"):
        found = found.filter(kind=chosen["kind"])
    if chosen.get("cost"):
        found = found.filter(cost=chosen["cost"])
    if chosen.get("telehealth"):
        found = found.filter(telehealth=True)
    if chosen.get("language"):
        spoken = Language.objects.filter(resource=OuterRef("pk"), code=chosen["language"])
        found = found.filter(Exists(spoken))
    if chosen.get("specialty"):
        offered = ResourceSpecialty.objects.filter(
            resource=OuterRef("pk"), specialty=chosen["specialty"]
        )
        found = found.filter(Exists(offered))
    if chosen.get("open_now"):
        zones = found.values_list("time_zone", flat=True).distinct().order_by()
        found = found.filter(hours.open_filter(list(zones), now))
    return found
