"""The HSDS 3.0 tables and fields Backline reads and writes, with their published names,
types and required fields, and the terms (taxonomy "Backline") that carry what HSDS has
no field for: each is an ``attribute`` of the service (ADR 0030)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from django.db.models import TextChoices

from backline.directory.models import Cost, Kind, Specialty


@dataclass(frozen=True)
class Table:
    name: str  # HSDS's object name, as datapackage.json names a resource
    path: str
    fields: tuple[str, ...]
    required: frozenset[str]
    numbers: frozenset[str] = field(default_factory=frozenset)
    references: tuple[tuple[str, str], ...] = ()  # (field, table path)


ORGANIZATIONS = Table(
    "organization",
    "organizations.csv",
    ("id", "name", "description", "email", "website"),
    frozenset({"id", "name", "description"}),
)
SERVICES = Table(
    "service",
    "services.csv",
    (
        "id", "organization_id", "name", "description", "url", "email", "status",
        "fees_description", "assured_date", "assurer_email",
    ),
    frozenset({"id", "organization_id", "name", "status"}),
    references=(("organization_id", "organizations.csv"),),
)  # fmt: skip
LOCATIONS = Table(
    "location",
    "locations.csv",
    ("id", "location_type", "organization_id", "name"),
    frozenset({"id", "location_type"}),
)
SERVICE_AT_LOCATIONS = Table(
    "service_at_location",
    "service_at_locations.csv",
    ("id", "service_id", "location_id"),
    frozenset({"id", "service_id", "location_id"}),
    references=(("service_id", "services.csv"), ("location_id", "locations.csv")),
)
PHONES = Table(
    "phone",
    "phones.csv",
    ("id", "service_id", "number", "extension", "type", "description"),
    frozenset({"id", "number"}),
    numbers=frozenset({"extension"}),
    references=(("service_id", "services.csv"),),
)
LANGUAGES = Table(
    "language",
    "languages.csv",
    ("id", "service_id", "name", "code"),
    frozenset({"id"}),
    references=(("service_id", "services.csv"),),
)
SCHEDULES = Table(
    "schedule",
    "schedules.csv",
    ("id", "service_id", "freq", "byday", "opens_at", "closes_at", "description"),
    frozenset({"id"}),
    references=(("service_id", "services.csv"),),
)
CONTACTS = Table(
    "contact",
    "contacts.csv",
    ("id", "service_id", "name", "title"),
    frozenset({"id"}),
    references=(("service_id", "services.csv"),),
)
TAXONOMY_TERMS = Table(
    "taxonomy_term",
    "taxonomy_terms.csv",
    ("id", "code", "name", "description", "taxonomy"),
    frozenset({"id", "name", "description"}),
)
ATTRIBUTES = Table(
    "attribute",
    "attributes.csv",
    ("id", "link_id", "link_type", "link_entity", "taxonomy_term_id", "value"),
    frozenset({"id", "link_id", "taxonomy_term_id", "link_entity"}),
    references=(("taxonomy_term_id", "taxonomy_terms.csv"),),
)

# in the order a reader needs them: a table before the tables that refer to it
TABLES = (
    ORGANIZATIONS, SERVICES, LOCATIONS, SERVICE_AT_LOCATIONS, PHONES, LANGUAGES, SCHEDULES,
    CONTACTS, TAXONOMY_TERMS, ATTRIBUTES,
)  # fmt: skip
BY_PATH = {table.path: table for table in TABLES}
NEEDED = (ORGANIZATIONS, SERVICES)  # a file without these holds no directory

TAXONOMY = "Backline"
# the ids Backline derives (of its terms, and of the rows it writes for a service's
# telehealth, place, contact and attributes) are name-based UUIDs, the same each export
NAMESPACE = uuid.UUID("6d1f4c1e-5b7a-4f5e-9b0e-3c2a1d0e9f10")


def derived_id(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


# Backline's terms: code → (name, description). A term with a value (insurance, time
# zone) carries it in the attribute's ``value``.
FIRST_RESPONDER = "first-responder"
ALWAYS_OPEN = "always-open"
INSURANCE = "insurance"
TIME_ZONE = "time-zone"
VALUED = frozenset({INSURANCE, TIME_ZONE})
CHOSEN: dict[str, type[TextChoices]] = {"kind": Kind, "cost": Cost, "specialty": Specialty}


def terms() -> dict[str, tuple[str, str]]:
    found = {
        FIRST_RESPONDER: ("Knows first responders' work", "Competent with first responders"),
        ALWAYS_OPEN: ("Open 24/7", "Open 24 hours a day, 7 days a week"),
        INSURANCE: ("Insurance taken", "The insurance plans taken, in the value"),
        TIME_ZONE: ("Time zone", "The IANA time zone of the service's schedules, in the value"),
    }
    for prefix, choices in CHOSEN.items():
        for value, label in choices.choices:
            found[f"{prefix}:{value}"] = (str(label), f"Backline {prefix}")
    return found
