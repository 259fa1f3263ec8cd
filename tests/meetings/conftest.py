"""Every persona of the team reads e-mail at their own address, so invitations go out."""

from __future__ import annotations

import pytest

from backline.notify.models import Channel
from tests.harness import reachable
from tests.personas import World


@pytest.fixture(autouse=True)
def mailable(world: World) -> None:
    for person in (
        world.telecommunicator,
        world.peer,
        world.coordinator,
        world.clinician,
        world.administrator,
    ):
        reachable(person, Channel.EMAIL, person.email)
