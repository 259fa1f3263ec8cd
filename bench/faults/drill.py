"""The fault drill's command line: which scenarios, on which databases, for how long;
``--quick`` for a smoke run, ``--write`` to put the figures into BENCHMARKS.md."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from bench.common import add_server_options, command_line, write_section
from bench.faults import report
from bench.faults.processes import on_signals_unwind
from bench.faults.scenarios import RUNNERS, Run

# The drill's timetable (seconds), full and --quick. Five minutes of mail outage is the
# goal's own figure; 30 s is already past what three attempts on a fixed back-off cover.
FULL = {
    "teams": 20, "burst": 200, "burst_seconds": 40.0, "outage": 300.0, "outage_start": 10.0,
    "kill_start": 2.0, "kill_every": 4.0, "kill_seconds": 70.0, "restart_at": 15.0,
    "settle": 360.0,
}  # fmt: skip
QUICK = FULL | {
    "teams": 10, "burst": 100, "burst_seconds": 20.0, "outage": 30.0, "outage_start": 5.0,
    "kill_seconds": 30.0, "restart_at": 8.0, "settle": 120.0,
}  # fmt: skip


TIMETABLE = {
    "teams": "teams, each with its telecommunicators and one peer",
    "burst": "reach-outs in a burst, by as many telecommunicators",
    "burst_seconds": "the burst's length, s",
    "outage": "how long the mail server is down, s",
    "outage_start": "it stops this long after the burst's start, s",
    "kill_start": "the first kill this long after the burst's start, s",
    "kill_every": "seconds between kills, give or take half",
    "kill_seconds": "how long the kills go on, s",
    "restart_at": "PostgreSQL restarts this long after the burst's start, s",
    "settle": "the longest wait after the harm for pages still waiting, s",
}
TITLES = {
    "mail": "The mail server down",
    "kills": "Engines killed mid-send",
    "database": "The database restarted",
}


def heading(scenario: str) -> Callable[[], str]:
    """Its heading in BENCHMARKS.md, should its markers be missing there."""
    return lambda: f"#### {TITLES[scenario]}\n\n"


def parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.faults",
        description="Harms a running Backline from outside and counts what was lost.",
    )
    parser.add_argument(
        "--scenario", choices=[*RUNNERS, "all"], default="all",
        help="mail: the SMTP server down; kills: engines SIGKILLed mid-send; database: "
        "PostgreSQL restarted, fast and immediate (default all)",
    )  # fmt: skip
    parser.add_argument(
        "--database", choices=["sqlite", "postgres", "both"], default="both",
        help="for mail and kills (default both); database always runs on PostgreSQL",
    )  # fmt: skip
    parser.add_argument(
        "--quick", action="store_true",
        help="a smoke run: half the burst, a 30 s outage, 30 s of kills",
    )  # fmt: skip
    for name, what in TIMETABLE.items():
        parser.add_argument(
            "--" + name.replace("_", "-"), type=type(FULL[name]), default=None,
            help=f"{what} ({FULL[name]:g}; quick {QUICK[name]:g})",
        )  # fmt: skip
    parser.add_argument(
        "--reply-delay", type=float, default=1.0,
        help="the SMTP server's wait before each reply in the kills scenario, s (1)",
    )  # fmt: skip
    parser.add_argument("--seed", type=int, default=1, help="of the kills' timetable (1)")
    add_server_options(parser)
    parser.add_argument(
        "--write", action="store_true",
        help="replace the scenarios' figures in BENCHMARKS.md (not with --quick)",
    )  # fmt: skip
    options = parser.parse_args(argv)
    for name, value in (QUICK if options.quick else FULL).items():
        if getattr(options, name) is None:
            setattr(options, name, value)
    if options.write and options.quick:
        parser.error("a smoke run's figures are not the drill's: drop --quick to --write")
    if min(options.teams, options.burst) < 1 or options.burst_seconds <= 0:
        parser.error("teams, the burst and its length must be positive")
    if options.kill_every <= 0 or options.reply_delay < 0:
        parser.error("--kill-every must be positive and --reply-delay not negative")
    return options


def plan(options: argparse.Namespace) -> list[tuple[str, str]]:
    """(scenario, database) in the order they run."""
    scenarios = list(RUNNERS) if options.scenario == "all" else [options.scenario]
    kinds = ["sqlite", "postgres"] if options.database == "both" else [options.database]
    return [
        (scenario, kind)
        for scenario in scenarios
        for kind in (["postgres"] if scenario == "database" else kinds)
    ]


def main(argv: Sequence[str]) -> int:
    options = parse(argv)
    on_signals_unwind()
    load = os.getloadavg()
    command = command_line("-m bench.faults", argv)
    runs: dict[str, list[Run]] = {}
    try:
        for scenario, kind in plan(options):
            print(f"\n== {scenario} on {kind}", flush=True)
            runs.setdefault(scenario, []).extend(RUNNERS[scenario](kind, options))
    except KeyboardInterrupt:
        print("interrupted: everything the drill started is stopped", file=sys.stderr)
        return 130
    for scenario, done in runs.items():
        section = report.section(scenario, done, options, command, load)
        print(f"\n### {scenario}\n\n{section}")
        if options.write:
            write_section(section, *report.marks(scenario), heading(scenario))
    return 0
