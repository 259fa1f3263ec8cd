"""Picking the resource of a referral on the record form: it sets the referral's category
from the resource's kind, and the record keeps the category alone (the raw row holds no
trace of which resource); another team's resource, or a category that contradicts the
pick, is refused and nothing is saved; a counts-only team's form offers no pick."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from backline.directory.models import Kind, Resource
from backline.records import referrals
from backline.records.models import ContactRecord, RecordMode, RecordSettings, Referral
from tests.directory.builders import entry
from tests.harness import Clock
from tests.personas import World
from tests.records.test_records import _client, _form


@pytest.mark.parametrize("kind", Kind.values)
def test_every_kind_counts_as_a_referral_category(kind: str) -> None:
    category = referrals.category_of(kind)
    assert category in Referral.values and category != Referral.NONE
    expected = {"app": "other", "reading": "other"}.get(kind, kind)
    assert category == expected


def test_the_mapping_names_every_kind_and_nothing_else() -> None:
    assert set(referrals.CATEGORY_OF_KIND) == set(Kind)


@pytest.fixture
def clinician(world: World) -> Resource:
    return entry(
        world.region,
        "Dr. Zélie Quarrington",
        organization="Quarrington Counseling",
        kind="clinician",
        hsds_id="hsds-quarrington-7781",
    )


def _records() -> list[tuple[object, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {ContactRecord._meta.db_table}")
        return list(cursor.fetchall())


def test_picking_a_resource_sets_the_category_and_keeps_only_that(
    world: World, moment: Clock, clinician: Resource
) -> None:
    peer = _client(world.peer)
    page = peer.get(reverse("records:new")).content.decode()
    assert "Which resource?" in page
    assert (
        f'<optgroup label="Clinician">\n  <option value="{clinician.pk}">{clinician.name}</option>'
        in page
    )
    response = peer.post(reverse("records:new"), _form(referral="none", resource=str(clinician.pk)))
    assert response.status_code == 302
    saved = ContactRecord.objects.get()
    assert saved.referral == Referral.CLINICIAN
    [row] = _records()
    columns = [c.name for c in connection.introspection.get_table_description(
        connection.cursor(), ContactRecord._meta.db_table
    )]  # fmt: skip
    assert not [c for c in columns if "resource" in c]
    raw = repr(row)
    for trace in (clinician.name, clinician.hsds_id, "Quarrington"):
        assert trace not in raw
    # the one column that could hold a number from the pick holds the category
    assert dict(zip(columns, row, strict=True))["referral"] == "clinician"
    shown = peer.get(reverse("records:mine")).content.decode()
    assert "Clinician" in shown and clinician.name not in shown


def test_a_matching_category_is_kept(world: World, moment: Clock, clinician: Resource) -> None:
    response = _client(world.peer).post(
        reverse("records:new"), _form(referral="clinician", resource=str(clinician.pk))
    )
    assert response.status_code == 302
    assert ContactRecord.objects.get().referral == "clinician"


def test_a_contradicting_category_is_refused_and_nothing_saved(
    world: World, moment: Clock, clinician: Resource
) -> None:
    response = _client(world.peer).post(
        reverse("records:new"), _form(referral="eap", resource=str(clinician.pk))
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "counts as “Clinician”, and the referral says “EAP”" in page
    assert not ContactRecord.objects.exists()


def test_another_teams_resource_is_refused_and_nothing_saved(world: World, moment: Clock) -> None:
    theirs = entry(world.outside_region, "Prairie Counseling", kind="clinician")
    response = _client(world.peer).post(
        reverse("records:new"), _form(referral="none", resource=str(theirs.pk))
    )
    assert response.status_code == 400
    assert "That resource is not in your team" in response.content.decode()
    assert not ContactRecord.objects.exists()
    assert (
        _client(world.peer).get(reverse("records:new")).content.decode().count("Prairie Counseling")
        == 0
    )


def test_a_counts_only_team_offers_no_pick(
    world: World, moment: Clock, clinician: Resource
) -> None:
    RecordSettings.objects.create(region=world.region, mode=RecordMode.COUNTS)
    peer: Client = _client(world.peer)
    assert "Which resource?" not in peer.get(reverse("records:new")).content.decode()
    response = peer.post(
        reverse("records:new"),
        {"date": "2026-03-02", "contact_type": "request", "once": "x" * 43,
         "resource": str(clinician.pk)},
    )  # fmt: skip
    assert response.status_code == 302
    assert ContactRecord.objects.get().referral == ""


def test_a_link_from_a_card_fills_in_the_category_never_an_id(
    world: World, moment: Clock, clinician: Resource
) -> None:
    peer = _client(world.peer)
    page = peer.get(reverse("records:new") + "?referral=clinician").content.decode()
    assert '<option value="clinician" selected>' in page
    unknown = peer.get(reverse("records:new") + f"?referral={clinician.pk}").content.decode()
    assert '<option value="none" selected>' in unknown
    assert f'<option value="{clinician.pk}" selected>' not in unknown
