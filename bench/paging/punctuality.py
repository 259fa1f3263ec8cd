"""Punctuality of the later steps: the burst's requests stay unanswered, so each policy's
second and third steps fire 1 and 2 minutes later; how late each fired after its
deadline (``requested_at`` + the delays of the steps before it), by its ``Event.at`` and
by its first e-mail's arrival."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from bench.common import percentile
from bench.paging.figures import cells, p99_ok, row, seconds
from bench.paging.outcome import Collected, Lateness, collect, lateness, seconds_of, states_on_time
from bench.paging.servers import DATABASES, Servers

STEPS = (1, 2)  # the second and third steps (0-based)
P50_P99 = (0.50, 0.99)


@dataclass
class Punctuality:
    delay_minutes: int
    early_states: tuple[int, int]  # (states at step 2 before it was due, of which on time)
    steps: list[Lateness]


def run(
    servers: Servers,
    environ: dict[str, str],
    early: Collected,
    delay_minutes: int,
) -> Punctuality:
    """Waits for the later steps of the requests of ``early`` (read just after their
    first pages), then measures them."""
    last_requested = max(
        (seconds_of(r["requested_at"]) for r in early["requests"]), default=time.time()
    )
    until = last_requested + len(STEPS) * delay_minutes * 60 + 10
    print(
        f"  punctuality: waiting {max(0, until - time.time()):.0f} s for steps 2 and 3",
        flush=True,
    )
    time.sleep(max(0.0, until - time.time()))
    later = collect(environ, [r["pk"] for r in early["requests"]])
    received = servers.received()
    return Punctuality(
        delay_minutes,
        states_on_time(early, delay_minutes),
        [lateness(later, received, step, delay_minutes) for step in STEPS],
    )


def p99_cell(punctuality: Punctuality) -> tuple[str, bool]:
    """The goal's figures (each step's recorded p99) and whether every step met it."""
    figures = ", ".join(
        f"step {lt.step + 1}: {seconds(percentile(lt.recorded, 0.99))} s"
        for lt in punctuality.steps
    )
    return figures, all(p99_ok(lt.recorded) and lt.fired == lt.due for lt in punctuality.steps)


def section(runs: Sequence[tuple[str, Punctuality]]) -> list[str]:
    lines = [
        "#### Punctuality of the later steps",
        "",
        "The burst's requests stay unanswered. Seconds from each step's deadline "
        "(`requested_at` + the delays of the steps before it, which is what "
        "`EscalationState.next_escalation_at` holds) to the step's `Event.at` (the engine's "
        "tick time, also `Page.paged_at`), and to its first e-mail's arrival.",
        "",
        "| database | step | due | fired | recorded p50 | p99 | max | e-mail p50 | p99 | max |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for kind, punctuality in runs:
        for lt in punctuality.steps:
            lines.append(
                row(
                    DATABASES[kind], lt.step + 1, lt.due, lt.fired,
                    *cells(lt.recorded, P50_P99), *cells(lt.delivered, P50_P99),
                )
            )  # fmt: skip
    lines += ["", "Before step 2 was due, " + "; ".join(_on_time(k, p) for k, p in runs) + "."]
    return lines


def _on_time(kind: str, punctuality: Punctuality) -> str:
    at_step, exact = punctuality.early_states
    return (
        f"{DATABASES[kind]}: {exact} of {at_step} states at step 2 had "
        f"`next_escalation_at` = `requested_at` + {punctuality.delay_minutes} min"
    )
