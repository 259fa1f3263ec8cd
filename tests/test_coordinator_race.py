"""Two coordinators removing each other's role at the same moment leave the region one."""

from __future__ import annotations

import contextlib
import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from backline.accounts import grants
from backline.accounts.models import Membership, RoleChange, User
from backline.accounts.roles import Role
from tests.personas import World, confirm_access, enrol_totp, make_person

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks are PostgreSQL's; SQLite serialises"
)


@pytest.mark.django_db(transaction=True)
def test_two_coordinators_removing_each_other_leave_one(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    second = make_person("second@harbor.test", "Sol Second", world.agency, Role.COORDINATOR)
    enrol_totp(second)
    outcomes: list[int] = []
    pairs = [(world.coordinator, second), (second, world.coordinator)]
    barrier = threading.Barrier(2)
    # Each removal, once its checks passed, waits for the other to get as far: without
    # the region's lock both would get there and remove; with it the second waits for
    # the first to finish, and the first goes on alone when the wait times out.
    both_checked = threading.Barrier(2, timeout=2)
    remove_role = grants.remove

    def remove_when_both_checked(membership: Membership, *, by: User) -> None:
        with contextlib.suppress(threading.BrokenBarrierError):
            both_checked.wait()
        remove_role(membership, by=by)

    monkeypatch.setattr(grants, "remove", remove_when_both_checked)

    def remove(remover: User, removed: User) -> None:
        try:
            client = Client()
            client.force_login(remover)
            confirm_access(client)  # removing a role asks for the password again
            membership = removed.memberships.get(role=Role.COORDINATOR)
            url = reverse("roster:role_remove", args=[removed.pk, membership.pk])
            barrier.wait()
            outcomes.append(client.post(url).status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=remove, args=pair) for pair in pairs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes == [302, 302]  # each answered, one of them with a refusal
    assert Membership.objects.filter(region=world.region, role=Role.COORDINATOR).count() == 1
    assert RoleChange.objects.count() == 1
