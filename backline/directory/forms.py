"""The coordinators' form of a directory entry. Phones and hours are typed a line each
(``555-0142 | text | evenings``, ``MO-FR 09:00-17:00``), languages and specialties
ticked; saving replaces the entry's phones, languages, hours and specialties."""

from __future__ import annotations

import re
from datetime import time
from typing import Any

from django import forms
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from backline.accounts import time_zones
from backline.directory.hsds.imports import PHONE
from backline.directory.models import (
    DAY_CODES,
    Language,
    Organization,
    Phone,
    PhoneType,
    Resource,
    ResourceSpecialty,
    Schedule,
    Specialty,
)

LANGUAGES = [
    ("en", _("English")),
    ("es", _("Spanish")),
    ("ase", _("American Sign Language")),
    ("vi", _("Vietnamese")),
    ("zh", _("Chinese")),
    ("tl", _("Tagalog")),
    ("ko", _("Korean")),
    ("ar", _("Arabic")),
    ("ru", _("Russian")),
    ("ht", _("Haitian Creole")),
    ("fr", _("French")),
]
HOURS_LINE = re.compile(
    r"(?P<days>[A-Za-z,\-]+)\s+(?P<opens>\d{1,2}:\d{2})\s*[-\u2013]\s*(?P<closes>\d{1,2}:\d{2})"
)


def _days(text: str) -> int | None:
    """``MO-FR`` or ``MO,WE,SA`` as a bit a weekday, or None when it is not days."""
    bits = 0
    for part in text.upper().split(","):
        first, _dash, last = part.partition("-")
        if first not in DAY_CODES or (last and last not in DAY_CODES):
            return None
        start, end = DAY_CODES.index(first), DAY_CODES.index(last or first)
        for day in range(start, (end if end >= start else end + 7) + 1):
            bits |= 1 << (day % 7)
    return bits


def _time(text: str) -> time | None:
    hours, minutes = (int(part) for part in text.split(":"))
    return time(hours, minutes) if hours < 24 and minutes < 60 else None


class ResourceForm(forms.ModelForm[Resource]):
    url = forms.URLField(
        label=_("Website"),
        required=False,
        max_length=200,
        assume_scheme="https",
        widget=forms.TextInput(attrs={"inputmode": "url", "autocomplete": "url"}),
    )
    organization_name = forms.CharField(
        label=_("Organization"),
        max_length=200,
        help_text=_("Who offers it, such as the agency's EAP provider or a practice."),
    )
    phone_lines = forms.CharField(
        label=_("Phones"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One a line: the number, then “| text” for a number that takes texts, then "
            "“| a note”. For example: 555-0142 | voice | evenings"
        ),
    )
    language_codes = forms.MultipleChoiceField(
        label=_("Languages"), required=False, widget=forms.CheckboxSelectMultiple
    )
    specialty_codes = forms.MultipleChoiceField(
        label=_("Specialties"),
        required=False,
        choices=Specialty.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    hours = forms.CharField(
        label=_("Hours"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One a line, in its time zone: the days, then the hours. For example: "
            "MO-FR 09:00-17:00. A closing time before the opening time runs past midnight."
        ),
    )

    class Meta:
        model = Resource
        fields = [
            "name", "kind", "description", "url", "email", "contact_name", "contact_title",
            "address", "telehealth", "cost", "fees_description", "insurance",
            "first_responder", "always_open", "time_zone", "status",
        ]  # fmt: skip
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "fees_description": forms.Textarea(attrs={"rows": 2}),
        }
        field_classes = {"time_zone": time_zones.TimeZoneField}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        shown = self.instance
        spoken = [(v.code, v.name) for v in shown.languages.all()] if shown.pk else []
        known = dict(LANGUAGES)
        choices = LANGUAGES + [(c, n) for c, n in spoken if c not in known]
        self.fields["language_codes"].choices = choices  # type: ignore[attr-defined]
        self.order_fields(
            ["name", "kind", "organization_name", "description", "phone_lines", "email", "url"]
        )
        if shown.pk:
            self.initial.update(
                organization_name=shown.organization.name,
                phone_lines="\n".join(_phone_line(p) for p in shown.phones.all()),
                language_codes=[c for c, _n in spoken],
                specialty_codes=[s.specialty for s in shown.specialties.all()],
                hours="\n".join(
                    f"{s.byday} {s.opens_at:%H:%M}-{s.closes_at:%H:%M}"
                    for s in shown.schedules.all()
                ),
            )

    def clean_phone_lines(self) -> list[dict[str, Any]]:
        phones = []
        for line in self.cleaned_data["phone_lines"].splitlines():
            if not line.strip():
                continue
            number, _bar, rest = (part.strip() for part in line.partition("|"))
            kind, _bar, note = (part.strip() for part in rest.partition("|"))
            digits = sum(c.isdigit() for c in number)
            if not PHONE.fullmatch(number) or not 3 <= digits <= 15:
                raise forms.ValidationError(
                    _("“%(value)s” is not a phone number."), params={"value": number}
                )
            kind = kind.lower() or PhoneType.VOICE
            if kind not in PhoneType.values:
                raise forms.ValidationError(
                    _("After the number, say voice or text (or leave it out) on: %(line)s"),
                    params={"line": line},
                )
            phones.append({"number": number, "type": kind, "description": note[:300]})
        return phones

    def clean_hours(self) -> list[dict[str, Any]]:
        found = []
        for line in self.cleaned_data["hours"].splitlines():
            if not line.strip():
                continue
            matched = HOURS_LINE.fullmatch(line.strip())
            days = _days(matched["days"]) if matched else None
            opens = _time(matched["opens"]) if matched else None
            closes = _time(matched["closes"]) if matched else None
            if not days or opens is None or closes is None:
                raise forms.ValidationError(
                    _("Write hours as days then times, such as MO-FR 09:00-17:00: %(line)s"),
                    params={"line": line},
                )
            found.append({"days": days, "opens_at": opens, "closes_at": closes})
        return found

    @transaction.atomic
    def save(self, commit: bool = True) -> Resource:
        resource = self.instance
        data = self.cleaned_data
        name = data["organization_name"]
        resource.organization = Organization.objects.filter(
            region=resource.region, name=name
        ).first() or Organization.objects.create(
            region=resource.region, name=name, description=name
        )
        resource = super().save()
        for model in (Phone, Language, Schedule, ResourceSpecialty):
            model.objects.filter(resource=resource).delete()
        Phone.objects.bulk_create(Phone(resource=resource, **p) for p in data["phone_lines"])
        names = dict(self.fields["language_codes"].choices)  # type: ignore[attr-defined]
        Language.objects.bulk_create(
            Language(resource=resource, code=c, name=str(names[c])) for c in data["language_codes"]
        )
        Schedule.objects.bulk_create(Schedule(resource=resource, **h) for h in data["hours"])
        ResourceSpecialty.objects.bulk_create(
            ResourceSpecialty(resource=resource, specialty=s) for s in data["specialty_codes"]
        )
        return resource


def _phone_line(phone: Phone) -> str:
    parts = [phone.number, phone.type]
    if phone.description:
        parts.append(phone.description)
    return " | ".join(parts)
