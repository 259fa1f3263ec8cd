"""A frozen clock and a small peer team for the on-call tests."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
import time_machine

from backline.accounts.models import User
from tests.oncall import builders
from tests.personas import World

# a Monday afternoon in Washington (07:00 in Los Angeles)
NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


@pytest.fixture
def frozen() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@dataclass
class Team:
    world: World
    a: User  # the world's peer
    b: User
    c: User


def make_team(world: World) -> Team:
    """The world's peer and two more, at the same agency; nobody has a contact method."""
    return Team(
        world,
        world.peer,
        builders.peer(world, "b@harbor.test", "Bo Bee"),
        builders.peer(world, "c@harbor.test", "Cy Sea"),
    )


@pytest.fixture
def team(world: World, frozen) -> Team:
    return make_team(world)
