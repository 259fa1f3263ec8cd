"""How fast Backline serves its pages, against a bare one-query view: ``make bench`` or
``.venv/bin/python -m bench.pages`` (``--help``).

It builds a throw-away production-like Backline in a temporary folder (SQLite,
``BACKLINE_ENV=production``, ``bench.settings``), loads the demo data, starts granian
(WSGI) on a free loopback port, signs in the demo telecommunicator, and drives three
pages with a fixed number of concurrent asyncio/httpx clients:

* the baseline: ``/bench/one-query/``, a bare view doing exactly one query;
* the login page, anonymous (no cookies at all, like a first visit);
* the telecommunicator's home page, signed in.

Endpoints are measured in several rounds, in a rotating order, after a warm-up. Each
figure is the median over the rounds; each ratio compares an endpoint with the baseline
of the same round. The server's memory is read from ``/proc`` for each granian process:
its peak resident set size (``VmHWM``) before the load, then, reset, under the load.
Only the loopback address is used (and no proxy). ``--write`` puts the results into
``BENCHMARKS.md``; ``BENCHMARKS.md`` explains every figure.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import http.cookiejar
import json
import math
import os
import platform
import statistics
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.common import (
    BASELINE_PATH,
    BENCHMARKS_MD,
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

USER_EMAIL = "telecom@example.org"  # demo telecommunicator: no MFA required
USER_PASSWORD = "backline-demo"  # the published demo password
USER_NAME = "Jordan Ellis"  # shown on the home page once signed in
START_MARK = "<!-- http-baseline:start -->"
END_MARK = "<!-- http-baseline:end -->"


@dataclass(frozen=True)
class Endpoint:
    name: str
    path: str
    signed_in: bool


BASELINE = Endpoint("baseline: one query", BASELINE_PATH, signed_in=False)
ENDPOINTS = [
    BASELINE,
    Endpoint("login page, anonymous", "/accounts/login/", signed_in=False),
    Endpoint("home, telecommunicator", "/home/", signed_in=True),
]


# --------------------------------------------------------------------------- set-up


def sign_in(base_url: str) -> httpx.Cookies:
    """Signs the demo telecommunicator in as a browser would; returns the cookies."""
    cookies = sign_in_as(base_url, USER_EMAIL, USER_PASSWORD)
    with httpx.Client(base_url=base_url, timeout=30, trust_env=False, cookies=cookies) as client:
        home = client.get("/home/")
        if home.status_code != 200 or USER_NAME.split()[0] not in home.text:
            raise SystemExit(f"the signed-in home page did not show: HTTP {home.status_code}")
        return httpx.Cookies(client.cookies)


def count_queries(environ: dict[str, str]) -> dict[str, int]:
    targets = [f"{'user' if e.signed_in else 'anon'}:{e.path}" for e in ENDPOINTS]
    output = run_quietly([sys.executable, "-m", "bench.queries", USER_EMAIL, *targets], environ)
    counts = json.loads(output)
    return {e.path: counts[t] for e, t in zip(ENDPOINTS, targets, strict=True)}


# --------------------------------------------------------------------------- load


@dataclass
class Results:
    rounds: list[dict[str, Measurement]] = field(default_factory=list)

    def of(self, endpoint: Endpoint) -> list[Measurement]:
        return [measured[endpoint.path] for measured in self.rounds]

    def median(self, endpoint: Endpoint, figure: str) -> float:
        return statistics.median(_figure(m, figure) for m in self.of(endpoint))

    def ratio(self, endpoint: Endpoint, figure: str) -> float:
        """Median over rounds of this endpoint's figure divided by the same round's baseline."""
        return statistics.median(
            _figure(m[endpoint.path], figure) / (_figure(m[BASELINE.path], figure) or math.nan)
            for m in self.rounds
        )

    @property
    def errors(self) -> int:
        return sum(m.errors for measured in self.rounds for m in measured.values())


def _figure(measurement: Measurement, figure: str) -> float:
    if figure == "rps":
        return measurement.rps
    if figure == "p50":
        return measurement.latency_ms(0.50)
    if figure == "p95":
        return measurement.latency_ms(0.95)
    if figure == "cpu":
        return measurement.server_cpu_ms
    raise ValueError(figure)


async def benchmark(
    base_url: str,
    cookies: httpx.Cookies,
    server_pids: list[int],
    concurrency: int,
    duration: float,
    warmup: float,
    rounds: int,
) -> Results:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    # The anonymous client keeps no cookie, so every request is a first visit.
    no_cookies = http.cookiejar.CookieJar(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
    async with (
        httpx.AsyncClient(
            base_url=base_url, limits=limits, timeout=60, trust_env=False, cookies=no_cookies
        ) as anonymous,
        httpx.AsyncClient(
            base_url=base_url, limits=limits, timeout=60, trust_env=False, cookies=cookies
        ) as signed_in,
    ):
        results = Results()
        for endpoint in ENDPOINTS:
            client = signed_in if endpoint.signed_in else anonymous
            print(f"  warm-up {endpoint.path} ({warmup:g} s)", flush=True)
            await drive(get_ok(client, endpoint.path), concurrency, warmup, server_pids)
        for number in range(rounds):
            shift = number % len(ENDPOINTS)
            measured: dict[str, Measurement] = {}
            for endpoint in ENDPOINTS[shift:] + ENDPOINTS[:shift]:
                client = signed_in if endpoint.signed_in else anonymous
                measurement = await drive(
                    get_ok(client, endpoint.path), concurrency, duration, server_pids
                )
                measured[endpoint.path] = measurement
                print(
                    f"  round {number + 1}/{rounds} {endpoint.path:<20} "
                    f"{measurement.rps:8.1f} req/s  p50 {measurement.latency_ms(0.5):6.1f} ms  "
                    f"errors {measurement.errors}",
                    flush=True,
                )
            results.rounds.append(measured)
        return results


# --------------------------------------------------------------------------- report


def report(
    results: Results,
    queries: dict[str, int],
    sampler: MemorySampler,
    options: argparse.Namespace,
    command: str,
    load_before: tuple[float, float, float],
) -> str:
    lines = [
        *_how(results, options, command, load_before),
        "",
        *_medians(results, queries),
        "",
        *_rounds(results, options.rounds),
        "",
        *_memory(sampler),
    ]
    return "\n".join(lines) + "\n"


def _how(
    results: Results,
    options: argparse.Namespace,
    command: str,
    load_before: tuple[float, float, float],
) -> list[str]:
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    measured = [m for r in results.rounds for m in r.values()]
    wall = sum(m.seconds for m in measured)
    server_cpu = sum(m.server_cpu for m in measured)
    client_cpu = sum(m.client_cpu for m in measured)
    others = max(0.0, sum(m.machine_cpu for m in measured) - server_cpu - client_cpu) / wall
    return [
        f"Measured {now} with `{command}`.",
        "",
        f"- Machine: {nproc()} CPUs ({cpu_model()}), Python {platform.python_version()}, "
        f"{versions()}; the client runs on the same machine. Load average before the run: "
        + " ".join(f"{figure:.2f}" for figure in load_before)
        + ".",
        f"- Server: granian WSGI, {options.workers} workers, "
        f"{options.blocking_threads} blocking threads each, "
        "`BACKLINE_ENV=production`, SQLite in a temporary folder, demo data loaded.",
        f"- Load: {options.concurrency} concurrent keep-alive connections, "
        f"{options.duration:g} s per endpoint per round, {options.rounds} rounds in rotating "
        f"order after a {options.warmup:g} s warm-up per endpoint; "
        f"{sum(m.requests for m in measured)} requests, {results.errors} errors. While "
        f"measuring, the server used {server_cpu / wall:.2f} CPUs on average, the client "
        f"{client_cpu / wall:.2f} and other processes {others:.2f}.",
    ]


def _medians(results: Results, queries: dict[str, int]) -> list[str]:
    lines = [
        "| endpoint | path | queries | req/s | p50 ms | p95 ms | server CPU ms/req "
        "| req/s ÷ baseline | p50 ÷ baseline | CPU ÷ baseline |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for endpoint in ENDPOINTS:
        lines.append(
            f"| {endpoint.name} | `{endpoint.path}` | {queries.get(endpoint.path, '?')} "
            f"| {results.median(endpoint, 'rps'):.0f} "
            f"| {results.median(endpoint, 'p50'):.1f} "
            f"| {results.median(endpoint, 'p95'):.1f} "
            f"| {results.median(endpoint, 'cpu'):.2f} "
            f"| {results.ratio(endpoint, 'rps'):.2f} "
            f"| {results.ratio(endpoint, 'p50'):.2f} "
            f"| {results.ratio(endpoint, 'cpu'):.2f} |"
        )
    return lines


def _rounds(results: Results, rounds: int) -> list[str]:
    lines = [
        "Each round (req/s; p50 ms; server CPU ms/req):",
        "",
        "| endpoint | " + " | ".join(f"round {n + 1}" for n in range(rounds)) + " |",
        "|---|" + "--:|" * rounds,
    ]
    for endpoint in ENDPOINTS:
        cells = [
            f"{m.rps:.0f}; {m.latency_ms(0.5):.1f}; {m.server_cpu_ms:.2f}"
            for m in results.of(endpoint)
        ]
        lines.append(f"| {endpoint.name} | " + " | ".join(cells) + " |")
    return lines


def _memory(sampler: MemorySampler) -> list[str]:
    peak_source = "`VmHWM`" if sampler.peaks_reset else "`VmRSS` sampled every 0.25 s"
    lines = [
        f"Server memory, MiB (peak under load: {peak_source}, reset after signing in; "
        "PSS shares pages among the processes that share them):",
        "",
        "| process | RSS after start-up | peak before the load | peak under load "
        "| RSS at end | PSS at end |",
        "|---|--:|--:|--:|--:|--:|",
    ]
    memory = list(sampler.processes.values())
    for process in memory:
        lines.append(
            f"| granian {process.role} | {mib(process.start_rss_kib)} "
            f"| {mib(process.setup_peak_kib)} | {mib(sampler.load_peak_kib(process))} "
            f"| {mib(process.last_rss_kib)} | {mib(process.pss_kib)} |"
        )
    pss_values = [p.pss_kib for p in memory if p.pss_kib is not None]
    lines.append(
        f"| **all {len(memory)} processes** | {mib(sum(p.start_rss_kib for p in memory))} "
        f"| {mib(sum(p.setup_peak_kib for p in memory))} "
        f"| {mib(sum(sampler.load_peak_kib(p) for p in memory))} "
        f"| {mib(sum(p.last_rss_kib for p in memory))} "
        f"| {mib(sum(pss_values) if len(pss_values) == len(memory) else None)} |"
    )
    return lines


# --------------------------------------------------------------------------- main


def parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    add_server_options(parser)
    parser.add_argument("--concurrency", type=int, default=16, help="clients (default 16)")
    parser.add_argument(
        "--duration", type=float, default=5.0,
        help="seconds per endpoint per round (default 5)",
    )  # fmt: skip
    parser.add_argument(
        "--warmup", type=float, default=3.0, help="warm-up seconds per endpoint (default 3)"
    )
    parser.add_argument("--rounds", type=int, default=5, help="rounds (default 5)")
    parser.add_argument(
        "--write", action="store_true", help=f"replace the results section of {BENCHMARKS_MD.name}"
    )
    options = parser.parse_args(argv)
    if min(options.workers, options.concurrency, options.rounds) < 1 or options.duration <= 0:
        parser.error("workers, concurrency, rounds and duration must be positive")
    return options


def main(argv: Sequence[str]) -> int:
    options = parse(argv)
    load_before = os.getloadavg()
    command = command_line("-m bench.pages", argv)
    with tempfile.TemporaryDirectory(prefix="backline-bench-") as temporary:
        data_dir = Path(temporary)
        environ = bench_environment(data_dir)
        print(f"Preparing a production-like Backline in {data_dir}", flush=True)
        prepare_database(environ)
        queries = count_queries(environ)
        port = free_port()
        print(f"Starting granian on {HOST}:{port} with {options.workers} workers", flush=True)
        with granian(
            environ, port, options.workers, options.blocking_threads, data_dir / "granian.log"
        ) as server:
            sampler = MemorySampler(server.pid)
            sampler.start()
            base_url = f"http://{HOST}:{port}"
            cookies = sign_in(base_url)
            sampler.start_load()
            results = asyncio.run(
                benchmark(
                    base_url,
                    cookies,
                    sampler.pids(),
                    options.concurrency,
                    options.duration,
                    options.warmup,
                    options.rounds,
                )
            )
            sampler.stop()
    section = report(results, queries, sampler, options, command, load_before)
    return publish(section, results.errors, options.write, START_MARK, END_MARK)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
