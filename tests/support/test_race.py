"""Two peers tapping "I'll take it" at the same moment: exactly one wins."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections

from backline.accounts.models import User
from backline.accounts.roles import Role
from backline.support import escalation, lifecycle
from backline.support.models import Page, SupportRequest
from tests import asking
from tests.personas import World, make_person

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a real race needs PostgreSQL's concurrency"
)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(5))
def test_two_peers_acknowledge_at_once(world: World, attempt: int) -> None:
    second = make_person(f"p{attempt}@harbor.test", "Second Peer", world.agency, Role.PEER)
    request, _ = asking.reach_out(
        world.telecommunicator,
        world.region,
        escalation.Ask(urgency="now", contact="call"),
    )
    for peer in (world.peer, second):  # as a step that rings all available peers does
        Page.objects.create(request=request, peer=peer, step_index=0, loop_count=0)
    barrier = threading.Barrier(2)
    results: dict[int, bool] = {}

    def take(peer: User) -> None:
        try:
            barrier.wait()
            results[peer.pk] = lifecycle.acknowledge(request, peer, timedelta(minutes=5))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=take, args=(p,)) for p in (world.peer, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results.values()) == [False, True]
    winner = next(pk for pk, won in results.items() if won)
    assert SupportRequest.objects.get(pk=request.pk).acknowledged_by_id == winner
