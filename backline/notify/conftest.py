"""Fixtures for the transports' own tests (each channel's ``tests/`` folder): a person and
their contact methods. The clock and the recorder are the harness's (conftest.py at the
top, tests/harness.py)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from backline.accounts.models import User
from backline.notify.models import ContactMethod
from tests import harness


@pytest.fixture
def person(db: None) -> User:
    return User.objects.create_user(
        email="riley@harbor.test", password=None, full_name="Riley Quinn"
    )


@pytest.fixture
def method(person: User) -> Callable[..., ContactMethod]:
    """``method(channel, value, verified=True)``: a contact method of ``person``."""

    def make(channel: str, value: str, verified: bool = True) -> ContactMethod:
        return harness.reachable(person, channel, value, verified)

    return make
