"""The paging benchmark's report: how it was measured, the goals, then each phase's
tables (written into BENCHMARKS.md between the paging markers with ``--write``)."""

from __future__ import annotations

import argparse
import datetime
import platform
from collections.abc import Sequence

from bench.common import cpu_model, nproc, percentile, versions
from bench.paging import burst, memory, punctuality, soak, throughput
from bench.paging.figures import met, p99_ok, row, seconds
from bench.paging.run import Run
from bench.paging.servers import DATABASES

START_MARK = "<!-- paging:start -->"
END_MARK = "<!-- paging:end -->"


def heading() -> str:
    return "## Paging engine (`bench/paging/`)\n\n### Results\n\n"


def report(
    runs: list[Run], options: argparse.Namespace, command: str, load: Sequence[float]
) -> str:
    soaks = [(r.kind, r.soak) for r in runs if r.soak]
    lines = [
        *_how(runs, options, command, load),
        "",
        *_goals(runs, options),
        "",
        *burst.section([(r.kind, r.burst) for r in runs], options),
        "",
        *punctuality.section([(r.kind, r.punctuality) for r in runs]),
        "",
        *throughput.section([(r.kind, r.rounds, r.queries) for r in runs], options),
        "",
        *memory.section(
            [(r.kind, r.burst_memory, r.soak.memory if r.soak else None) for r in runs]
        ),
        *(["", *soak.section(soaks, options)] if soaks else []),
    ]
    return "\n".join(lines) + "\n"


def _how(
    runs: list[Run], options: argparse.Namespace, command: str, load: Sequence[float]
) -> list[str]:
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    teams = runs[0].teams
    return [
        f"Measured {now} with `{command}`.",
        "",
        f"- Machine: {nproc()} CPUs ({cpu_model()}), Python {platform.python_version()}, "
        f"{versions('django', 'granian', 'httpx', 'psycopg', 'aiosmtpd')}; the clients and the "
        "SMTP server run on the same machine. Load average before the run: "
        + " ".join(f"{figure:.2f}" for figure in load)
        + ".",
        f"- Teams: {teams.teams}, each with an agency, {teams.telecoms // teams.teams} "
        f"telecommunicators, 2 or 3 peers ({teams.peers} in all, {teams.available} of them "
        f'"available now") and a coordinator with a verified e-mail address each, a weekly '
        f"rotation of its peers, and a default policy: the rotation's on-call peer, then all "
        f"available peers, then the coordinator, {teams.delay_minutes} minute apart.",
        f"- Server: granian WSGI, {options.workers} workers, "
        f"{options.blocking_threads} blocking threads each; "
        + (f"{options.engines} engines" if options.engines > 1 else "the engine")
        + " `manage.py engine` (default poll: 0.2 s on SQLite; on PostgreSQL "
        "LISTEN/NOTIFY, at most 0.5 s; never past the next due step or message); e-mail "
        "over SMTP to `bench/smtp_sink.py` "
        "(aiosmtpd, its own process); `BACKLINE_ENV=production`, `bench.settings`.",
        "- Databases: " + "; ".join(f"{DATABASES[run.kind]}: {run.where}" for run in runs) + ".",
    ]


def _goals(runs: list[Run], options: argparse.Namespace) -> list[str]:
    def p99_goal(values: Sequence[float]) -> str:
        return f"{seconds(percentile(values, 0.99))} s, {met(p99_ok(values))}"

    def step_goal(run: Run) -> str:
        figures, ok = punctuality.p99_cell(run.punctuality)
        return f"{figures}, {met(ok)}"

    def paged_goal(run: Run) -> str:
        first = run.burst.delivery
        ok = first.without_page == 0 and first.accepted == options.burst
        return (
            f"{first.without_page} of {first.accepted} ({first.without_email} without an "
            f"e-mail), {met(ok)}"
        )

    return [
        "#### Goals",
        "",
        "| goal | " + " | ".join(DATABASES[run.kind] for run in runs) + " |",
        "|---|" + "---|" * len(runs),
        row(
            "click → e-mail p99 ≤ 1 s (burst)",
            *(p99_goal(r.burst.delivery.from_click) for r in runs),
        ),
        row("first page p99 ≤ 1 s (burst)", *(p99_goal(r.burst.delivery.smtp) for r in runs)),
        row("requests without any page: 0", *(paged_goal(r) for r in runs)),
        row("step lateness p99 ≤ 1 s", *(step_goal(r) for r in runs)),
        row(
            "peak RSS ≤ 200 MiB (engine; each web worker)",
            *(memory.goal(r.burst_memory, r.soak.memory if r.soak else None) for r in runs),
        ),
    ]
