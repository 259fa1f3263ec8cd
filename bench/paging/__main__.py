"""Runs the paging benchmark: ``.venv/bin/python -m bench.paging`` (``--help``); see
``bench/paging/__init__.py`` for what it measures."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from bench.common import add_server_options, command_line, publish
from bench.paging import __doc__ as about
from bench.paging.report import END_MARK, START_MARK, heading, report
from bench.paging.run import Run, run_one


def parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.paging", description=(about or "").split("\n\n")[0]
    )
    parser.add_argument(
        "--database", choices=["sqlite", "postgres", "both"], default="both",
        help="which database(s) to run on (default both)",
    )  # fmt: skip
    parser.add_argument("--teams", type=int, default=50, help="peer teams (default 50)")
    parser.add_argument("--burst", type=int, default=500, help="reach-outs in the burst (500)")
    parser.add_argument(
        "--burst-seconds", type=float, default=10.0, help="the burst's length (default 10 s)"
    )
    parser.add_argument(
        "--soak-seconds", type=float, default=600.0,
        help="the soak's length (default 600 s; 0 skips it)",
    )  # fmt: skip
    parser.add_argument(
        "--soak-rate", type=float, default=10.0, help="reach-outs per second in the soak (10)"
    )
    parser.add_argument(
        "--soak-lifetime", type=float, default=65.0,
        help="seconds before a soak request is cancelled (default 65: after its second step)",
    )  # fmt: skip
    parser.add_argument(
        "--soak-sample-seconds", type=float, default=5.0, help="RSS sampling in the soak (5 s)"
    )
    parser.add_argument("--rounds", type=int, default=3, help="throughput rounds (default 3)")
    parser.add_argument(
        "--concurrency", type=int, default=16, help="clients in the throughput rounds (16)"
    )
    parser.add_argument(
        "--duration", type=float, default=5.0, help="seconds of the one-query view per round (5)"
    )
    parser.add_argument(
        "--engines", type=int, default=1,
        help="engine processes (default 1; more than one only on PostgreSQL, as ADR 0005 says)",
    )  # fmt: skip
    add_server_options(parser)
    parser.add_argument(
        "--write", action="store_true", help="replace the paging results in BENCHMARKS.md"
    )
    options = parser.parse_args(argv)
    if min(options.teams, options.burst, options.rounds, options.concurrency) < 1:
        parser.error("teams, burst, rounds and concurrency must be positive")
    if options.engines < 1 or (options.engines > 1 and options.database != "postgres"):
        parser.error("several engines run against PostgreSQL only: add --database postgres")
    if options.burst_seconds <= 0 or options.soak_seconds < 0 or options.soak_rate <= 0:
        parser.error("the burst's length and the soak's rate must be positive")
    return options


def failures(runs: list[Run]) -> int:
    """Requests that failed: with any, the figures are not valid."""
    failed = sum(r.burst.failed for r in runs)
    return failed + sum(x.reach_out.errors + x.baseline.errors for r in runs for x in r.rounds)


def main(argv: Sequence[str]) -> int:
    options = parse(argv)
    load = os.getloadavg()
    command = command_line("-m bench.paging", argv)
    kinds = ["sqlite", "postgres"] if options.database == "both" else [options.database]
    runs = [run_one(kind, options) for kind in kinds]
    section = report(runs, options, command, load)
    return publish(section, failures(runs), options.write, START_MARK, END_MARK, heading)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
