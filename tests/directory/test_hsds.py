"""HSDS 3.0 import and export: the round trip keeps everything, the files follow the
published schema, and a bad file is reported row by row and imports nothing."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import time
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from backline.accounts.models import Region
from backline.directory.hsds import export, imports, tables
from backline.directory.models import Organization, Resource
from tests.directory.builders import EVERY_DAY, VERIFIED, WEEKDAYS, entry
from tests.personas import World

PUBLISHED = Path(__file__).with_name("hsds_3_0_fields.csv")


def snapshot(region: Region) -> list[dict[str, Any]]:
    """Everything the directory of ``region`` says, without database keys."""
    shown = []
    for r in Resource.objects.filter(region=region).order_by("hsds_id"):
        fields = {
            f.name: getattr(r, f.name)
            for f in Resource._meta.concrete_fields
            if f.name not in {"id", "region", "organization"}
        }
        org = r.organization
        fields["organization"] = (org.hsds_id, org.name, org.description, org.email, org.website)
        fields["phones"] = [
            (p.hsds_id, p.number, p.extension, p.type, p.description) for p in r.phones.all()
        ]
        fields["languages"] = [(v.hsds_id, v.code, v.name) for v in r.languages.all()]
        fields["schedules"] = [
            (s.hsds_id, s.days, s.opens_at, s.closes_at, s.description) for s in r.schedules.all()
        ]
        fields["specialties"] = [s.specialty for s in r.specialties.all()]
        shown.append(fields)
    return shown


def rich_directory(region: Region) -> None:
    entry(
        region,
        "Dr. Ana Morales, LPC",
        kind="clinician",
        description="EMDR for dispatchers; evening sessions.",
        url="https://morales-counseling.example/",
        email="ana@morales-counseling.example",
        contact_name="Ana Morales",
        contact_title="Licensed professional counselor",
        address="400 Harbor Way, Suite 2, Tacoma",
        telehealth=True,
        first_responder=True,
        cost="insurance",
        fees_description="$40 copay with most plans",
        insurance="Regence, Premera, First Choice",
        time_zone="America/Chicago",
        phones=(("(253) 555-0142", "voice"), ("253-555-0143", "text")),
        languages=(("es", "Spanish"), ("en", "English")),
        hours=((WEEKDAYS, time(9), time(17)), (0b0100000, time(22), time(2))),
        specialties=("emdr", "trauma"),
        **VERIFIED,
    )
    entry(
        region,
        "988 Suicide & Crisis Lifeline",
        organization="988 Lifeline",
        kind="crisis_line",
        always_open=True,
        cost="free",
        phones=(("988", "voice"), ("988", "text")),
        hours=((EVERY_DAY, time(0), time(0)),),
        status="active",
    )
    entry(region, "An old group", status="inactive", kind="support_group")


def upload(files: dict[str, bytes]) -> SimpleUploadedFile:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        for name, content in files.items():
            package.writestr(name, content)
    return SimpleUploadedFile("directory.zip", out.getvalue(), "application/zip")


def import_upload(files: dict[str, bytes], region: Region) -> imports.Imported:
    return imports.import_files(imports.unpack([upload(files)]), region)


def test_import_export_import_gives_the_same_directory(world: World) -> None:
    rich_directory(world.region)
    first = export.files(world.region)
    import_upload(first, world.outside_region)
    assert snapshot(world.outside_region) == snapshot(world.region)
    again = export.files(world.outside_region)
    assert again == first  # byte for byte, ids and all

    import_upload(again, world.outside_region)  # importing it once more changes nothing
    assert snapshot(world.outside_region) == snapshot(world.region)
    assert Resource.objects.filter(region=world.outside_region).count() == 3


def test_an_import_updates_entries_it_knows_and_leaves_the_others(world: World) -> None:
    rich_directory(world.region)
    files = export.files(world.region)
    kept = entry(world.outside_region, "A line only this team has")
    import_upload(files, world.outside_region)
    text = files["services.csv"].decode().replace("Dr. Ana Morales, LPC", "Dr. Ana Morales")
    phones = files["phones.csv"].decode().splitlines()
    import_upload(
        {**files, "services.csv": text.encode(), "phones.csv": "\r\n".join(phones[:2]).encode()},
        world.outside_region,
    )
    ana = Resource.objects.get(region=world.outside_region, name="Dr. Ana Morales")
    assert [p.number for p in ana.phones.all()] == ["(253) 555-0142"]
    assert Resource.objects.filter(pk=kept.pk).exists()


def published() -> dict[str, dict[str, bool]]:
    with PUBLISHED.open(newline="") as listed:
        found: dict[str, dict[str, bool]] = {}
        for row in csv.DictReader(listed):
            found.setdefault(row["table"], {})[row["name"]] = row["required"] == "yes"
    return found


def test_the_files_follow_the_published_hsds_3_0_schema(world: World) -> None:
    rich_directory(world.region)
    files = export.files(world.region)
    package = json.loads(files["datapackage.json"])
    schema = published()
    assert {r["path"] for r in package["resources"]} == {t.path for t in tables.TABLES}
    for resource in package["resources"]:
        fields = schema[resource["name"]]
        header = next(csv.reader(io.StringIO(files[resource["path"]].decode())))
        assert header == [f["name"] for f in resource["schema"]["fields"]]
        assert set(header) <= set(fields), resource["name"]  # HSDS's own names only
        required = {name for name, needed in fields.items() if needed}
        assert required <= set(header), resource["name"]
        declared = {f["name"] for f in resource["schema"]["fields"] if f["constraints"]["required"]}
        assert declared == required, resource["name"]
        for row in csv.DictReader(io.StringIO(files[resource["path"]].decode())):
            assert all(row[name] for name in required), (resource["name"], row)
    services = list(csv.DictReader(io.StringIO(files["services.csv"].decode())))
    assert {s["status"] for s in services} == {"active", "inactive"}
    ana = next(s for s in services if s["name"].startswith("Dr. Ana"))
    assert ana["assured_date"] == "2026-01-10"
    assert ana["assurer_email"] == "coordinator@harbor.test"


def test_a_file_from_elsewhere_with_only_the_needed_tables_imports(world: World) -> None:
    files = {
        "organizations.csv": b"id,name,description\r\no1,County EAP,The county's EAP\r\n",
        "services.csv": (
            "\ufeffid,organization_id,name,status,url\r\n"
            "s1,o1,Counseling for 911 staff,active,https://eap.example/\r\n"
        ).encode(),
        "phones.csv": b"id,service_id,number\r\np1,s1,+1 (555) 010-0199\r\n",
    }
    done = import_upload(files, world.region)
    assert done.services == 1
    made = Resource.objects.get(region=world.region)
    assert (made.name, made.kind, made.url) == (
        "Counseling for 911 staff",
        "other",
        "https://eap.example/",
    )
    assert made.phones.get().number == "+1 (555) 010-0199"


def good_files() -> dict[str, bytes]:
    return {
        "organizations.csv": b"id,name,description\r\no1,County EAP,The county's EAP\r\n",
        "services.csv": b"id,organization_id,name,status\r\ns1,o1,Counseling,active\r\n",
    }


def refused(world: World, *uploads: SimpleUploadedFile) -> list[imports.Problem]:
    with pytest.raises(imports.Refused) as caught:
        imports.import_files(imports.unpack(list(uploads)), world.region)
    assert not Resource.objects.exists() and not Organization.objects.exists()
    return caught.value.problems


def csv_upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, "text/csv")


def test_each_bad_row_is_reported_and_nothing_is_imported(world: World) -> None:
    files = {
        "organizations.csv": (
            b"id,name,description,website\r\n"
            b"o1,County EAP,The county's EAP,not a site\r\n"
            b"o1,Twice,The same id again,\r\n"
        ),
        "services.csv": (
            b"id,organization_id,name,status,email\r\n"
            b"s1,o1,Counseling,active,\r\n"
            b"s2,o9,Lost,active,\r\n"
            b"s3,o1,Closed,shut,someone@\r\n"
        ),
        "phones.csv": b"id,service_id,number\r\np1,s1,call us\r\np2,s8,555-0100\r\n",
    }
    problems = refused(world, upload(files))
    where = {(p.file, p.row, p.field) for p in problems}
    assert where == {
        ("organizations.csv", 2, "website"),
        ("organizations.csv", 3, "id"),
        ("services.csv", 3, "organization_id"),
        ("services.csv", 4, "status"),
        ("services.csv", 4, "email"),
        ("phones.csv", 2, "number"),
        ("phones.csv", 3, "service_id"),
    }
    by_place = {(p.file, p.row, p.field): p.message for p in problems}
    assert "o9" in by_place["services.csv", 3, "organization_id"]
    assert "also on row 2" in by_place["organizations.csv", 3, "id"]
    assert "not a phone number" in by_place["phones.csv", 2, "number"]
    assert "web address" in by_place["organizations.csv", 2, "website"]


def test_a_missing_required_column_is_reported(world: World) -> None:
    files = {**good_files(), "services.csv": b"id,organization_id,name\r\ns1,o1,Counseling\r\n"}
    [problem] = refused(world, upload(files))
    assert (problem.file, problem.row, problem.field) == ("services.csv", 1, "status")
    assert "missing" in problem.message


def test_a_file_that_is_not_utf_8_is_reported_with_its_line(world: World) -> None:
    latin = "id,name,description\r\no1,Servicios Católicos,Ayuda\r\n".encode("latin-1")
    problems = refused(
        world,
        csv_upload("organizations.csv", latin),
        csv_upload("services.csv", good_files()["services.csv"]),
    )
    assert [(p.file, p.row) for p in problems] == [("organizations.csv", 2)]
    assert "UTF-8" in problems[0].message


def test_malformed_csv_is_reported(world: World) -> None:
    broken = b'id,organization_id,name,status\r\ns1,o1,"Counseling,active\r\n'
    problems = refused(
        world,
        csv_upload("organizations.csv", good_files()["organizations.csv"]),
        csv_upload("services.csv", broken),
    )
    assert [(p.file, p.row) for p in problems] == [("services.csv", 2)]
    short = b"id,organization_id,name,status\r\ns1,o1\r\n"
    problems = refused(
        world,
        csv_upload("organizations.csv", good_files()["organizations.csv"]),
        csv_upload("services.csv", short),
    )
    assert [(p.file, p.row) for p in problems] == [("services.csv", 2)]
    assert "2 values" in problems[0].message


def test_a_huge_upload_is_refused_before_it_is_read(world: World) -> None:
    class Huge(SimpleUploadedFile):
        def read(self, *args: Any) -> bytes:
            raise AssertionError("a huge file is never read")

    huge = Huge("directory.zip", b"", "application/zip")
    huge.size = (imports.MAX_UPLOAD_MB + 1) * imports.MB
    [problem] = refused(world, huge)
    assert f"{imports.MAX_UPLOAD_MB} MB" in problem.message


def test_a_zip_that_would_unpack_too_large_is_refused(world: World) -> None:
    padding = b"id,name,description\r\n" + b"o1,x,y\r\n" * (
        imports.MAX_UNPACKED_MB * imports.MB // 8 + 1
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("organizations.csv", padding)
        package.writestr("services.csv", good_files()["services.csv"])
    [problem] = refused(world, SimpleUploadedFile("d.zip", out.getvalue()))
    assert "unpack" in problem.message


def test_files_that_are_not_hsds_are_refused(world: World) -> None:
    [problem] = refused(world, csv_upload("people.csv", b"name\r\nQuinn\r\n"))
    assert "organizations.csv" in problem.message
    [problem] = refused(world, csv_upload("services.csv", good_files()["services.csv"]))
    assert problem.file == "organizations.csv" and "missing" in problem.message
    [problem] = refused(world, SimpleUploadedFile("d.zip", b"not a zip"))
    assert "zip" in problem.message


def test_bad_hours_languages_and_terms_are_reported(world: World) -> None:
    files = {
        **good_files(),
        "schedules.csv": (
            b"id,service_id,freq,byday,opens_at,closes_at\r\n"
            b"h1,s1,WEEKLY,MO;TU,09:00,17:00\r\n"
            b"h2,s1,WEEKLY,MO,9am,17:00\r\n"
            b"h3,s1,DAILY,MO,09:00,17:00\r\n"
        ),
        "languages.csv": b"id,service_id,name,code\r\nl1,s1,Spanish,spanish\r\n",
        "taxonomy_terms.csv": (
            b"id,code,name,description,taxonomy\r\n"
            b"t1,kind:wizard,Wizard,No such kind,Backline\r\n"
            b"t2,time-zone,Time zone,Zone,Backline\r\n"
        ),
        "attributes.csv": (
            b"id,link_id,link_entity,taxonomy_term_id,value\r\n"
            b"a1,s1,service,t1,\r\n"
            b"a2,s1,service,t2,Mars/Olympus\r\n"
        ),
    }
    where = {(p.file, p.row, p.field) for p in refused(world, upload(files))}
    assert where == {
        ("schedules.csv", 2, "byday"),
        ("schedules.csv", 3, "opens_at"),
        ("schedules.csv", 4, "freq"),
        ("languages.csv", 2, "code"),
        ("attributes.csv", 2, "taxonomy_term_id"),
        ("attributes.csv", 3, "value"),
    }


def test_an_entry_verified_needs_who_verified_it(world: World) -> None:
    header = b"id,organization_id,name,status,assured_date\r\n"
    files = {**good_files(), "services.csv": header + b"s1,o1,C,active,2026-13-01\r\n"}
    assert [p.field for p in refused(world, upload(files))] == ["assured_date"]
    files["services.csv"] = header + b"s1,o1,C,active,2026-01-01\r\n"
    assert [p.field for p in refused(world, upload(files))] == ["assurer_email"]


def test_an_imported_directory_is_its_teams_alone(world: World) -> None:
    import_upload(good_files(), world.region)
    assert not Resource.objects.visible_to(world.outsider).exists()
    assert Resource.objects.visible_to(world.telecommunicator).get().verified_on is None
