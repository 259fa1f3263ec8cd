"""Fixtures for every test, under tests/ and in the apps' own tests/ folders: the clock
and the recording transport of the harness (tests/harness.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests import harness


@pytest.fixture
def moment() -> Iterator[harness.Clock]:
    """The clock, standing at ``harness.START`` until the test moves it."""
    with harness.frozen() as clock:
        yield clock


@pytest.fixture
def recorder() -> Iterator[harness.Recorder]:
    """Stands in for every channel that leaves Backline; the test fails if it sent a
    message that it did not assert."""
    with harness.recording(*harness.EXTERNAL) as recorder:
        yield recorder


@pytest.fixture
def recording() -> Iterator[Callable[[str], harness.Recorder]]:
    """``recording(channel)``: the test's recorder, in place for ``channel`` alone (the
    other channels keep their real transports); as strict as ``recorder``."""
    with harness.recording() as recorder:
        yield recorder.stand_in
