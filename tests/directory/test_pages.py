"""The directory pages: members search and read, coordinators add, edit, verify,
delete (after a confirm step), import and export; nobody else changes anything."""

from __future__ import annotations

import io
import zipfile
from datetime import date, time
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from backline.directory.hsds import export, imports
from backline.directory.models import Resource
from tests.directory.builders import WEEKDAYS, entry
from tests.directory.test_hsds import good_files, upload
from tests.harness import ClientOf, Clock
from tests.personas import World

NEW = {
    "name": "Dr. Rosa Quintero, LMFT",
    "kind": "clinician",
    "organization_name": "Quintero Family Therapy",
    "description": "Trauma-informed therapy for first responders",
    "phone_lines": "(253) 555-0161 | voice | leave a message\n253-555-0162 | text",
    "email": "rosa@quintero.example",
    "url": "https://quintero.example/",
    "language_codes": ["es", "en"],
    "specialty_codes": ["emdr", "couples"],
    "hours": "MO-TH 08:00-18:00\nFR 20:00-02:00",
    "telehealth": "on",
    "first_responder": "on",
    "cost": "sliding_scale",
    "time_zone": "America/Los_Angeles",
    "status": "active",
}


def test_a_coordinator_adds_an_entry_with_its_phones_hours_and_languages(
    world: World, client_of: ClientOf
) -> None:
    response = client_of(world.coordinator).post(reverse("directory:resource_new"), NEW)
    made = Resource.objects.get(name=NEW["name"])
    assert response.status_code == 302
    assert response["Location"] == reverse("directory:resource", args=[made.pk])
    assert made.region == world.region and made.organization.name == "Quintero Family Therapy"
    assert [(p.number, p.type, p.description) for p in made.phones.all()] == [
        ("(253) 555-0161", "voice", "leave a message"),
        ("253-555-0162", "text", ""),
    ]
    assert sorted(v.code for v in made.languages.all()) == ["en", "es"]
    assert [(s.byday, s.opens_at, s.closes_at) for s in made.schedules.all()] == [
        ("MO,TU,WE,TH", time(8), time(18)),
        ("FR", time(20), time(2)),
    ]
    assert {s.specialty for s in made.specialties.all()} == {"emdr", "couples"}


def test_a_bad_phone_or_hours_line_is_refused_and_nothing_is_added(
    world: World, client_of: ClientOf
) -> None:
    client = client_of(world.coordinator)
    bad = {**NEW, "phone_lines": "call the front desk", "hours": "weekdays 9 to 5"}
    response = client.post(reverse("directory:resource_new"), bad)
    assert response.status_code == 200
    assert "is not a phone number" in response.content.decode()
    assert "such as MO-FR 09:00-17:00" in response.content.decode()
    assert not Resource.objects.exists()
    response = client.post(reverse("directory:resource_new"), {**NEW, "url": "ftp://x"})
    assert response.status_code == 200 and not Resource.objects.exists()


def test_others_cannot_add_edit_verify_or_delete(world: World, client_of: ClientOf) -> None:
    shown = entry(world.region, "Harbor EAP")
    for person in (world.peer, world.telecommunicator, world.administrator, world.outsider):
        client = client_of(person)
        assert (
            client.post(reverse("directory:resource_edit", args=[shown.pk]), NEW).status_code == 404
        )
        assert client.post(reverse("directory:resource_verify", args=[shown.pk])).status_code == 404
        deleting = client.post(
            reverse("directory:resource_delete", args=[shown.pk]), {"confirm": "yes"}
        )
        assert deleting.status_code == 404
    shown.refresh_from_db()
    assert shown.name == "Harbor EAP" and shown.verified_on is None


def test_a_coordinator_edits_an_entry(world: World, client_of: ClientOf) -> None:
    shown = entry(world.region, "Harbor EAP", phones=(("555-0100", "voice"),))
    client = client_of(world.coordinator)
    page = client.get(reverse("directory:resource_edit", args=[shown.pk])).content.decode()
    assert "555-0100 | voice" in page
    response = client.post(
        reverse("directory:resource_edit", args=[shown.pk]),
        {**NEW, "name": "Harbor EAP (24/7)", "always_open": "on"},
    )
    assert response.status_code == 302
    shown.refresh_from_db()
    assert shown.name == "Harbor EAP (24/7)" and shown.always_open
    assert shown.phones.count() == 2


def test_verifying_an_entry_says_who_and_when_and_an_old_one_is_flagged(
    world: World, client_of: ClientOf, moment: Clock
) -> None:
    shown = entry(
        world.region, "Harbor EAP", verified_on=date(2024, 1, 5), verified_by="old@harbor.test"
    )
    page = client_of(world.peer).get(reverse("directory:resource", args=[shown.pk]))
    assert "Not verified in the last year" in page.content.decode()
    client = client_of(world.coordinator)
    for _twice in range(2):  # a double tap verifies once, the same way
        client.post(reverse("directory:resource_verify", args=[shown.pk]))
    shown.refresh_from_db()
    assert shown.verified_by == world.coordinator.email
    assert shown.verified_on == moment.shift().astimezone(world.coordinator.time_zone).date()
    page = client_of(world.peer).get(reverse("directory:resource", args=[shown.pk]))
    assert "Not verified in the last year" not in page.content.decode()


def test_deleting_needs_the_confirm_step(world: World, client_of: ClientOf) -> None:
    shown = entry(world.region, "Harbor EAP")
    client = client_of(world.coordinator)
    url = reverse("directory:resource_delete", args=[shown.pk])
    client.post(url)  # a stale form, or a stray tap: nothing changes
    assert Resource.objects.filter(pk=shown.pk).exists()
    response = client.post(url, {"confirm": "yes"})
    assert response["Location"] == reverse("directory:directory")
    assert not Resource.objects.filter(pk=shown.pk).exists()
    assert client.post(url, {"confirm": "yes"}).status_code == 404  # twice: already gone
    assert client.get(reverse("directory:resource_edit", args=[shown.pk])).status_code == 404


def test_a_peer_finds_a_spanish_speaking_clinician_with_telehealth(
    world: World, client_of: ClientOf
) -> None:
    entry(
        world.region,
        "Dr. Ana Morales",
        kind="clinician",
        telehealth=True,
        languages=(("es", "Spanish"),),
        hours=((WEEKDAYS, time(9), time(17)),),
    )
    entry(world.region, "Dr. Sam Lee", kind="clinician")
    entry(
        world.outside_region,
        "Prairie Spanish Line",
        telehealth=True,
        languages=(("es", "Spanish"),),
    )
    url = reverse("directory:directory")
    page = client_of(world.peer).get(url, {"language": "es", "telehealth": "on"}).content.decode()
    assert "Dr. Ana Morales" in page and "Dr. Sam Lee" not in page
    assert "Prairie" not in page
    outsider = client_of(world.outsider).get(url).content.decode()
    assert "Morales" not in outsider and "Prairie Spanish Line" in outsider


def test_the_filters_keep_on_every_page(world: World, client_of: ClientOf) -> None:
    for number in range(30):
        entry(world.region, f"Line {number:02}", cost="free")
    page = client_of(world.peer).get(reverse("directory:directory"), {"cost": "free"})
    assert "cost=free&amp;page=2" in page.content.decode()


def test_a_coordinator_imports_and_exports_the_directory(world: World, client_of: ClientOf) -> None:
    client = client_of(world.coordinator)
    url = reverse("directory:import")
    for _twice in range(2):  # importing the same file again changes nothing
        response = client.post(url, {"files": upload(good_files())})
        assert response.status_code == 302
    assert list(Resource.objects.values_list("name", flat=True)) == ["Counseling"]
    exported = client.get(reverse("directory:export"))
    assert exported["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(exported.content)) as package:
        assert {"datapackage.json", "services.csv", "organizations.csv"} <= set(package.namelist())
        assert package.read("services.csv") == export.files(world.region)["services.csv"]


def test_a_bad_import_shows_each_problem_and_imports_nothing(
    world: World, client_of: ClientOf
) -> None:
    files = {**good_files(), "phones.csv": b"id,service_id,number\r\np1,s1,not a number\r\n"}
    response = client_of(world.coordinator).post(
        reverse("directory:import"), {"files": upload(files)}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was imported" in page and "phones.csv" in page and "not a phone number" in page
    assert not Resource.objects.exists()
    empty = client_of(world.coordinator).post(reverse("directory:import"), {})
    assert empty.status_code == 400 and "Choose a file" in empty.content.decode()
    latin = SimpleUploadedFile(
        "organizations.csv", "id,name,description\r\no,Católica,x\r\n".encode("latin-1")
    )
    services = SimpleUploadedFile("services.csv", good_files()["services.csv"])
    response = client_of(world.coordinator).post(
        reverse("directory:import"), {"files": [latin, services]}
    )
    assert "UTF-8" in response.content.decode() and not Resource.objects.exists()


def test_a_huge_upload_stores_none_of_its_files(
    world: World, client_of: ClientOf, settings: Any
) -> None:
    huge = b"id,name,description\r\n" + b"o1,x,y\r\n" * (imports.MAX_UPLOAD_MB * imports.MB // 8)
    files = [
        SimpleUploadedFile("organizations.csv", huge),
        SimpleUploadedFile("services.csv", good_files()["services.csv"]),
    ]
    client = client_of(world.coordinator)
    client.handler.enforce_csrf_checks = True  # the import still checks the form's token
    page = client.get(reverse("directory:import"))
    token = page.cookies["csrftoken"].value
    response = client.post(
        reverse("directory:import"),
        {"csrfmiddlewaretoken": token, "files": files},  # the token first, as the form has it
    )
    assert response.status_code == 400
    assert f"the largest Backline takes is {imports.MAX_UPLOAD_MB} MB" in response.content.decode()
    assert not response.wsgi_request.FILES  # none of it was stored
    assert not Resource.objects.exists()
    forged = client.post(reverse("directory:import"), {"files": [files[1]]})
    assert forged.status_code == 403  # no token: refused
