"""Engines as real processes (``manage.py engine``) against the test database, and an
SMTP server on loopback for them."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.engine.processes import Engine
from tests.engine.smtp import SmtpServer


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


@pytest.fixture
def engines() -> Iterator[Callable[..., Engine]]:
    started: list[Engine] = []

    def start(**env: str) -> Engine:
        engine = Engine(**env)
        started.append(engine)
        return engine

    yield start
    for engine in started:
        if engine.process.poll() is None:
            engine.process.kill()
            engine.process.wait()
