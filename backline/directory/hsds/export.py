"""A team's directory written as HSDS 3.0 tabular data: one CSV file a table and the
``datapackage.json`` that describes them, in one zip."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterable, Iterator
from typing import Any

from django.utils import translation

from backline.accounts.models import Region
from backline.directory.hsds import tables
from backline.directory.hsds.tables import Table, derived_id
from backline.directory.models import (
    Language,
    Organization,
    Phone,
    Resource,
    ResourceSpecialty,
    Schedule,
)

Row = dict[str, Any]


def datapackage() -> dict[str, Any]:
    """The package descriptor: each table's fields, required ones and references."""

    def schema(table: Table) -> dict[str, Any]:
        described: dict[str, Any] = {
            "fields": [
                {
                    "name": name,
                    "type": "number" if name in table.numbers else "string",
                    "constraints": {"required": name in table.required},
                }
                for name in table.fields
            ],
            "primaryKey": "id",
        }
        if table.references:
            described["foreignKeys"] = [
                {
                    "fields": name,
                    "reference": {"resource": tables.BY_PATH[path].name, "fields": "id"},
                }
                for name, path in table.references
            ]
        return described

    return {
        "name": "backline-directory",
        "title": "Backline resource directory",
        "description": "Open Referral HSDS 3.0 tabular data",
        "profile": "tabular-data-package",
        "resources": [
            {
                "name": table.name,
                "path": table.path,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": schema(table),
            }
            for table in tables.TABLES
        ],
    }


def _services(region: Region) -> Iterator[tuple[Row, list[Row], list[Row], list[Row], list[Row]]]:
    """Each service's row, with the rows it adds to locations, service_at_locations,
    contacts and attributes."""
    specialties: dict[int, list[str]] = {}
    for resource_id, specialty in ResourceSpecialty.objects.filter(
        resource__region=region
    ).values_list("resource_id", "specialty"):
        specialties.setdefault(resource_id, []).append(specialty)
    listed = Resource.objects.filter(region=region).select_related("organization").order_by("pk")
    for r in listed.iterator(chunk_size=2000):
        sid = r.hsds_id
        row = {
            "id": sid,
            "organization_id": r.organization.hsds_id,
            "name": r.name,
            "description": r.description,
            "url": r.url,
            "email": r.email,
            "status": r.status,
            "fees_description": r.fees_description,
            "assured_date": r.verified_on.isoformat() if r.verified_on else "",
            "assurer_email": r.verified_by,
        }
        places: list[tuple[str, str, str]] = []
        if r.telehealth:
            places.append(("telehealth", "virtual", "Telehealth"))
        if r.address:
            places.append(("in-person", "physical", r.address))
        locations = [
            {
                "id": derived_id(sid, key),
                "location_type": kind,
                "organization_id": r.organization.hsds_id,
                "name": name,
            }
            for key, kind, name in places
        ]
        at = [
            {"id": derived_id(sid, key, "at"), "service_id": sid, "location_id": loc["id"]}
            for (key, _kind, _name), loc in zip(places, locations, strict=True)
        ]
        contacts = (
            [
                {
                    "id": derived_id(sid, "contact"),
                    "service_id": sid,
                    "name": r.contact_name,
                    "title": r.contact_title,
                }
            ]
            if r.contact_name or r.contact_title
            else []
        )
        codes: list[tuple[str, str]] = [(f"kind:{r.kind}", ""), (f"cost:{r.cost}", "")]
        codes += [(f"specialty:{s}", "") for s in sorted(specialties.get(r.pk, []))]
        codes.append((tables.TIME_ZONE, r.time_zone))
        if r.first_responder:
            codes.append((tables.FIRST_RESPONDER, ""))
        if r.always_open:
            codes.append((tables.ALWAYS_OPEN, ""))
        if r.insurance:
            codes.append((tables.INSURANCE, r.insurance))
        attributes = [
            {
                "id": derived_id(sid, code),
                "link_id": sid,
                "link_type": "",
                "link_entity": "service",
                "taxonomy_term_id": derived_id("term", code),
                "value": value,
            }
            for code, value in codes
        ]
        yield row, locations, at, contacts, attributes


def _children(region: Region) -> dict[str, Iterable[Row]]:
    phones = (
        {
            "id": p["hsds_id"],
            "service_id": p["resource__hsds_id"],
            "number": p["number"],
            "extension": "" if p["extension"] is None else p["extension"],
            "type": p["type"],
            "description": p["description"],
        }
        for p in Phone.objects.filter(resource__region=region)
        .order_by("pk")
        .values("hsds_id", "resource__hsds_id", "number", "extension", "type", "description")
        .iterator(chunk_size=5000)
    )
    languages = (
        {"id": hid, "service_id": sid, "name": name, "code": code}
        for hid, sid, name, code in Language.objects.filter(resource__region=region)
        .order_by("pk")
        .values_list("hsds_id", "resource__hsds_id", "name", "code")
        .iterator(chunk_size=5000)
    )
    schedules = (
        {
            "id": s.hsds_id,
            "service_id": s.resource.hsds_id,
            "freq": "WEEKLY",
            "byday": s.byday,
            "opens_at": f"{s.opens_at:%H:%M}",
            "closes_at": f"{s.closes_at:%H:%M}",
            "description": s.description,
        }
        for s in Schedule.objects.filter(resource__region=region)
        .select_related("resource")
        .only("hsds_id", "days", "opens_at", "closes_at", "description", "resource__hsds_id")
        .order_by("pk")
        .iterator(chunk_size=5000)
    )
    return {"phones.csv": phones, "languages.csv": languages, "schedules.csv": schedules}


def _csv(table: Table, rows: Iterable[Row]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=table.fields, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def files(region: Region) -> dict[str, bytes]:
    """Each file of the package, by its name."""
    organizations = (
        {"id": o.hsds_id, "name": o.name, "description": o.description,
         "email": o.email, "website": o.website}
        for o in Organization.objects.filter(region=region).order_by("pk")
    )  # fmt: skip
    services, locations, at, contacts, attributes = [], [], [], [], []
    for row, its_locations, its_at, its_contacts, its_attributes in _services(region):
        services.append(row)
        locations += its_locations
        at += its_at
        contacts += its_contacts
        attributes += its_attributes
    with translation.override("en"):
        terms = [
            {"id": derived_id("term", code), "code": code, "name": name,
             "description": description, "taxonomy": tables.TAXONOMY}
            for code, (name, description) in tables.terms().items()
        ]  # fmt: skip
    rows: dict[str, Iterable[Row]] = {
        "organizations.csv": organizations,
        "services.csv": services,
        "locations.csv": locations,
        "service_at_locations.csv": at,
        "contacts.csv": contacts,
        "taxonomy_terms.csv": terms,
        "attributes.csv": attributes,
        **_children(region),
    }
    written = {table.path: _csv(table, rows[table.path]) for table in tables.TABLES}
    written["datapackage.json"] = json.dumps(datapackage(), indent=2).encode("utf-8")
    return written


def zipped(region: Region) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for name, content in files(region).items():
            package.writestr(name, content)
    return out.getvalue()
