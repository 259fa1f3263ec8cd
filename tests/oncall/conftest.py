"""The on-call tests' team: the world's peer and two more, with the clock standing at
``harness.START`` (a Monday afternoon in Washington, 07:00 in Los Angeles)."""

from __future__ import annotations

import pytest

from tests import harness
from tests.oncall import builders
from tests.personas import World


@pytest.fixture
def team(world: World, moment: harness.Clock) -> builders.Peers:
    return builders.peers(world)
