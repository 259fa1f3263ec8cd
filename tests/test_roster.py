"""Coordinators and administrators manage people, roles and agencies in their scope."""

from __future__ import annotations

from django.urls import reverse

from backline.accounts.models import Agency, Membership, User
from backline.accounts.roles import Role
from backline.privacy.models import AuditEntry
from tests.harness import ClientOf
from tests.personas import World


def test_a_coordinator_sees_the_region_and_nobody_else(world: World, client_of: ClientOf) -> None:
    page = client_of(world.coordinator).get(reverse("roster:people"))
    names = {u.full_name for u in page.context["page"].object_list}
    assert {"Tess Caller", "Pat Peer", "Ada Admin"} <= names
    assert "Otto Outsider" not in names


def test_people_search(world: World, client_of: ClientOf) -> None:
    coordinator = client_of(world.coordinator)
    page = coordinator.get(reverse("roster:people"), {"q": "pat"})
    assert [u.full_name for u in page.context["page"].object_list] == ["Pat Peer"]
    partial = coordinator.get(reverse("roster:people"), {"q": "tess"}, HTTP_HX_REQUEST="true")
    assert b"Tess Caller" in partial.content
    assert b"<html" not in partial.content  # htmx gets the table alone


def test_an_administrator_sees_only_their_agency(world: World, client_of: ClientOf) -> None:
    colleague = User.objects.create_user(email="b@bayside.test", password="x", full_name="Bo")
    Membership.objects.create(
        user=colleague, region=world.region, agency=world.other_agency, role=Role.TELECOMMUNICATOR
    )
    administrator = client_of(world.administrator)
    names = {
        u.full_name for u in administrator.get(reverse("roster:people")).context["page"].object_list
    }
    assert "Tess Caller" in names and "Bo" not in names
    assert administrator.get(reverse("roster:person", args=[colleague.pk])).status_code == 404


def test_opening_a_persons_page_is_audited_and_shown_to_them(
    world: World, client_of: ClientOf
) -> None:
    client_of(world.coordinator).get(reverse("roster:person", args=[world.telecommunicator.pk]))
    entry = AuditEntry.objects.get()
    assert entry.actor_id == world.coordinator.pk
    assert entry.subject_id == world.telecommunicator.pk
    mine = client_of(world.telecommunicator).get(reverse("who_has_seen_my_data"))
    assert b"Cory Coordinator" in mine.content
    assert b"opened your roster page" in mine.content
    theirs = client_of(world.peer).get(reverse("who_has_seen_my_data"))
    assert b"Cory Coordinator" not in theirs.content


def test_adding_and_removing_a_role(world: World, client_of: ClientOf) -> None:
    coordinator = client_of(world.coordinator)
    url = reverse("roster:role_add", args=[world.telecommunicator.pk])
    coordinator.post(url, {"agency": world.agency.pk, "role": Role.PEER})
    assert world.telecommunicator.memberships.filter(role=Role.PEER).exists()
    duplicate = coordinator.post(url, {"agency": world.agency.pk, "role": Role.PEER}, follow=True)
    assert b"already a Peer supporter" in duplicate.content
    assert world.telecommunicator.memberships.filter(role=Role.PEER).count() == 1
    membership = world.telecommunicator.memberships.get(role=Role.PEER)
    coordinator.post(reverse("roster:role_remove", args=[world.telecommunicator.pk, membership.pk]))
    assert not world.telecommunicator.memberships.filter(role=Role.PEER).exists()


def test_invalid_role_forms_change_nothing(world: World, client_of: ClientOf) -> None:
    coordinator = client_of(world.coordinator)
    url = reverse("roster:role_add", args=[world.telecommunicator.pk])
    response = coordinator.post(
        url, {"agency": world.outside_agency.pk, "role": "superuser"}, follow=True
    )
    assert b"Select a valid choice" in response.content
    assert world.telecommunicator.memberships.count() == 1


def test_an_administrator_cannot_grant_team_roles(world: World, client_of: ClientOf) -> None:
    response = client_of(world.administrator).post(
        reverse("roster:role_add", args=[world.telecommunicator.pk]),
        {"agency": world.agency.pk, "role": Role.COORDINATOR},
        follow=True,
    )
    assert b"You may not give these roles" in response.content
    assert not world.telecommunicator.memberships.filter(role=Role.COORDINATOR).exists()


def test_the_last_coordinator_stays(world: World, client_of: ClientOf) -> None:
    # only another coordinator may remove a coordinator, so the last one is never removed
    membership = world.coordinator.memberships.get(role=Role.COORDINATOR)
    response = client_of(world.coordinator).post(
        reverse("roster:role_remove", args=[world.coordinator.pk, membership.pk]), follow=True
    )
    assert b"Nobody changes their own roles" in response.content
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_deactivating_and_reactivating(world: World, client_of: ClientOf) -> None:
    coordinator = client_of(world.coordinator)
    url = reverse("roster:person_active", args=[world.telecommunicator.pk])
    coordinator.post(url, {"active": "no"})
    assert not User.objects.get(pk=world.telecommunicator.pk).is_active
    coordinator.post(url, {"active": "yes"})
    assert User.objects.get(pk=world.telecommunicator.pk).is_active
    own = coordinator.post(
        reverse("roster:person_active", args=[world.coordinator.pk]), {"active": "no"}, follow=True
    )
    assert b"cannot deactivate your own account" in own.content
    assert User.objects.get(pk=world.coordinator.pk).is_active


def test_an_outsider_changes_nothing_in_another_region(world: World, client_of: ClientOf) -> None:
    outsider = client_of(world.outsider)
    membership = world.telecommunicator.memberships.get()
    for url, data in [
        (
            reverse("roster:role_add", args=[world.telecommunicator.pk]),
            {"agency": world.agency.pk, "role": Role.PEER},
        ),
        (reverse("roster:role_remove", args=[world.telecommunicator.pk, membership.pk]), {}),
        (reverse("roster:person_active", args=[world.telecommunicator.pk]), {"active": "no"}),
        (
            reverse("roster:agency_edit", args=[world.agency.pk]),
            {"name": "Taken", "state": "KS", "time_zone": "America/Chicago"},
        ),
    ]:
        assert outsider.post(url, data).status_code == 404, url
    assert world.telecommunicator.memberships.count() == 1
    assert User.objects.get(pk=world.telecommunicator.pk).is_active
    assert Agency.objects.get(pk=world.agency.pk).name == "Harbor 911"


def test_agencies_are_added_and_edited_with_validation(world: World, client_of: ClientOf) -> None:
    coordinator = client_of(world.coordinator)
    bad = coordinator.post(
        reverse("roster:agency_new"),
        {"name": "North 911", "state": "WA", "time_zone": "Mars/Olympus"},
    )
    assert b"is not a time zone Backline knows" in bad.content
    duplicate = coordinator.post(
        reverse("roster:agency_new"),
        {"name": "Harbor 911", "state": "WA", "time_zone": "America/Los_Angeles"},
    )
    assert b"already exists" in duplicate.content
    assert world.region.agencies.count() == 2
    coordinator.post(
        reverse("roster:agency_new"),
        {"name": "North 911", "state": "WA", "time_zone": "America/Los_Angeles"},
    )
    assert world.region.agencies.filter(name="North 911").exists()
    coordinator.post(
        reverse("roster:agency_edit", args=[world.agency.pk]),
        {"name": "Harbor County 911", "state": "WA", "time_zone": "America/Boise"},
    )
    assert Agency.objects.get(pk=world.agency.pk).time_zone == "America/Boise"


def test_a_coordinators_home_shows_the_region(world: World, client_of: ClientOf) -> None:
    page = client_of(world.coordinator).get(reverse("home"))
    assert b"Coordinating Harbor Peer Team" in page.content
    overview = page.context["regions"][0]
    assert dict(overview["roles"])["Telecommunicator"] == 2
    assert overview["coverage_warnings"] >= 1  # the region has no escalation policy yet
    # the warnings' tile leads to them, at the region's section
    coverage = f"{reverse('policies:coverage')}#region-{world.region.pk}"
    tile = f'<a href="{coverage}">Coverage warnings</a>'
    assert tile in page.content.decode()
