"""The demo directory that `make run` loads: what the walkthrough needs is there."""

from __future__ import annotations

from django.core.management import call_command

from backline.accounts.models import User
from backline.demo import data
from backline.directory import search
from backline.directory.hsds import export, imports
from backline.directory.models import Resource
from backline.lib import clock


def test_the_demo_directory_has_988_the_eap_and_a_spanish_clinician_with_telehealth(
    db: None,
) -> None:
    call_command("load_demo")
    peer = User.objects.get(email="peer@example.org")
    found = search.find(
        peer, {"language": "es", "telehealth": True, "kind": "clinician"}, clock.now()
    )
    [clinician] = found
    assert {s.specialty for s in clinician.specialties.all()} >= {"emdr"}
    lines = Resource.objects.visible_to(peer).filter(always_open=True)
    assert lines.filter(phones__number="988").exists()
    assert lines.filter(kind="eap").exists()
    kinds = set(Resource.objects.visible_to(peer).values_list("kind", flat=True))
    assert kinds >= {
        "crisis_line",
        "eap",
        "chaplain",
        "clinician",
        "support_group",
        "app",
        "reading",
    }
    today = clock.now().date()
    assert any(r.is_stale(today) for r in Resource.objects.all())
    for number in Resource.objects.exclude(phones__number__in=["988", "741741"]).values_list(
        "phones__number", flat=True
    ):
        assert number is None or "555" in number  # invented numbers only


def test_the_demo_directory_passes_its_own_import(db: None) -> None:
    region, _created = data.load()
    files = export.files(region)
    assert imports.read(files, region)  # no problem in it
