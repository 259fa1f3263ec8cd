"""A tick that fails (a defect, not the database) is logged, and the loop goes on."""

from __future__ import annotations

import logging

import pytest

from backline.engine import loop as engine_loop
from backline.engine.loop import Loop, TickResult

pytestmark = pytest.mark.django_db


def test_a_failing_tick_is_logged_and_the_loop_goes_on(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    loop = Loop(poll_seconds=0)
    calls: list[int] = []

    def flaky_tick(now: object = None, heart: object = None, paced: bool = False) -> TickResult:
        calls.append(len(calls))
        if len(calls) == 1:
            raise RuntimeError("a defect in one tick")
        loop.stop()
        return TickResult(done={})

    monkeypatch.setattr(engine_loop, "tick", flaky_tick)
    with caplog.at_level(logging.ERROR, logger="backline.engine.loop"):
        loop.run()
    assert calls == [0, 1]  # it ran again after the failure
    assert "engine tick failed" in caplog.text and "a defect in one tick" in caplog.text
