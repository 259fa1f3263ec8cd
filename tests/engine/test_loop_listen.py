"""The loop LISTENs again when its connection is replaced: after CONN_MAX_AGE, Django
closes the old connection and the next one is a new session that hears no NOTIFY."""

from __future__ import annotations

import time

import pytest
from django.db import connection

from backline.engine.loop import Loop, TickResult
from backline.notify import wake

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="LISTEN/NOTIFY: PostgreSQL"),
]


IDLE = TickResult(done={})


def channels() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_listening_channels()")
        return [row[0] for row in cursor.fetchall()]


def test_the_loop_listens_again_on_the_session_that_replaces_a_too_old_one() -> None:
    loop = Loop(poll_seconds=0)
    loop._wait(IDLE)
    assert channels() == [wake.CHANNEL]
    connection.close_at = time.monotonic() - 1  # older than CONN_MAX_AGE
    loop._tidy()  # what the loop does after each tick
    assert connection.connection is None
    connection.ensure_connection()  # the next tick's queries open a new session
    assert channels() == []
    loop._wait(IDLE)
    assert channels() == [wake.CHANNEL]
