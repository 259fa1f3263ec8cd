"""The resource directory at 10,000 services: HSDS import and export times, and the
search with two filters against the one-query view. ``.venv/bin/python -m bench.directory``
(``--help``; ``--write`` puts the results into ``BENCHMARKS.md``).

For SQLite and for PostgreSQL (a throw-away cluster, as ``bench/paging`` makes one, or a
new database on the server ``DATABASE_URL`` names), it builds a throw-away production-like
Backline as ``bench/pages.py`` does (demo data loaded), then, in one process
(``bench/directory_io.py``): builds an HSDS package of 10,000 services, imports it into the
demo team's directory, exports it, and imports the export again; the times and that
process's peak memory are reported. It then starts granian (WSGI) on a loopback port,
signs in the demo telecommunicator, and drives the one-query view and two searches (two
filters each) in rotating rounds, as ``bench/pages.py`` drives its pages: each ratio is
the median over rounds of the search's figure over the same round's one-query view.
The server processes' peak memory under the load is read from ``/proc``.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import os
import platform
import statistics
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.common import (
    BASELINE_PATH,
    HOST,
    Measurement,
    MemorySampler,
    add_server_options,
    bench_environment,
    command_line,
    cpu_model,
    drive,
    free_port,
    get_ok,
    granian,
    mib,
    nproc,
    prepare_database,
    publish,
    run_quietly,
    sign_in_as,
    versions,
)
from bench.paging.servers import DATABASES, database

USER_EMAIL = "telecom@example.org"  # the demo telecommunicator: no second factor
USER_PASSWORD = "backline-demo"
START_MARK = "<!-- directory:start -->"
END_MARK = "<!-- directory:end -->"
GOAL_SECONDS = 30.0
GOAL_RATIO = 2.0


@dataclass(frozen=True)
class Endpoint:
    name: str
    path: str


BASELINE = Endpoint("baseline: one query", BASELINE_PATH)
SEARCHES = [
    Endpoint("search: Spanish + telehealth", "/directory/?language=es&telehealth=on"),
    Endpoint("search: EMDR + open now", "/directory/?specialty=emdr&open_now=on"),
]
ENDPOINTS = [BASELINE, *SEARCHES]


@dataclass
class Run:
    kind: str
    where: str
    io: dict[str, float]
    rounds: list[dict[str, Measurement]]
    sampler: MemorySampler

    def ratio(self, endpoint: Endpoint, fraction: float) -> float:
        return statistics.median(
            r[endpoint.path].latency_ms(fraction) / r[BASELINE.path].latency_ms(fraction)
            for r in self.rounds
        )

    def median(self, endpoint: Endpoint, fraction: float) -> float:
        return statistics.median(r[endpoint.path].latency_ms(fraction) for r in self.rounds)

    @property
    def errors(self) -> int:
        return sum(m.errors for r in self.rounds for m in r.values())


async def _load(
    base_url: str, cookies: httpx.Cookies, pids: list[int], options: argparse.Namespace
) -> list[dict[str, Measurement]]:
    limits = httpx.Limits(
        max_connections=options.concurrency, max_keepalive_connections=options.concurrency
    )
    async with httpx.AsyncClient(
        base_url=base_url, limits=limits, timeout=60, trust_env=False, cookies=cookies
    ) as client:
        for endpoint in ENDPOINTS:
            await drive(get_ok(client, endpoint.path), options.concurrency, options.warmup, pids)
        rounds = []
        for number in range(options.rounds):
            shift = number % len(ENDPOINTS)
            measured = {}
            for endpoint in ENDPOINTS[shift:] + ENDPOINTS[:shift]:
                m = await drive(
                    get_ok(client, endpoint.path), options.concurrency, options.duration, pids
                )
                measured[endpoint.path] = m
                print(
                    f"  round {number + 1}/{options.rounds} {endpoint.path:<42} "
                    f"{m.rps:7.1f} req/s  p95 {m.latency_ms(0.95):7.1f} ms  errors {m.errors}",
                    flush=True,
                )
            rounds.append(measured)
        return rounds


def measure(kind: str, options: argparse.Namespace) -> Run:
    with database(kind) as db, tempfile.TemporaryDirectory(prefix="backline-bench-") as folder:
        environ = bench_environment(Path(folder), db.url)
        print(f"{DATABASES[kind]}: preparing a production-like Backline", flush=True)
        prepare_database(environ)
        print(f"  importing and exporting {options.services} services", flush=True)
        io = json.loads(
            run_quietly(
                [sys.executable, "-m", "bench.directory_io", "--services", str(options.services)],
                environ,
            )
        )
        print(f"  {io}", flush=True)
        port = free_port()
        with granian(
            environ, port, options.workers, options.blocking_threads, Path(folder) / "granian.log"
        ) as server:
            sampler = MemorySampler(server.pid)
            sampler.start()
            base_url = f"http://{HOST}:{port}"
            cookies = sign_in_as(base_url, USER_EMAIL, USER_PASSWORD)
            sampler.start_load()
            rounds = asyncio.run(_load(base_url, cookies, sampler.pids(), options))
            sampler.stop()
        return Run(kind, db.where, io, rounds, sampler)


def report(
    runs: list[Run], options: argparse.Namespace, command: str, load: tuple[float, ...]
) -> str:
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"Measured {now} with `{command}`.",
        "",
        f"- Machine: {nproc()} CPUs ({cpu_model()}), Python {platform.python_version()}, "
        f"{versions()}; the client runs on the same machine. Load average before the run: "
        + " ".join(f"{figure:.2f}" for figure in load)
        + ".",
        f"- Directory: the demo team's, plus {options.services} imported services "
        "(services/20 organizations, two phones, one or two languages, one or two "
        "schedules and four attributes each; two in five with telehealth).",
        f"- Server: granian WSGI, {options.workers} workers, {options.blocking_threads} "
        f"blocking threads each, `BACKLINE_ENV=production`; {options.concurrency} concurrent "
        f"keep-alive connections, {options.duration:g} s per endpoint per round, "
        f"{options.rounds} rounds in rotating order after a {options.warmup:g} s warm-up.",
        "",
        "| database | import s | export s | import again (updates) s "
        "| peak MiB of the importing process | CSV MiB | zip MiB | goal ≤ 30 s |",
        "|---|--:|--:|--:|--:|--:|--:|---|",
    ]
    for run in runs:
        io = run.io
        met = max(io["import_s"], io["export_s"], io["reimport_s"]) <= GOAL_SECONDS
        lines.append(
            f"| {DATABASES[run.kind]} | {io['import_s']:.1f} | {io['export_s']:.1f} "
            f"| {io['reimport_s']:.1f} | {io['reimport_peak_mib']:.0f} | {io['csv_mib']:.1f} "
            f"| {io['zip_mib']:.1f} | {'met' if met else 'missed'} |"
        )
    lines += [
        "",
        "| database | endpoint | p50 ms | p95 ms | p95 ÷ one-query p95 | goal ≤ 2 times |",
        "|---|---|--:|--:|--:|---|",
    ]
    for run in runs:
        for endpoint in ENDPOINTS:
            ratio = run.ratio(endpoint, 0.95)
            goal = "" if endpoint is BASELINE else ("met" if ratio <= GOAL_RATIO else "missed")
            lines.append(
                f"| {DATABASES[run.kind]} | {endpoint.name} (`{endpoint.path}`) "
                f"| {run.median(endpoint, 0.5):.1f} | {run.median(endpoint, 0.95):.1f} "
                f"| {ratio:.2f} | {goal} |"
            )
    lines += ["", "| database | web server memory, MiB | peak under load (all processes) |",
              "|---|---|--:|"]  # fmt: skip
    for run in runs:
        processes = list(run.sampler.processes.values())
        peak = sum(run.sampler.load_peak_kib(p) for p in processes)
        lines.append(
            f"| {DATABASES[run.kind]} | {len(processes)} granian processes | {mib(peak)} |"
        )
    return "\n".join(lines) + "\n"


def parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    add_server_options(parser)
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--services", type=int, default=10_000, help="default 10000")
    parser.add_argument("--concurrency", type=int, default=8, help="clients (default 8)")
    parser.add_argument("--duration", type=float, default=4.0, help="seconds (default 4)")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds (default 2)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds (default 3)")
    parser.add_argument("--write", action="store_true", help="put the results in BENCHMARKS.md")
    return parser.parse_args(argv)


def main(argv: Sequence[str]) -> int:
    options = parse(argv)
    load = os.getloadavg()
    kinds = ["sqlite", "postgres"] if options.database == "both" else [options.database]
    runs = [measure(kind, options) for kind in kinds]
    section = report(runs, options, command_line("-m bench.directory", argv), load)
    return publish(section, sum(r.errors for r in runs), options.write, START_MARK, END_MARK)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
