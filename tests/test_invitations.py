"""Inviting people: creating, accepting once, and every way a link can be bad."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import timedelta

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse

from backline.accounts.models import Agency, Invitation, Membership, User
from backline.accounts.roles import Role
from backline.lib import clock
from tests.harness import ClientOf, Response
from tests.personas import World

NEW_PASSWORD = "a long and private passphrase"


def invite(
    client: Client,
    world: World,
    email: str = "new@harbor.test",
    roles: Sequence[str] = ("telecommunicator",),
    agency: Agency | None = None,
) -> Response:
    return client.post(
        reverse("roster:invitations"),
        {
            "full_name": "Nia New",
            "email": email,
            "agency": (agency or world.agency).pk,
            "roles": list(roles),
        },
    )


def link_from_mail() -> str:
    match = re.search(r"https?://\S+/invitation/(\S+)/", str(mail.outbox[-1].body))
    assert match, mail.outbox[-1].body
    return reverse("accept_invitation", args=[match.group(1)])


def accept(client: Client, link: str, **overrides: str) -> Response:
    data = {
        "full_name": "Nia New",
        "preferred_name": "Nia",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    } | overrides
    return client.post(link, data)


def test_a_coordinator_invites_and_the_person_joins_once(
    world: World, client_of: ClientOf, client: Client
) -> None:
    response = invite(client_of(world.coordinator), world, roles=["telecommunicator", "peer"])
    assert response.status_code == 302
    assert mail.outbox[-1].to == ["new@harbor.test"]
    assert "Harbor Peer Team" in mail.outbox[-1].body
    invitation = Invitation.objects.get()
    assert invitation.token_digest not in mail.outbox[-1].body  # only the digest is stored
    link = link_from_mail()

    page = client.get(link)
    assert page.status_code == 200
    assert b"new@harbor.test" in page.content
    response = accept(client, link)
    assert response.status_code == 302 and response["Location"] == reverse("home")

    user = User.objects.get(email="new@harbor.test")
    assert user.check_password(NEW_PASSWORD)
    assert user.preferred_name == "Nia"
    assert {m.role for m in user.memberships.all()} == {"telecommunicator", "peer"}
    assert all(m.agency == world.agency for m in user.memberships.all())
    assert EmailAddress.objects.get(user=user).verified  # the link proved the address
    # a peer must enrol a second factor before anything else
    assert client.get(reverse("home"))["Location"] == reverse("security_setup")

    again = accept(client.__class__(), link)
    assert again.status_code == 410
    assert b"already been used" in again.content
    assert User.objects.filter(email="new@harbor.test").count() == 1


def test_an_expired_link_is_refused_and_changes_nothing(
    world: World, client_of: ClientOf, client: Client
) -> None:
    invite(client_of(world.coordinator), world)
    link = link_from_mail()
    with time_machine.travel(clock.now() + timedelta(days=8)):
        assert client.get(link).status_code == 410
        response = accept(client, link)
    assert response.status_code == 410
    assert b"expired" in response.content
    assert not User.objects.filter(email="new@harbor.test").exists()


def test_a_withdrawn_link_is_refused(world: World, client_of: ClientOf, client: Client) -> None:
    coordinator = client_of(world.coordinator)
    invite(coordinator, world)
    link = link_from_mail()
    invitation = Invitation.objects.get()
    coordinator.post(reverse("roster:invitation_revoke", args=[invitation.pk]))
    response = accept(client, link)
    assert response.status_code == 410
    assert b"withdrawn" in response.content
    assert not User.objects.filter(email="new@harbor.test").exists()
    # withdrawing twice says so and changes nothing
    response = coordinator.post(
        reverse("roster:invitation_revoke", args=[invitation.pk]), follow=True
    )
    assert b"already used or withdrawn" in response.content


@pytest.mark.parametrize("token", ["nonsense", "x" * 43, "known-token-but-altered"])
def test_an_invalid_link_is_a_clear_404(world: World, client: Client, token: str) -> None:
    response = client.get(reverse("accept_invitation", args=[token]))
    assert response.status_code == 404
    assert b"not valid" in response.content


def test_a_bad_form_shows_errors_and_creates_nothing(
    world: World, client_of: ClientOf, client: Client
) -> None:
    invite(client_of(world.coordinator), world)
    link = link_from_mail()
    mismatch = accept(client, link, password2="something else entirely")
    assert mismatch.status_code == 200
    assert b"The two passwords differ." in mismatch.content
    weak = accept(client, link, password1="password", password2="password")
    assert weak.status_code == 200
    assert b"too common" in weak.content
    assert not User.objects.filter(email="new@harbor.test").exists()
    assert Invitation.objects.get().status == "pending"


def test_a_signed_in_person_cannot_accept_someone_elses_invitation(
    world: World, client_of: ClientOf
) -> None:
    invite(client_of(world.coordinator), world)
    link = link_from_mail()
    response = accept(client_of(world.telecommunicator), link)
    assert response.status_code == 409
    assert not User.objects.filter(email="new@harbor.test").exists()


def test_inviting_twice_or_an_existing_person_is_refused(world: World, client_of: ClientOf) -> None:
    coordinator = client_of(world.coordinator)
    invite(coordinator, world)
    second = invite(coordinator, world)
    assert second.status_code == 200
    assert b"still open" in second.content
    existing = invite(coordinator, world, email="TC@harbor.test")
    assert b"already has a Backline account" in existing.content
    assert Invitation.objects.count() == 1
    assert len(mail.outbox) == 1


def test_an_administrator_invites_only_to_their_agency_and_only_some_roles(
    world: World, client_of: ClientOf
) -> None:
    administrator = client_of(world.administrator)
    response = invite(administrator, world, roles=["peer"])
    assert b"You may not give these roles" in response.content
    response = invite(administrator, world, agency=world.other_agency)
    assert b"Select a valid choice" in response.content
    assert Invitation.objects.count() == 0
    assert invite(administrator, world).status_code == 302


def test_a_coordinator_cannot_invite_into_another_region(world: World, client_of: ClientOf) -> None:
    response = invite(client_of(world.outsider), world)
    assert b"Select a valid choice" in response.content
    assert Invitation.objects.count() == 0


def test_invitations_of_another_region_are_invisible(world: World, client_of: ClientOf) -> None:
    invite(client_of(world.coordinator), world)
    invitation = Invitation.objects.get()
    outsider = client_of(world.outsider)
    assert b"new@harbor.test" not in outsider.get(reverse("roster:invitations")).content
    response = outsider.post(reverse("roster:invitation_revoke", args=[invitation.pk]))
    assert response.status_code == 404
    assert Invitation.objects.get().status == "pending"


def test_the_roles_are_granted_in_the_invitations_region(
    world: World, client_of: ClientOf, client: Client
) -> None:
    invite(client_of(world.coordinator), world, roles=["coordinator"])
    accept(client, link_from_mail())
    membership = Membership.objects.get(user__email="new@harbor.test")
    assert membership.region == world.region and membership.role == Role.COORDINATOR
