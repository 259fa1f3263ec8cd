"""The drill's figures as Markdown: one block per scenario, for BENCHMARKS.md (between
``<!-- fault-drill:SCENARIO:start -->`` and its end marker, so that a run of one
scenario replaces only its own figures)."""

from __future__ import annotations

import argparse
import datetime
import math
import platform
from collections.abc import Sequence

from bench.common import cpu_model, mib, nproc, versions
from bench.faults.people import ACCEPTED, BARE_ERROR, NO_ANSWER, OTHER, OWN_ERROR_PAGE
from bench.faults.scenarios import Run
from bench.faults.stack import DATABASES

GOAL_CATCH_UP_SECONDS = 30.0


def marks(scenario: str) -> tuple[str, str]:
    return f"<!-- fault-drill:{scenario}:start -->", f"<!-- fault-drill:{scenario}:end -->"


def _met(ok: bool) -> str:
    return "met" if ok else "**missed**"


def _s(seconds: float) -> str:
    return "-" if math.isnan(seconds) else f"{seconds:.1f}".replace("-0.0", "0.0")


def _memory(run: Run) -> str:
    return f"{mib(run.peaks.engine)}; {mib(run.peaks.web_worker)}"


def _rows(run: Run) -> str:
    t = run.tally
    statuses = ", ".join(f"{n} {status}" for status, n in sorted(t.statuses.items()))
    attempts = ", ".join(f"{a} by {n}" for a, n in sorted(t.attempts.items()))
    return (
        f"{DATABASES[run.kind]}, {run.fault}: {t.rows} rows ({statuses}; attempts made: {attempts})"
    )


def heading(options: argparse.Namespace, command: str, load: Sequence[float]) -> list[str]:
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return [
        f"Measured {now} with `{command}`: {options.burst} reach-outs over "
        f"{options.burst_seconds:g} s by as many telecommunicators of {options.teams} teams; "
        f"{nproc()} CPUs ({cpu_model()}), Python {platform.python_version()}, "
        f"{versions('django', 'granian', 'psycopg', 'aiosmtpd')}; load average before the "
        "run " + " ".join(f"{figure:.2f}" for figure in load) + ".",
        "",
    ]


def _table(columns: list[str], rows: list[list[object]]) -> list[str]:
    """A Markdown table: the first column to the left, the figures to the right."""
    return [
        "| " + " | ".join(columns) + " |",
        "|---|" + "--:|" * (len(columns) - 1),
        *("| " + " | ".join(str(cell) for cell in row) + " |" for row in rows),
    ]


MEMORY = "peak RSS MiB: engine; web worker"


def mail(runs: list[Run]) -> list[str]:
    columns = [
        "database", "accepted", "page e-mails", "delivered", "lost: given up",
        "still waiting", "mail down s", "last delivery after its return, s", "duplicates",
        MEMORY,
    ]  # fmt: skip
    rows: list[list[object]] = []
    for run in runs:
        t = run.tally
        rows.append([
            DATABASES[run.kind], t.posts[ACCEPTED], t.pages, t.delivered, t.given_up,
            t.still_waiting, f"{run.harm.ended - run.harm.began:.0f}",
            _s(t.last_delivery_after(run.harm.ended)), t.extra_copies, _memory(run),
        ])  # fmt: skip
    return [*_table(columns, rows), "", "Goals: " + "; ".join(map(_mail_goals, runs)) + "."]


def _mail_goals(run: Run) -> str:
    t = run.tally
    catch_up = t.last_delivery_after(run.harm.ended)
    return (
        f"{DATABASES[run.kind]}: 0 pages lost {_met(t.lost == 0 and t.accepted_lost == 0)}, "
        f"all delivered within 30 s of the mail server's return "
        f"{_met(t.lost == 0 and not catch_up > GOAL_CATCH_UP_SECONDS)}"
    )


def kills(runs: list[Run]) -> list[str]:
    columns = [
        "database", "engines", "kills", "killed between the data and the reply", "accepted",
        "page e-mails", "delivered", "lost", "rows the outbox gave up on", "rows resent",
        "extra copies",
        "resent with the first `Message-ID`", "with another", MEMORY,
    ]  # fmt: skip
    rows: list[list[object]] = []
    for run in runs:
        t = run.tally
        rows.append([
            DATABASES[run.kind], run.engines, run.harm.kills, t.unanswered, t.posts[ACCEPTED],
            t.pages, t.delivered, t.lost, t.statuses["failed"], t.resent_rows, t.extra_copies,
            t.resent_same_id,
            t.resent_other_id, _memory(run),
        ])  # fmt: skip
    goals = [
        f"{DATABASES[r.kind]}: 0 lost {_met(r.tally.lost == 0 and r.tally.accepted_lost == 0)}, "
        f"every resend with the first attempt's `Message-ID` {_met(r.tally.resent_other_id == 0)}"
        for r in runs
    ]
    return [*_table(columns, rows), "", "Goals: " + "; ".join(goals) + "."]


def database(runs: list[Run]) -> list[str]:
    columns = [
        "restart", "POSTs", "accepted", "Backline's error page", "bare error page",
        "no answer", "other", "accepted, then no request or page", "refused, yet made",
        "page e-mails", "delivered", "lost", "cluster down s",
        "last refused POST, s after the cluster was up",
        "cancel POSTs after the burst that failed", MEMORY,
    ]  # fmt: skip
    rows: list[list[object]] = []
    for run in runs:
        t = run.tally
        rows.append([
            f"`{run.fault}`", t.posts.total(), t.posts[ACCEPTED], t.posts[OWN_ERROR_PAGE],
            t.posts[BARE_ERROR], t.posts[NO_ANSWER], t.posts[OTHER], t.accepted_lost,
            t.refused_but_made, t.pages, t.delivered, t.lost,
            f"{run.harm.ended - run.harm.began:.1f}",
            _s(max(t.refused_at, default=math.nan) - run.harm.ended), run.failed_cancels,
            _memory(run),
        ])  # fmt: skip
    lines = [*_table(columns, rows)]
    goals = [
        f"`{r.fault}`: 0 lost {_met(r.tally.accepted_lost == 0 and r.tally.lost == 0)}, "
        f"no bare error page {_met(r.tally.posts[BARE_ERROR] == 0)}"
        for r in runs
    ]
    lines += ["", "Goals: " + "; ".join(goals) + "."]
    samples = {
        outcome: r.tally.samples[outcome]
        for r in runs
        for outcome in (BARE_ERROR, OTHER, NO_ANSWER)
        if outcome in r.tally.samples
    }
    if samples:
        lines += [
            "",
            "What came back instead of the request: "
            + "; ".join(f"{outcome}: `{sample}`" for outcome, sample in samples.items())
            + ".",
        ]
    return lines


TABLES = {"mail": mail, "kills": kills, "database": database}


def section(
    scenario: str, runs: list[Run], options: argparse.Namespace, command: str,
    load: Sequence[float],
) -> str:  # fmt: skip
    lines = heading(options, command, load) + TABLES[scenario](runs)
    lines += ["", "Outbox e-mail rows at the end: " + "; ".join(_rows(r) for r in runs) + "."]
    return "\n".join(lines) + "\n"
