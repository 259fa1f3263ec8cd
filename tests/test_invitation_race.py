"""Two submits of one invitation at the same moment create exactly one account."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections

from backline.accounts.models import Invitation, User
from backline.lib import clock, tokens
from backline.roster import invitations
from tests.personas import World

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks are PostgreSQL's; SQLite serialises"
)


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_acceptances_make_one_account(world: World) -> None:
    now = clock.now()
    invitation = Invitation.objects.create(
        agency=world.agency,
        email="twice@harbor.test",
        full_name="Twice",
        roles=["telecommunicator"],
        invited_by=world.coordinator,
        token_digest=tokens.digest("race"),
        created_at=now,
        expires_at=now + timedelta(days=1),
    )
    person = invitations.NewPerson("Twice", "", "a long and private passphrase")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def submit() -> None:
        try:
            barrier.wait()
            invitations.accept(invitation, person)
            outcomes.append("accepted")
        except invitations.InvitationUnusable:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["accepted", "refused"]
    assert User.objects.filter(email="twice@harbor.test").count() == 1
    assert Invitation.objects.get().status == "accepted"
