"""How often a trusted browser's session is looked at for being on call (ADR 0014)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from backline.oncall.sessions import CHECK_EVERY, Checks

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)


def test_a_session_is_looked_at_once_every_check_interval() -> None:
    checks = Checks()
    assert checks.due("session-a", NOW)
    assert not checks.due("session-a", NOW + CHECK_EVERY - SECOND)
    assert checks.due("session-b", NOW)  # each session on its own
    assert checks.due("session-a", NOW + CHECK_EVERY)
    assert not checks.due("session-a", NOW + CHECK_EVERY + SECOND)


def test_a_clock_set_back_looks_again() -> None:
    checks = Checks()
    assert checks.due("session-a", NOW)
    assert checks.due("session-a", NOW - SECOND)


def test_only_the_most_recent_sessions_are_remembered_and_no_key_is_kept() -> None:
    checks = Checks(size=2)
    for key in ("session-a", "session-b", "session-c"):
        assert checks.due(key, NOW)
    assert len(checks.last) == 2 and not {"session-b", "session-c"} & set(checks.last)
    assert not checks.due("session-c", NOW + SECOND)
    assert checks.due("session-a", NOW + SECOND)  # forgotten: looked at again, sooner
