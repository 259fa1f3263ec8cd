"""Directory entries for tests: ``entry(region, name, ...)`` makes an organization (or
reuses one by name) and a resource with its phones, languages, hours and specialties."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from backline.accounts.models import Region
from backline.directory.models import (
    Language,
    Organization,
    Phone,
    Resource,
    ResourceSpecialty,
    Schedule,
)


def entry(
    region: Region,
    name: str,
    *,
    organization: str = "Harbor Counseling",
    phones: tuple[tuple[str, str], ...] = (("555-0142", "voice"),),
    languages: tuple[tuple[str, str], ...] = (("en", "English"),),
    hours: tuple[tuple[int, time, time], ...] = (),
    specialties: tuple[str, ...] = (),
    **fields: Any,
) -> Resource:
    org = Organization.objects.filter(region=region, name=organization).first()
    org = org or Organization.objects.create(
        region=region, name=organization, description=f"{organization}, a local practice"
    )
    fields.setdefault("time_zone", "America/Los_Angeles")
    made = Resource.objects.create(region=region, organization=org, name=name, **fields)
    for number, kind in phones:
        Phone.objects.create(resource=made, number=number, type=kind)
    for code, language in languages:
        Language.objects.create(resource=made, code=code, name=language)
    for days, opens, closes in hours:
        Schedule.objects.create(resource=made, days=days, opens_at=opens, closes_at=closes)
    for specialty in specialties:
        ResourceSpecialty.objects.create(resource=made, specialty=specialty)
    return made


WEEKDAYS = 0b0011111  # Monday to Friday
EVERY_DAY = 0b1111111
VERIFIED: dict[str, Any] = {
    "verified_on": date(2026, 1, 10),
    "verified_by": "coordinator@harbor.test",
}
