"""The time-zone field every form shares: a text box with a searchable list of the
IANA zones (the zones of the United States first), read back case-insensitively and
checked on the server (``models.validate_time_zone``)."""

from __future__ import annotations

import zoneinfo
from functools import cache
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from backline.accounts.models import validate_time_zone

# The zones of U.S. 911 centers, east to west, then the territories.
COMMON = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
    "America/Puerto_Rico",
    "Pacific/Guam",
)
HELP = _("Start typing a city, such as Chicago, and choose its zone from the list.")


@cache
def zone_names() -> tuple[str, ...]:
    """Every zone this machine knows, the common ones first."""
    rest = sorted(zoneinfo.available_timezones().difference(COMMON))
    return (*COMMON, *rest)


@cache
def _canonical() -> dict[str, str]:
    """Each zone by its name in any case, and by its city alone where only one zone
    has that city ("los angeles" is America/Los_Angeles)."""
    by_city: dict[str, list[str]] = {}
    for name in zone_names():
        city = name.rsplit("/", 1)[-1].replace("_", " ").lower()
        by_city.setdefault(city, []).append(name)
    cities = {city: names[0] for city, names in by_city.items() if len(names) == 1}
    return cities | {name.lower(): name for name in zone_names()}


class TimeZoneInput(forms.TextInput):
    """``<input list>`` with a ``<datalist>`` of every zone: the browser filters it as
    one types, and nothing needs script."""

    template_name = "accounts/widgets/time_zone.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        defaults = {"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}
        super().__init__({**defaults, **(attrs or {})})

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        widget["list_id"] = f"{widget['attrs'].get('id', name)}-zones"
        widget["attrs"]["list"] = widget["list_id"]
        widget["zones"] = zone_names()
        return context


class TimeZoneField(forms.CharField):
    """A zone name such as America/Chicago; "america/chicago" and "Chicago" are read
    as that too."""

    widget = TimeZoneInput
    default_validators = [validate_time_zone]

    def __init__(self, **kwargs: Any) -> None:
        kwargs["help_text"] = kwargs.get("help_text") or HELP
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        name = " ".join(str(super().to_python(value)).split())
        return _canonical().get(name.lower(), name)
