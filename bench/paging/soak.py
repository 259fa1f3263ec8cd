"""The soak: ``--soak-rate`` reach-outs per second for ``--soak-seconds``, each cancelled
by its requester ``--soak-lifetime`` seconds later, sampling the memory of the engine
and of each web worker throughout."""

from __future__ import annotations

import argparse
import asyncio
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field

import httpx

from bench.common import percentile
from bench.paging.figures import NONE, cells, row, seconds
from bench.paging.memory import Memory, Samplers
from bench.paging.outcome import Delivery, Lateness, collect, delivery, lateness
from bench.paging.people import Person, Post, cancel, client, reach_out
from bench.paging.servers import DATABASES, Servers


@dataclass
class Traffic:
    posts: list[Post] = field(default_factory=list)
    skipped: int = 0  # planned POSTs that found nobody free to post
    cancel_failures: int = 0
    seconds: float = 0.0


@dataclass
class Soak:
    traffic: Traffic
    delivery: Delivery
    step_2: Lateness | None  # when requests lived past their second step
    memory: Memory


def run(
    servers: Servers,
    environ: dict[str, str],
    people: list[Person],
    options: argparse.Namespace,
    delay_minutes: int,
) -> Soak:
    print(
        f"  soak: {options.soak_rate:g} reach-outs/s for {options.soak_seconds:g} s, "
        f"each cancelled after {options.soak_lifetime:g} s",
        flush=True,
    )
    samplers = Samplers(servers.roots, options.soak_sample_seconds, keep_history=True).start()
    samplers.start_load()
    traffic = asyncio.run(
        drive(servers.base_url, people, options.soak_rate, options.soak_seconds,
              options.soak_lifetime)
    )  # fmt: skip
    memory = samplers.stop()
    found = collect(environ, [p.pk for p in traffic.posts if p.pk is not None])
    received = servers.received()
    step_2 = None
    if options.soak_lifetime > delay_minutes * 60:
        step_2 = lateness(found, received, 1, delay_minutes)
    return Soak(traffic, delivery(found, received, traffic.posts), step_2, memory)


async def drive(
    base_url: str, people: list[Person], rate: float, seconds: float, lifetime: float
) -> Traffic:
    """``rate`` reach-outs per second for ``seconds``, each cancelled after ``lifetime``."""
    traffic = Traffic()
    free = deque(people)
    async with client(base_url, None) as http_client:
        started = time.monotonic()
        tasks = []
        next_report = 60.0
        for index in range(int(rate * seconds)):
            at = index / rate
            await asyncio.sleep(max(0.0, started + at - time.monotonic()))
            if at >= next_report:
                errors = sum(p.pk is None for p in traffic.posts)
                print(
                    f"  soak: {at:4.0f} s, {len(traffic.posts)} POSTs, {errors} errors", flush=True
                )
                next_report += 60
            if not free:
                traffic.skipped += 1
                continue
            person = free.popleft()
            tasks.append(asyncio.create_task(_one(http_client, person, lifetime, traffic, free)))
        traffic.seconds = time.monotonic() - started
        await asyncio.gather(*tasks)
    return traffic


async def _one(
    http_client: httpx.AsyncClient,
    person: Person,
    lifetime: float,
    traffic: Traffic,
    free: deque[Person],
) -> None:
    """One person reaches out, cancels ``lifetime`` seconds later, and is free again."""
    post = await reach_out(http_client, person)
    traffic.posts.append(post)
    if post.pk is not None:
        await asyncio.sleep(max(0.0, post.sent + lifetime - time.time()))
        if not await cancel(http_client, person, post.pk):
            traffic.cancel_failures += 1
    free.append(person)


def section(runs: Sequence[tuple[str, Soak]], options: argparse.Namespace) -> list[str]:
    past_step_2 = any(soak.step_2 is not None for _, soak in runs)
    lines = [
        f"Soak: {options.soak_rate:g} reach-outs per second for {options.soak_seconds:g} s "
        f"(RSS sampled every {options.soak_sample_seconds:g} s), each cancelled by its "
        f"requester {options.soak_lifetime:g} s later"
        + (", so every request's second step fires first" if past_step_2 else "")
        + ".",
        "",
        "| database | POSTs | failed | skipped | failed cancels | first page p50 | p99 | max "
        "| without e-mail | step 2 lateness p99 | max |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for kind, soak in runs:
        traffic, late = soak.traffic, soak.step_2
        lines.append(
            row(
                DATABASES[kind], len(traffic.posts), sum(p.pk is None for p in traffic.posts),
                traffic.skipped, traffic.cancel_failures, *cells(soak.delivery.smtp, (0.5, 0.99)),
                soak.delivery.without_email,
                seconds(percentile(late.recorded, 0.99)) if late else NONE,
                seconds(max(late.recorded, default=float("nan"))) if late else NONE,
            )
        )  # fmt: skip
    return lines
