"""Finding the signed-in person: with their memberships in one query, and sessions
signed in before Backline had backends of its own still signed in."""

from __future__ import annotations

import importlib

from django.apps import apps
from django.contrib.auth import BACKEND_SESSION_KEY
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from backline.accounts.models import Membership, User
from backline.accounts.roles import Role
from tests.personas import World

RENAMING = importlib.import_module(
    "backline.accounts.migrations.0006_sessions_name_backline_backends"
)
DJANGO = "django.contrib.auth.backends.ModelBackend"
ALLAUTH = "allauth.account.auth_backends.AuthenticationBackend"


def test_a_session_signed_in_before_stays_signed_in_once_migrated(world: World) -> None:
    by_password, by_allauth = Client(), Client()
    by_password.force_login(world.telecommunicator, backend=DJANGO)
    by_allauth.force_login(world.peer, backend=ALLAUTH)
    # their backends are no longer Backline's: as they stand, the sessions are refused
    assert by_password.get(reverse("home"))["Location"].startswith(reverse("account_login"))

    RENAMING.forwards(apps, None)

    for client, backend in ((by_password, "ModelBackend"), (by_allauth, "AuthenticationBackend")):
        assert client.get(reverse("home")).status_code == 200
        assert client.session[BACKEND_SESSION_KEY] == f"backline.accounts.backends.{backend}"

    RENAMING.backwards(apps, None)
    assert by_allauth.session[BACKEND_SESSION_KEY] == ALLAUTH
    assert by_password.get(reverse("home"))["Location"].startswith(reverse("account_login"))


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
