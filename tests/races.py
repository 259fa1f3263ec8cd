"""Real races for the PostgreSQL tests: calls started together, each on its own thread
and so on its own database connection."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connections


def at_once(
    *calls: Callable[[], object], refused: tuple[type[Exception], ...] = ()
) -> list[object]:
    """Run ``calls`` at the same moment (a barrier lets them go together); returns what
    each returned, or the ``refused`` exception it raised."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = calls[index]()
        except refused as said:
            results[index] = said
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
