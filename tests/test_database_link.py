"""A dead link to PostgreSQL is noticed within seconds at both ends
(``BACKLINE_DATABASE_LINK_SECONDS``, docs/adr/0024-claims-held-by-a-lease.md): TCP
keepalives and a user timeout on Backline's socket, and the same asked of the server for
the session, so that a host cut off mid-transaction does not hold its locks for hours."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from django.db import connection

from tests.test_settings import load_settings

OPTIONS = (
    "import json, backline.settings as s; print(json.dumps(s.DATABASES['default']['OPTIONS']))"
)
URL = "postgres://backline@127.0.0.1:5432/backline"


def options(tmp_path: Path, **variables: str) -> dict[str, object]:
    result = load_settings(tmp_path, OPTIONS, **variables)
    assert result.returncode == 0, result.stderr
    loaded: dict[str, object] = json.loads(result.stdout)
    return loaded


def test_both_ends_of_a_postgresql_link_give_up_a_dead_one_within_seconds(tmp_path: Path) -> None:
    assert options(tmp_path, DATABASE_URL=URL) == {
        "connect_timeout": 5,
        "keepalives": 1,
        "keepalives_idle": 2,
        "keepalives_interval": 1,
        "keepalives_count": 3,
        "tcp_user_timeout": 5000,
        "options": "-c tcp_keepalives_idle=2 -c tcp_keepalives_interval=1 "
        "-c tcp_keepalives_count=3 -c tcp_user_timeout=5000",
    }


def test_what_the_url_says_wins_and_zero_leaves_the_systems_defaults(tmp_path: Path) -> None:
    given = options(
        tmp_path,
        DATABASE_URL=f"{URL}?keepalives_idle=30&options=-c%20tcp_keepalives_idle%3D30",
        BACKLINE_DATABASE_LINK_SECONDS="8",
    )
    assert (given["keepalives_idle"], given["tcp_user_timeout"]) == (30, 8000)
    assert str(given["options"]).endswith("-c tcp_keepalives_idle=30")  # the later one counts
    assert options(tmp_path, DATABASE_URL=URL, BACKLINE_DATABASE_LINK_SECONDS="0") == {}


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a TCP link: PostgreSQL")
def test_the_sessions_socket_and_the_server_keep_the_watch() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SHOW tcp_keepalives_idle")
        assert cursor.fetchone()[0] == "2"
        cursor.execute("SHOW tcp_user_timeout")
        assert cursor.fetchone()[0] == "5000"  # milliseconds
    ours = socket.socket(fileno=socket.dup(connection.connection.fileno()))
    try:
        assert ours.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE) == 1
        assert ours.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE) == 2
        assert ours.getsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT) == 5000
    finally:
        ours.close()
