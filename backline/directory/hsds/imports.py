"""Reading HSDS 3.0 tabular data into a team's directory, all of it or nothing.

Everything is checked before anything is saved: the size of the upload (before it is
read), each file's encoding and CSV form, its columns, every row's fields, duplicate ids
and references between the files. Any problem is reported with its file, row, field and
what is wrong, and nothing is imported. A clean file is saved in one transaction: an
organization or service whose id the team already has is updated (its phones, languages,
hours and specialties replaced by the file's), the others are added; the team's other
entries stay as they were.
"""

from __future__ import annotations

import csv
import functools
import io
import re
import zipfile
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import PurePosixPath
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from backline.accounts.models import Region, validate_time_zone
from backline.directory.hsds import tables
from backline.directory.hsds.tables import Table
from backline.directory.models import (
    DAY_CODES,
    Kind,
    Language,
    Organization,
    Phone,
    PhoneType,
    Resource,
    ResourceSpecialty,
    Schedule,
    Status,
)

MAX_UPLOAD_MB = 20  # an upload larger than this is refused before it is read
MAX_UNPACKED_MB = 100  # and a zip whose files would unpack to more than this
MB = 1024 * 1024
PHONE = re.compile(r"\+?[0-9 ().\-]+")
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}")
HOUR = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])(:[0-5][0-9])?")
LOCATION_TYPES = ("physical", "postal", "virtual")
_url = URLValidator(schemes=["http", "https"])

Row = dict[str, str]


@dataclass(frozen=True)
class Problem:
    """What is wrong, where: ``row`` counts as a spreadsheet does (the header is row 1)."""

    file: str
    row: int | None
    field: str
    message: str


class Refused(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


@dataclass
class Imported:
    organizations: int
    services: int


@dataclass
class _Reading:
    """The rows read so far, each with its row number, and the problems found."""

    rows: dict[str, list[tuple[int, Row]]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    _ids: dict[str, set[str]] = field(default_factory=dict)

    def problem(self, table: Table, row: int | None, name: str, message: str) -> None:
        self.problems.append(Problem(table.path, row, name, message))

    def ids(self, path: str) -> set[str]:
        """Every id the file ``path`` holds, its good rows' and the others'."""
        if path not in self._ids:
            self._ids[path] = {row.get("id", "") for _number, row in self.rows.get(path, [])}
        return self._ids[path]


# --- files ----------------------------------------------------------------------------


def unpack(uploads: Iterable[UploadedFile[Any]]) -> dict[str, bytes]:
    """The HSDS files of an upload (a zip, or the CSV files themselves), by name; refused
    whole when it is too large, not a zip or CSV Backline knows, or lacks a needed file."""
    uploads = list(uploads)
    problems: list[Problem] = []
    size = sum(u.size or 0 for u in uploads)
    if size > MAX_UPLOAD_MB * MB:
        raise Refused([too_large(size, ", ".join(u.name or "" for u in uploads))])
    found: dict[str, bytes] = {}
    for upload in uploads:
        name = PurePosixPath(upload.name or "").name
        if name.lower().endswith(".zip"):
            found.update(_unzip(upload, name, problems))
        elif name in tables.BY_PATH or name == "datapackage.json":
            found[name] = upload.read()
        else:
            problems.append(Problem(name, None, "", _known_files()))
    for table in tables.NEEDED:
        if not problems and table.path not in found:
            problems.append(
                Problem(table.path, None, "", _("This file is missing: an import needs it."))
            )
    if problems:
        raise Refused(problems)
    return found


def too_large(size: int, names: str = "") -> Problem:
    message = _(
        "This upload is %(size).1f MB; the largest Backline takes is %(limit)d MB. "
        "Split the directory into smaller files and import each."
    ) % {"size": size / MB, "limit": MAX_UPLOAD_MB}
    return Problem(names, None, "", message)


def _known_files() -> str:
    return _("Backline reads these HSDS files: %(names)s. This one is not among them.") % {
        "names": ", ".join([*tables.BY_PATH, "datapackage.json"])
    }


def _unzip(upload: UploadedFile[Any], name: str, problems: list[Problem]) -> dict[str, bytes]:
    try:
        package = zipfile.ZipFile(upload)
    except zipfile.BadZipFile:
        problems.append(Problem(name, None, "", _("This is not a zip file Backline can open.")))
        return {}
    with package:
        members = [
            info
            for info in package.infolist()
            if PurePosixPath(info.filename).name in {*tables.BY_PATH, "datapackage.json"}
        ]
        unpacked = sum(info.file_size for info in members)
        if unpacked > MAX_UNPACKED_MB * MB:
            message = _(
                "Its files would unpack to %(size).1f MB; the most Backline takes is "
                "%(limit)d MB. Split the directory into smaller files and import each."
            ) % {"size": unpacked / MB, "limit": MAX_UNPACKED_MB}
            problems.append(Problem(name, None, "", message))
            return {}
        return {PurePosixPath(info.filename).name: package.read(info) for info in members}


def _read(table: Table, content: bytes, reading: _Reading) -> None:
    """The rows of one CSV file, each as a dict of its columns."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        reading.problem(
            table,
            line,
            "",
            _(
                "This file is not UTF-8 text (the first unreadable character is on this "
                "line). Save it as CSV UTF-8 and import it again."
            ),
        )
        return
    records = csv.reader(io.StringIO(text, newline=""), strict=True)
    number = 1
    try:
        header = [name.strip() for name in next(records, [])]
        missing = sorted(table.required - set(header))
        for name in missing:
            reading.problem(table, 1, name, _("This required column is missing."))
        if missing:
            return
        rows: list[tuple[int, Row]] = []
        for number, values in enumerate(records, start=2):
            if not any(v.strip() for v in values):
                continue  # a blank line, as spreadsheets leave at the end
            if len(values) != len(header):
                reading.problem(
                    table,
                    number,
                    "",
                    _("This row has %(found)d values where the header has %(columns)d.")
                    % {"found": len(values), "columns": len(header)},
                )
                continue
            rows.append((number, {k: v.strip() for k, v in zip(header, values, strict=True)}))
    except csv.Error as error:
        reading.problem(
            table,
            number + 1,
            "",
            _("This row is not well-formed CSV (%(error)s).") % {"error": error},
        )
        return
    reading.rows[table.path] = rows


# --- fields ---------------------------------------------------------------------------


def _field_problem(row: Row, name: str, limit: int = 0) -> str | None:
    """What is wrong with one field, in plain words, or None."""
    value = row.get(name, "")
    if limit and len(value) > limit:
        return _("This is longer than %(limit)d characters.") % {"limit": limit}
    if not value:
        return None
    try:
        if name in {"url", "website"}:
            _url(value)
        elif name in {"email", "assurer_email"}:
            validate_email(value)
    except ValidationError:
        if name in {"url", "website"}:
            return _("“%(value)s” is not a web address (it starts with https://).") % {
                "value": value
            }
        return _("“%(value)s” is not an e-mail address.") % {"value": value}
    return None


def _required(table: Table, number: int, row: Row, reading: _Reading) -> bool:
    empty = [name for name in sorted(table.required) if not row.get(name)]
    for name in empty:
        reading.problem(table, number, name, _("This required field is empty."))
    return not empty


def _unique(table: Table, reading: _Reading) -> dict[str, tuple[int, Row]]:
    """The table's rows by id, each id once; every row must have its required fields."""
    by_id: dict[str, tuple[int, Row]] = {}
    for number, row in reading.rows.get(table.path, []):
        if not _required(table, number, row, reading):
            continue
        if row["id"] in by_id:
            reading.problem(
                table,
                number,
                "id",
                _("The id %(id)s is also on row %(row)d: each row needs its own id.")
                % {"id": row["id"], "row": by_id[row["id"]][0]},
            )
            continue
        if len(row["id"]) > 64:
            reading.problem(table, number, "id", _("This id is longer than 64 characters."))
            continue
        by_id[row["id"]] = (number, row)
    return by_id


def _check(table: Table, number: int, row: Row, limits: dict[str, int], reading: _Reading) -> None:
    for name in table.fields:
        message = _field_problem(row, name, limits.get(name, 0))
        if message:
            reading.problem(table, number, name, message)


def _refers(
    table: Table, number: int, row: Row, name: str, known: Collection[str], reading: _Reading
) -> bool:
    """Whether the row's ``name`` is the id of a good row among ``known``; a row that
    points to a row with problems of its own is left aside without one more report."""
    value = row.get(name, "")
    if value in known:
        return True
    target = dict(table.references).get(name, tables.SERVICES.path)
    if value and value in reading.ids(target):
        return False
    if not value:
        reading.problem(table, number, name, _("Backline needs to know which one this belongs to."))
    else:
        reading.problem(
            table,
            number,
            name,
            _("No row has the id %(id)s.") % {"id": row[name]},
        )
    return False


# --- the plan: what the file says, checked --------------------------------------------


@dataclass
class _Service:
    fields: dict[str, Any]
    organization: str
    phones: list[dict[str, Any]] = field(default_factory=list)
    languages: list[dict[str, Any]] = field(default_factory=list)
    schedules: list[dict[str, Any]] = field(default_factory=list)
    specialties: set[str] = field(default_factory=set)


def _organizations(reading: _Reading) -> dict[str, dict[str, Any]]:
    table = tables.ORGANIZATIONS
    found = {}
    for oid, (number, row) in _unique(table, reading).items():
        _check(table, number, row, {"name": 200, "email": 254, "website": 200}, reading)
        found[oid] = {k: row.get(k, "") for k in ("name", "description", "email", "website")}
    return found


def _services(reading: _Reading, organizations: Iterable[str]) -> dict[str, _Service]:
    table = tables.SERVICES
    known = set(organizations)
    found = {}
    for sid, (number, row) in _unique(table, reading).items():
        _check(table, number, row, {"name": 200, "url": 200, "email": 254}, reading)
        if row["status"] not in Status.values:
            reading.problem(
                table,
                number,
                "status",
                _("The status is one of: %(choices)s.") % {"choices": ", ".join(Status.values)},
            )
        verified_on = None
        if row.get("assured_date"):
            try:
                verified_on = date.fromisoformat(row["assured_date"])
            except ValueError:
                reading.problem(table, number, "assured_date", _("Give the date as YYYY-MM-DD."))
        if verified_on and not row.get("assurer_email"):
            reading.problem(
                table, number, "assurer_email", _("Say who verified it, by their e-mail.")
            )
        if not _refers(table, number, row, "organization_id", known, reading):
            continue
        found[sid] = _Service(
            {
                "name": row["name"],
                "status": row["status"],
                "description": row.get("description", ""),
                "url": row.get("url", ""),
                "email": row.get("email", ""),
                "fees_description": row.get("fees_description", ""),
                "verified_on": verified_on,
                "verified_by": row.get("assurer_email", "") if verified_on else "",
                "telehealth": False,
                "address": "",
                "contact_name": "",
                "contact_title": "",
            },
            row["organization_id"],
        )
    return found


def _places(reading: _Reading, services: dict[str, _Service]) -> None:
    """Telehealth (a virtual location) and the place to go (a physical one's name)."""
    table = tables.LOCATIONS
    locations = {}
    for lid, (number, row) in _unique(table, reading).items():
        if row["location_type"] not in LOCATION_TYPES:
            reading.problem(
                table,
                number,
                "location_type",
                _("The location type is physical, postal or virtual."),
            )
        elif len(row.get("name", "")) > 300:
            reading.problem(table, number, "name", _("This is longer than 300 characters."))
        else:
            locations[lid] = row
    table = tables.SERVICE_AT_LOCATIONS
    for number, row in _unique(table, reading).values():
        if not _refers(table, number, row, "service_id", services, reading):
            continue
        if not _refers(table, number, row, "location_id", locations, reading):
            continue
        location = locations[row["location_id"]]
        service = services[row["service_id"]].fields
        if location["location_type"] == "virtual":
            service["telehealth"] = True
        elif location.get("name"):
            service["address"] = location["name"]


def _children(reading: _Reading, services: dict[str, _Service]) -> None:
    table = tables.PHONES
    for pid, (number, row) in _unique(table, reading).items():
        digits = sum(c.isdigit() for c in row["number"])
        bad = None
        if not PHONE.fullmatch(row["number"]) or not 3 <= digits <= 15:
            bad = ("number", _("“%(value)s” is not a phone number.") % {"value": row["number"]})
        elif row.get("extension") and not row["extension"].isdigit():
            bad = ("extension", _("An extension is a number."))
        elif row.get("type") and row["type"] not in PhoneType.values:
            bad = (
                "type",
                _("The type is one of: %(choices)s.") % {"choices": ", ".join(PhoneType.values)},
            )
        elif len(row.get("description", "")) > 300 or len(row["number"]) > 40:
            bad = ("description", _("This is too long."))
        if bad:
            reading.problem(table, number, *bad)
        elif _refers(table, number, row, "service_id", services, reading):
            services[row["service_id"]].phones.append(
                {
                    "hsds_id": pid,
                    "number": row["number"],
                    "extension": int(row["extension"]) if row.get("extension") else None,
                    "type": row.get("type") or PhoneType.VOICE,
                    "description": row.get("description", ""),
                }
            )
    table = tables.LANGUAGES
    for lid, (number, row) in _unique(table, reading).items():
        code = row.get("code", "").lower()
        if not LANGUAGE_CODE.fullmatch(code):
            reading.problem(
                table, number, "code", _("Give the language's ISO 639 code, such as es.")
            )
        elif _refers(table, number, row, "service_id", services, reading):
            spoken = services[row["service_id"]].languages
            if any(language["code"] == code for language in spoken):
                reading.problem(table, number, "code", _("This service has this language twice."))
            else:
                name = (row.get("name") or code)[:80]
                spoken.append({"hsds_id": lid, "code": code, "name": name})
    _schedules(reading, services)
    table = tables.CONTACTS
    for number, row in _unique(table, reading).values():
        if _refers(table, number, row, "service_id", services, reading):
            its = services[row["service_id"]].fields
            its["contact_name"] = row.get("name", "")[:200]
            its["contact_title"] = row.get("title", "")[:200]


@functools.cache
def _is_zone(value: str) -> bool:
    """Whether ``value`` is a time zone (the check reads the zone files: once a value)."""
    try:
        validate_time_zone(value)
    except ValidationError:
        return False
    return True


def _hour(value: str) -> time | None:
    matched = HOUR.fullmatch(value)
    return time(int(matched[1]), int(matched[2])) if matched else None


def _schedules(reading: _Reading, services: dict[str, _Service]) -> None:
    table = tables.SCHEDULES
    for hid, (number, row) in _unique(table, reading).items():
        days = [d.strip() for d in row.get("byday", "").split(",") if d.strip()]
        opens, closes = _hour(row.get("opens_at", "")), _hour(row.get("closes_at", ""))
        if row.get("freq", "WEEKLY") not in {"WEEKLY", ""}:
            reading.problem(table, number, "freq", _("Backline reads weekly schedules only."))
        elif not days or not set(days) <= set(DAY_CODES):
            reading.problem(table, number, "byday", _("Name the days as MO,TU,WE,TH,FR,SA,SU."))
        elif opens is None or closes is None:
            name = "opens_at" if opens is None else "closes_at"
            reading.problem(
                table,
                number,
                name,
                _("Give the time as HH:MM on a 24-hour clock, in the service's time zone."),
            )
        elif _refers(table, number, row, "service_id", services, reading):
            services[row["service_id"]].schedules.append(
                {
                    "hsds_id": hid,
                    "days": sum(1 << DAY_CODES.index(d) for d in set(days)),
                    "opens_at": opens,
                    "closes_at": closes,
                    "description": row.get("description", "")[:300],
                }
            )


def _attributes(reading: _Reading, services: dict[str, _Service]) -> None:
    """Backline's own terms, on services; other taxonomies' attributes are left aside."""
    table = tables.TAXONOMY_TERMS
    ours = {
        tid: row["code"]
        for tid, (_number, row) in _unique(table, reading).items()
        if row.get("taxonomy") == tables.TAXONOMY
    }
    known = tables.terms()
    table = tables.ATTRIBUTES
    for number, row in _unique(table, reading).values():
        code = ours.get(row["taxonomy_term_id"])
        if code is None or row["link_entity"] != "service":
            continue
        if code not in known:
            unknown = _("Backline has no term %(code)s.") % {"code": code}
            reading.problem(table, number, "taxonomy_term_id", unknown)
            continue
        if not _refers(table, number, row, "link_id", services, reading):
            continue
        service = services[row["link_id"]]
        prefix, _colon, choice = code.partition(":")
        value = row.get("value", "")
        if prefix == "specialty":
            service.specialties.add(choice)
        elif prefix in tables.CHOSEN:
            service.fields[prefix] = choice
        elif code == tables.TIME_ZONE:
            if _is_zone(value):
                service.fields["time_zone"] = value
            else:
                reading.problem(
                    table, number, "value", _("“%(value)s” is not a time zone.") % {"value": value}
                )
        elif code == tables.INSURANCE:
            service.fields["insurance"] = value[:300]
        else:
            service.fields[code.replace("-", "_")] = True


# --- saving ---------------------------------------------------------------------------


Organizations = dict[str, dict[str, Any]]


def read(files: dict[str, bytes], region: Region) -> tuple[Organizations, dict[str, _Service]]:
    """The organizations and services the files hold, checked; ``Refused`` with every
    problem found if anything is wrong."""
    reading = _Reading()
    for table in tables.TABLES:
        if table.path in files:
            _read(table, files[table.path], reading)
    if reading.problems:  # a file that cannot be read: its rows would only mislead
        raise Refused(reading.problems)
    organizations = _organizations(reading)
    existing = Organization.objects.filter(region=region).values_list("hsds_id", flat=True)
    services = _services(reading, {*organizations, *existing})
    _places(reading, services)
    _children(reading, services)
    _attributes(reading, services)
    if reading.problems:
        raise Refused(reading.problems)
    return organizations, services


M = TypeVar("M", Organization, Resource)


def _upsert(model: type[M], region: Region, found: dict[str, dict[str, Any]]) -> list[int]:
    """Add the rows of ``found`` (values by HSDS id) that the region does not have, and
    update the others where a value differs (one small UPDATE each: far quicker than
    Django's ``bulk_update`` at this size). The updated rows' keys."""
    existing = {row.hsds_id: row for row in model.objects.filter(region=region)}
    added, updated = [], []
    for hsds_id, values in found.items():
        row = existing.get(hsds_id)
        if row is None:
            added.append(model(region=region, hsds_id=hsds_id, **values))
            continue
        updated.append(row.pk)
        if any(getattr(row, name) != value for name, value in values.items()):
            model.objects.filter(pk=row.pk).update(**values)
    model.objects.bulk_create(added, 1000)
    return updated


NOT_CHOSEN = {"kind": Kind.OTHER, "cost": "unknown", "first_responder": False,
              "always_open": False, "insurance": ""}  # fmt: skip


def _save(region: Region, organizations: Organizations, services: dict[str, _Service]) -> Imported:
    _upsert(Organization, region, organizations)
    org_pks = dict(Organization.objects.filter(region=region).values_list("hsds_id", "pk"))
    rows = {
        sid: {**NOT_CHOSEN, **s.fields, "organization_id": org_pks[s.organization]}
        for sid, s in services.items()
    }
    updated = _upsert(Resource, region, rows)
    pks = dict(Resource.objects.filter(region=region).values_list("hsds_id", "pk"))
    for start in range(0, len(updated), 1000):  # their children, replaced by the file's
        some = updated[start : start + 1000]
        for model in (Phone, Language, Schedule, ResourceSpecialty):
            model.objects.filter(resource__in=some).delete()
    Phone.objects.bulk_create(
        (Phone(resource_id=pks[sid], **p) for sid, s in services.items() for p in s.phones), 2000
    )
    Language.objects.bulk_create(
        (Language(resource_id=pks[sid], **v) for sid, s in services.items() for v in s.languages),
        2000,
    )
    Schedule.objects.bulk_create(
        (Schedule(resource_id=pks[sid], **h) for sid, s in services.items() for h in s.schedules),
        2000,
    )
    ResourceSpecialty.objects.bulk_create(
        (
            ResourceSpecialty(resource_id=pks[sid], specialty=choice)
            for sid, s in services.items()
            for choice in sorted(s.specialties)
        ),
        2000,
    )
    return Imported(organizations=len(organizations), services=len(services))


def import_files(files: dict[str, bytes], region: Region) -> Imported:
    """Check ``files`` whole, then save them in one transaction, or ``Refused``."""
    organizations, services = read(files, region)
    try:
        with transaction.atomic():
            return _save(region, organizations, services)
    except IntegrityError as error:
        message = _("Someone changed the directory at the same moment. Import the file again.")
        raise Refused([Problem("", None, "", message)]) from error
