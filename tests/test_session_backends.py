"""Finding the signed-in person: with their memberships in one query, a password checked
once per sign-in, and sessions signed in before Backline had one backend of its own still
signed in."""

from __future__ import annotations

import importlib
from collections.abc import Callable

import pytest
from django.apps import apps
from django.contrib.auth import BACKEND_SESSION_KEY, authenticate
from django.contrib.auth.hashers import get_hasher
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from backline.accounts.models import Membership, User
from backline.accounts.roles import Role
from tests.personas import PASSWORD, World

RENAMINGS = [
    importlib.import_module(f"backline.accounts.migrations.{name}")
    for name in ("0006_sessions_name_backline_backends", "0007_sessions_name_one_backend")
]
DJANGO = "django.contrib.auth.backends.ModelBackend"
ALLAUTH = "allauth.account.auth_backends.AuthenticationBackend"
BACKLINE_BEFORE = "backline.accounts.backends.ModelBackend"
BACKLINE = "backline.accounts.backends.AuthenticationBackend"


def test_a_session_signed_in_before_stays_signed_in_once_migrated(world: World) -> None:
    clients = {backend: Client() for backend in (DJANGO, ALLAUTH, BACKLINE_BEFORE)}
    people = (world.telecommunicator, world.peer, world.coordinator)
    for client, person in zip(clients.values(), people, strict=True):
        client.force_login(person, backend=BACKLINE)
    for backend, client in clients.items():  # as each was stored, before Backline's one
        session = client.session
        session[BACKEND_SESSION_KEY] = backend
        session.save()
        # its backend is no longer listed: as it stands, the session is refused
        assert client.get(reverse("home"))["Location"].startswith(reverse("account_login"))

    for renaming in RENAMINGS:
        renaming.forwards(apps, None)

    for client in clients.values():
        assert client.get(reverse("home")).status_code == 200
        assert client.session[BACKEND_SESSION_KEY] == BACKLINE

    for renaming in reversed(RENAMINGS):  # the last one has nothing to undo
        renaming.Migration.operations[0].reverse_code(apps, None)
    assert {c.session[BACKEND_SESSION_KEY] for c in clients.values()} == {ALLAUTH}


def _count_hashing(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the hasher's methods as they are called from outside it: each hashes
    the password once (a hasher may verify by encoding again)."""
    hasher = type(get_hasher())
    calls: list[str] = []
    inside: list[str] = []

    def counted(name: str) -> Callable[..., object]:
        method = getattr(hasher, name)

        def run(self: object, *args: object) -> object:
            if not inside:
                calls.append(name)
            inside.append(name)
            try:
                return method(self, *args)
            finally:
                inside.pop()

        return run

    for name in ("encode", "verify"):  # a check, or hashing for an unknown address
        monkeypatch.setattr(hasher, name, counted(name))
    return calls


@pytest.mark.parametrize("known", [True, False], ids=["account", "no account"])
def test_a_wrong_password_is_hashed_once_whether_or_not_the_account_exists(
    world: World, known: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    email = world.telecommunicator.email if known else "nobody@harbor.test"
    hashed = _count_hashing(monkeypatch)
    assert authenticate(None, email=email, password="not the passphrase") is None
    assert len(hashed) == 1, hashed

    hashed.clear()
    signed_in = authenticate(None, email=world.telecommunicator.email, password=PASSWORD)
    assert signed_in == world.telecommunicator and hashed == ["verify"]


def test_the_person_comes_with_their_memberships_in_one_query(world: World) -> None:
    peer = world.peer  # in two teams: the first by name comes first, as the database orders
    Membership.objects.create(
        user=peer, region=world.outside_region, agency=world.outside_agency, role=Role.PEER
    )
    with CaptureQueriesContext(connection) as read:
        user = User.objects.with_memberships(peer.pk)
        assert user is not None
        memberships = [(m.region, m.agency, m.role, m.user) for m in user.all_memberships]
    assert len(read.captured_queries) == 1
    ordered = Membership.objects.filter(user=peer).select_related("user", "region", "agency")
    assert len(memberships) == 3
    assert memberships == [(m.region, m.agency, m.role, m.user) for m in ordered]
    assert user.email == peer.email and user.password == peer.password


def test_a_person_without_a_role_or_without_an_account_is_found_as_such(world: World) -> None:
    nobody = User.objects.create_user("new@harbor.test", "a long passphrase", full_name="New")
    with CaptureQueriesContext(connection) as read:
        found = User.objects.with_memberships(nobody.pk)
        assert found == nobody and found.all_memberships == []
    assert len(read.captured_queries) == 2
    assert User.objects.with_memberships(nobody.pk + 1000) is None


def test_a_deactivated_person_is_signed_out(world: World) -> None:
    client = Client()
    client.force_login(world.telecommunicator)
    User.objects.filter(pk=world.telecommunicator.pk).update(is_active=False)
    assert client.get(reverse("home"))["Location"].startswith(reverse("account_login"))
