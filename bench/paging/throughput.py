"""POST throughput: in each of ``--rounds`` rounds, every telecommunicator posts Reach out
once (``--concurrency`` clients back to back), and the bare one-query view is driven for
``--duration`` seconds by as many clients; the order alternates, and the requests are
cancelled between rounds (as their requesters would)."""

from __future__ import annotations

import argparse
import asyncio
import math
import sys
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from bench.common import BASELINE_PATH, Measurement, cpu_seconds, drive, get_ok
from bench.paging.figures import median, row
from bench.paging.people import Person, Post, cancel_all, client, reach_out
from bench.paging.servers import DATABASES, Servers, settle


@dataclass
class Round:
    reach_out: Measurement
    baseline: Measurement
    engine_cpu: float  # seconds of engine CPU until its pages were all sent

    @property
    def ratio(self) -> float:
        return self.reach_out.rps / self.baseline.rps if self.baseline.rps else math.nan


def run(servers: Servers, people: list[Person], options: argparse.Namespace) -> list[Round]:
    return asyncio.run(_rounds(servers, people, options))


async def _rounds(
    servers: Servers, people: list[Person], options: argparse.Namespace
) -> list[Round]:
    results: list[Round] = []
    web_pids, engine_pids = servers.web_pids(), servers.engine_pids()
    concurrency = options.concurrency
    async with (
        client(servers.base_url, concurrency) as signed_in,
        client(servers.base_url, concurrency) as anonymous,
    ):
        print(f"  throughput: warm-up {BASELINE_PATH} (2 s)", flush=True)
        await drive(get_ok(anonymous, BASELINE_PATH), concurrency, 2, web_pids)
        for number in range(options.rounds):
            measured: dict[str, Measurement] = {}
            engine_cpu = 0.0
            for name in ["reach_out", "baseline"][:: 1 if number % 2 == 0 else -1]:
                settle([*web_pids, *engine_pids])
                if name == "baseline":
                    baseline = get_ok(anonymous, BASELINE_PATH)
                    measured[name] = await drive(baseline, concurrency, options.duration, web_pids)
                else:
                    measured[name], engine_cpu = await _everyone_posts(
                        signed_in, people, concurrency, web_pids, engine_pids
                    )
            results.append(Round(measured["reach_out"], measured["baseline"], engine_cpu))
            _show(number, options.rounds, results[-1])
    return results


async def _everyone_posts(
    signed_in: httpx.AsyncClient,
    people: list[Person],
    concurrency: int,
    web_pids: list[int],
    engine_pids: list[int],
) -> tuple[Measurement, float]:
    """Every person posts once; then their pages go out, and they cancel. Returns the
    POSTs' measurement and the engine's CPU seconds until the pages were sent."""
    todo = deque(people)
    posts: list[Post] = []

    async def attempt() -> bool | None:
        if not todo:
            return None
        post = await reach_out(signed_in, todo.popleft())
        posts.append(post)
        return post.pk is not None

    engine_before = cpu_seconds(engine_pids)
    measured = await drive(attempt, concurrency, None, web_pids)
    settle(engine_pids)  # the engine sends these requests' pages
    engine_cpu = cpu_seconds(engine_pids) - engine_before
    failed = await cancel_all(signed_in, posts)
    if failed:
        print(f"  {failed} cancellations failed", file=sys.stderr)
    return measured, engine_cpu


def _show(number: int, rounds: int, measured: Round) -> None:
    print(
        f"  round {number + 1}/{rounds}: reach out {measured.reach_out.rps:6.1f} POST/s "
        f"(errors {measured.reach_out.errors}), one query {measured.baseline.rps:6.1f} "
        f"req/s, ratio {measured.ratio:.3f}",
        flush=True,
    )


def section(
    runs: Sequence[tuple[str, list[Round], dict[str, Any]]], options: argparse.Namespace
) -> list[str]:
    """The throughput table: each database's rounds, with the queries of one POST and of
    the engine's tick for one request."""
    lines = [
        "#### POST throughput",
        "",
        f"Each round: every telecommunicator posts Reach out once ({options.concurrency} "
        f"clients back to back), and the bare one-query view `{BASELINE_PATH}` is driven "
        f"for {options.duration:g} s by as many clients; the order alternates; requests are "
        "cancelled in between, and each measurement starts once the server and the engine "
        "are idle. The engine keeps sending the new requests' pages meanwhile, as it would.",
        "",
        "| database | POST/s | one-query req/s | POST/s ÷ baseline | POST p50 ms "
        "| web CPU ms/POST | baseline CPU ms/req | engine CPU ms/request | queries/POST "
        "| engine queries/request |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for kind, rounds, queries in runs:
        lines.append(_medians(kind, rounds, queries))
    each = "; ".join(f"{DATABASES[kind]}: " + _each(rounds) for kind, rounds, _ in runs)
    return [*lines, "", f"Each round (POST/s; one-query req/s; ratio; POST errors): {each}."]


def _medians(kind: str, rounds: list[Round], queries: dict[str, Any]) -> str:
    engine = [x.engine_cpu * 1000 / max(1, x.reach_out.requests) for x in rounds]
    return row(
        DATABASES[kind],
        f"{median([x.reach_out.rps for x in rounds]):.1f}",
        f"{median([x.baseline.rps for x in rounds]):.0f}",
        f"{median([x.ratio for x in rounds]):.3f}",
        f"{median([x.reach_out.latency_ms(0.5) for x in rounds]):.0f}",
        f"{median([x.reach_out.server_cpu_ms for x in rounds]):.1f}",
        f"{median([x.baseline.server_cpu_ms for x in rounds]):.2f}",
        f"{median(engine):.1f}",
        queries["post"],
        queries["tick"],
    )


def _each(rounds: list[Round]) -> str:
    return ", ".join(
        f"{x.reach_out.rps:.1f}; {x.baseline.rps:.0f}; {x.ratio:.3f}; {x.reach_out.errors}"
        for x in rounds
    )
