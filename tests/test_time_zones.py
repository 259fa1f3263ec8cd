"""The shared time-zone field: a searchable list of IANA zones, U.S. zones first,
checked on the server with a clear message for a zone nobody knows."""

from __future__ import annotations

import re

import pytest
from django import forms

from backline.accounts.time_zones import COMMON, TimeZoneField, zone_names
from backline.oncall.forms import QuietHoursForm, RotationForm, ScheduleForm
from backline.roster.forms import AgencyForm


class ZoneForm(forms.Form):
    time_zone = TimeZoneField(label="Time zone")


def test_the_list_offers_every_zone_with_the_us_zones_first() -> None:
    html = str(ZoneForm()["time_zone"])
    listed = re.findall(r'<option value="([^"]+)">', html)
    assert tuple(listed) == zone_names()
    assert listed[: len(COMMON)] == list(COMMON)
    assert "Europe/Paris" in listed and len(listed) == len(set(listed)) > 400
    assert 'list="id_time_zone-zones"' in html and '<datalist id="id_time_zone-zones">' in html
    assert 'autocomplete="off"' in html


@pytest.mark.parametrize(
    "typed", ["America/Chicago", " america/chicago ", "AMERICA/CHICAGO", "Chicago", "chicago"]
)
def test_a_known_zone_is_read_in_its_own_spelling(typed: str) -> None:
    form = ZoneForm({"time_zone": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["time_zone"] == "America/Chicago"


def test_a_city_alone_is_read_as_its_zone() -> None:
    form = ZoneForm({"time_zone": "los  angeles"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["time_zone"] == "America/Los_Angeles"


@pytest.mark.parametrize("typed", ["Central", "CST", "Mars/Olympus", "America/Chicag"])
def test_an_unknown_zone_is_refused_in_plain_words(typed: str) -> None:
    form = ZoneForm({"time_zone": typed})
    assert not form.is_valid()
    assert form.errors["time_zone"] == [
        f"“{typed}” is not a time zone Backline knows. Start typing a city, such as "
        "Chicago, and choose its zone from the list (America/Chicago)."
    ]


def test_an_empty_zone_is_asked_for() -> None:
    form = ZoneForm({"time_zone": ""})
    assert not form.is_valid()
    assert form.errors["time_zone"] == ["This field is required."]


@pytest.mark.parametrize("form", [AgencyForm, RotationForm, ScheduleForm, QuietHoursForm])
def test_every_time_zone_field_is_the_shared_one(
    form: type[AgencyForm | RotationForm | ScheduleForm | QuietHoursForm],
) -> None:
    field = form.base_fields["time_zone"]
    assert isinstance(field, TimeZoneField)
    assert field.help_text
