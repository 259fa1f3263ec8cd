"""Roles cannot be used to get in: nobody changes their own roles, and every grant and
removal is recorded, shown to the person concerned and to the whole team."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from backline.accounts import grants
from backline.accounts.models import Membership, RoleChange, RoleChangeKind, User
from backline.accounts.roles import Role
from backline.demo import data
from backline.privacy.models import AuditEntry
from tests.append_only import assert_append_only
from tests.harness import ClientOf
from tests.personas import World, confirm_access, enrol_totp, make_person
from tests.test_invitations import NEW_PASSWORD, accept, invite, link_from_mail

# 18:30 UTC: 10:30 in Harbor (Los Angeles), 12:30 in Prairie (Chicago)
DAY = datetime(2026, 12, 2, 18, 30, tzinfo=UTC)
OWN_ROLES = b"Nobody changes their own roles"
MEMBERS = ["telecommunicator", "peer", "coordinator", "clinician", "administrator"]


def roles_of(user: User) -> set[tuple[str, int | None]]:
    return set(Membership.objects.filter(user=user).values_list("role", "agency"))


def changes_page(client: Client) -> str:
    return client.get(reverse("roster_changes")).content.decode()


def what_they_were_told(client: Client) -> str:
    return client.get(reverse("who_has_seen_my_data")).content.decode()


def sentences(html: str) -> list[str]:
    """The roster-changes page's lines, as a reader reads them."""
    items = re.findall(r"<li>(.*?)</li>", html, flags=re.S)
    return [" ".join(re.sub(r"<[^>]+>", "", item).split()) for item in items if " by " in item]


@pytest.mark.parametrize(
    ("manager", "role"), [("coordinator", Role.PEER), ("administrator", Role.TELECOMMUNICATOR)]
)
def test_nobody_adds_or_removes_their_own_roles(
    world: World, client_of: ClientOf, manager: str, role: Role
) -> None:
    me = getattr(world, manager)
    client = client_of(me)
    before = roles_of(me)

    added = client.post(
        reverse("roster:role_add", args=[me.pk]), {"agency": world.agency.pk, "role": role}
    )
    assert added.status_code == 302
    page = client.get(added["Location"])
    assert OWN_ROLES in page.content
    # the page of one's own roles offers no way to change them
    assert reverse("roster:role_add", args=[me.pk]).encode() not in page.content
    assert b"/remove/" not in page.content

    own = me.memberships.get()
    removed = client.post(reverse("roster:role_remove", args=[me.pk, own.pk]), follow=True)
    assert OWN_ROLES in removed.content

    assert roles_of(me) == before
    assert not RoleChange.objects.exists()
    assert not AuditEntry.objects.filter(subject_id=me.pk).exists()


def test_the_database_refuses_a_change_made_by_its_own_person(world: World) -> None:
    with pytest.raises(grants.OwnRoles):
        grants.grant(world.coordinator, world.agency, Role.PEER, by=world.coordinator)
    with pytest.raises(grants.OwnRoles):
        grants.remove(world.coordinator.memberships.get(), by=world.coordinator)
    assert not world.coordinator.memberships.filter(role=Role.PEER).exists()
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleChange.objects.create(
            region=world.region,
            agency=world.agency,
            person=world.coordinator,
            person_label="Cory Coordinator",
            role=Role.PEER,
            kind=RoleChangeKind.GRANTED,
            by=world.coordinator,
            by_label="Cory Coordinator",
        )
    assert not RoleChange.objects.exists()


def test_a_grant_and_a_removal_are_recorded_and_the_whole_team_sees_them(
    world: World, client_of: ClientOf, client: Client
) -> None:
    person = world.telecommunicator
    with time_machine.travel(DAY, tick=False) as traveller:
        coordinator = client_of(world.coordinator)
        coordinator.post(
            reverse("roster:role_add", args=[person.pk]),
            {"agency": world.agency.pk, "role": Role.PEER},
        )
        membership = person.memberships.get(role=Role.PEER)
        traveller.shift(timedelta(hours=3))
        confirm_access(coordinator)  # hours later, a change of roles asks again
        coordinator.post(reverse("roster:role_remove", args=[person.pk, membership.pk]))
    assert not person.memberships.filter(role=Role.PEER).exists()

    granted, removed = RoleChange.objects.order_by("at")
    assert (granted.kind, removed.kind) == (RoleChangeKind.GRANTED, RoleChangeKind.REMOVED)
    assert granted.at == membership.created_at == DAY  # the moment the role began
    for change in (granted, removed):
        assert (change.person_id, change.person_label) == (person.pk, "Tess Caller")
        assert (change.by_id, change.by_label) == (world.coordinator.pk, "Cory Coordinator")
        assert (change.region, change.agency, change.role) == (
            world.region,
            world.agency,
            Role.PEER,
        )
    entries = AuditEntry.objects.filter(subject_id=person.pk, object_type="accounts.rolechange")
    assert sorted(entries.values_list("actor_id", "object_id")) == [
        (world.coordinator.pk, str(granted.pk)),
        (world.coordinator.pk, str(removed.pk)),
    ]

    expected = [  # newest first, in Harbor's time
        "Tess Caller is no longer a peer supporter at Harbor 911: removed on Wed 2 Dec 2026, "
        "13:30, by Cory Coordinator",
        "Tess Caller became a peer supporter at Harbor 911 on Wed 2 Dec 2026, 10:30, "
        "by Cory Coordinator",
    ]
    for member in MEMBERS:
        assert sentences(changes_page(client_of(getattr(world, member)))) == expected, member

    told = what_they_were_told(client_of(person))
    assert "made you a peer supporter at Harbor 911" in told
    assert "ended your role as a peer supporter at Harbor 911" in told
    assert "Cory Coordinator" in told
    assert "peer supporter" not in what_they_were_told(client_of(world.peer))

    outsider = changes_page(client_of(world.outsider))
    assert "Tess Caller" not in outsider and "Harbor" not in outsider
    visitor = client.get(reverse("roster_changes"))
    assert visitor.status_code == 302
    assert visitor["Location"].startswith(reverse("account_login"))


def test_each_region_reads_only_its_own_changes_in_its_own_time(
    world: World, client_of: ClientOf
) -> None:
    prairie_coordinator = make_person(
        "coord@prairie.test", "Pia Prairie", world.outside_agency, Role.COORDINATOR
    )
    with time_machine.travel(DAY, tick=False):
        grants.grant(world.outsider, world.outside_agency, Role.PEER, by=prairie_coordinator)
        grants.grant(world.telecommunicator, world.agency, Role.PEER, by=world.coordinator)
    assert sentences(changes_page(client_of(world.outsider))) == [
        "Otto Outsider became a peer supporter at Prairie 911 on Wed 2 Dec 2026, 12:30, "
        "by Pia Prairie"
    ]
    assert sentences(changes_page(client_of(world.peer))) == [
        "Tess Caller became a peer supporter at Harbor 911 on Wed 2 Dec 2026, 10:30, "
        "by Cory Coordinator"
    ]


def test_the_page_is_paginated_newest_first_and_linked_for_every_member(
    world: World, client_of: ClientOf
) -> None:
    for number in range(55):
        person = make_person(f"p{number}@harbor.test", f"Person {number:02}", world.agency)
        grants.grant(person, world.agency, Role.TELECOMMUNICATOR, by=world.coordinator)
    client = client_of(world.telecommunicator)
    first = sentences(changes_page(client))
    assert len(first) == 50 and first[0].startswith("Person 54 became")
    second = sentences(client.get(reverse("roster_changes"), {"page": 2}).content.decode())
    assert [line.split(" became")[0] for line in second] == [
        f"Person {n:02}" for n in range(4, -1, -1)
    ]
    link = f'href="{reverse("roster_changes")}"'
    assert link in client.get(reverse("home")).content.decode()
    nobody = client_of(make_person("none@harbor.test", "No Role", world.agency))
    assert link not in nobody.get(reverse("home")).content.decode()
    assert nobody.get(reverse("roster_changes")).status_code == 404  # in no team


def test_accepting_an_invitation_records_the_inviters_grants(
    world: World, client_of: ClientOf, client: Client
) -> None:
    invite(client_of(world.coordinator), world, roles=["telecommunicator", "peer"])
    accept(client, link_from_mail())
    joined = User.objects.get(email="new@harbor.test")
    changes = RoleChange.objects.filter(person_id=joined.pk)
    assert sorted(changes.values_list("role", "kind", "by_id", "by_label")) == [
        (Role.PEER, RoleChangeKind.GRANTED, world.coordinator.pk, "Cory Coordinator"),
        (Role.TELECOMMUNICATOR, RoleChangeKind.GRANTED, world.coordinator.pk, "Cory Coordinator"),
    ]
    assert (
        AuditEntry.objects.filter(
            subject_id=joined.pk, actor_id=world.coordinator.pk, object_type="accounts.rolechange"
        ).count()
        == 2
    )
    assert "Nia became a peer supporter at Harbor 911" in changes_page(client_of(world.peer))
    enrol_totp(joined)  # a peer's pages wait for a second factor
    assert "made you a peer supporter at Harbor 911" in what_they_were_told(
        client_of(joined, NEW_PASSWORD)
    )


def test_an_invitation_stops_working_when_its_sender_can_no_longer_give_the_roles(
    world: World, client_of: ClientOf, client: Client
) -> None:
    invite(client_of(world.administrator), world)
    link = link_from_mail()
    administrator = world.administrator.memberships.get()
    grants.remove(administrator, by=world.coordinator)
    page = client.get(link)
    assert page.status_code == 410
    assert b"can no longer give these roles" in page.content
    assert accept(client, link).status_code == 410
    assert not User.objects.filter(email="new@harbor.test").exists()


def test_forged_and_foreign_ids_change_nothing(world: World, client_of: ClientOf) -> None:
    coordinator = client_of(world.coordinator)
    tc, peer = world.telecommunicator, world.peer
    before = {user.pk: roles_of(user) for user in (tc, peer, world.outsider)}
    someone_elses = peer.memberships.get(role=Role.PEER)
    outsiders = world.outsider.memberships.first()
    assert outsiders is not None
    for url in [
        reverse("roster:role_remove", args=[tc.pk, someone_elses.pk]),  # not tc's
        reverse("roster:role_remove", args=[tc.pk, 999_999]),
        reverse("roster:role_remove", args=[world.outsider.pk, outsiders.pk]),
        reverse("roster:role_add", args=[world.outsider.pk]),  # another region's person
        reverse("roster:role_add", args=[999_999]),
    ]:
        response = coordinator.post(url, {"agency": world.agency.pk, "role": Role.PEER})
        assert response.status_code == 404, url
    foreign_agency = coordinator.post(
        reverse("roster:role_add", args=[tc.pk]),
        {"agency": world.outside_agency.pk, "role": Role.PEER},
        follow=True,
    )
    assert b"Select a valid choice" in foreign_agency.content
    assert {user.pk: roles_of(user) for user in (tc, peer, world.outsider)} == before
    assert not RoleChange.objects.exists()


def test_role_changes_cannot_be_changed_or_deleted(world: World) -> None:
    grants.grant(world.telecommunicator, world.agency, Role.PEER, by=world.coordinator)
    assert_append_only(RoleChange.objects.get(), by_label="Someone else")
    world.coordinator.delete()  # the history outlives the account
    assert RoleChange.objects.get().by_label == "Cory Coordinator"


def test_the_demo_records_every_grant(db: None) -> None:
    call_command("load_demo")
    assert set(RoleChange.objects.values_list("region__slug", flat=True)) == {data.REGION[1]}
    assert RoleChange.objects.filter(kind=RoleChangeKind.GRANTED).count() == (
        Membership.objects.count()
    )
    casey = User.objects.get(email="coordinator@example.org")
    assert set(RoleChange.objects.filter(by=None).values_list("person_id", flat=True)) == {casey.pk}
    assert not RoleChange.objects.exclude(person_id=casey.pk).exclude(by=casey).exists()


MEMBERSHIP_WRITE = re.compile(
    r"(?<!class )Membership\(|Membership\.objects\."
    r"(create|bulk_create|get_or_create|update_or_create)|memberships\.(create|add|set|bulk_create)\(|membership\w*\.delete\("
)


def test_memberships_change_only_through_grants() -> None:
    """Every other path that gives or takes a role would skip the record and the
    refusal of one's own roles."""
    backline = Path(__file__).resolve().parent.parent / "backline"
    writers = [
        f"{path.relative_to(backline)}:{number}"
        for path in backline.rglob("*.py")
        if "migrations" not in path.parts and path.name != "grants.py"
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if MEMBERSHIP_WRITE.search(line)
    ]
    assert writers == []
