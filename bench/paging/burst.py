"""The burst: ``--burst`` Reach out POSTs by as many telecommunicators, planned evenly
over ``--burst-seconds`` (an open loop: each POST leaves at its planned moment, whatever
the server's pace), and how soon each request's first e-mail reached the SMTP sink,
from the click (the client sending the POST) and from ``requested_at``."""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass

from bench.common import cpu_seconds, machine_busy_seconds, percentile
from bench.paging.figures import cells, row, seconds, spread
from bench.paging.outcome import Collected, Delivery, collect, delivery
from bench.paging.people import Person, Post, client, reach_out
from bench.paging.servers import DATABASES, Database, Servers, wait_for


@dataclass
class Cpu:
    """CPU seconds used from the first POST until the last first-step e-mail arrived."""

    wall: float
    web: float
    engine: float
    database: float | None  # None: not a process of ours (SQLite, or a server given to us)
    smtp: float
    client: float
    machine: float  # every process of the machine

    @property
    def others(self) -> float:
        ours = self.web + self.engine + (self.database or 0) + self.smtp + self.client
        return max(0.0, self.machine - ours)


@dataclass
class Burst:
    posts: list[Post]
    wall: float  # seconds from the first planned POST to the last answer
    delivery: Delivery
    cpu: Cpu
    collected: Collected  # the requests as they were once their first e-mails arrived

    @property
    def failed(self) -> int:
        return sum(p.pk is None for p in self.posts)


class CpuClock:
    """CPU used by the benchmark's processes from ``__init__`` to ``read()``."""

    def __init__(self, servers: Servers, db: Database) -> None:
        self.groups = {
            "web": servers.web_pids(),
            "engine": servers.engine_pids(),
            "smtp": [servers.smtp.pid],
            "database": db.server_pids(),
        }
        self.before = {name: cpu_seconds(pids) for name, pids in self.groups.items()}
        self.client = time.process_time()
        self.machine = machine_busy_seconds()

    def read(self, wall: float) -> Cpu:
        used = {name: cpu_seconds(pids) - self.before[name] for name, pids in self.groups.items()}
        return Cpu(
            wall=wall,
            web=used["web"],
            engine=used["engine"],
            database=used["database"] if self.groups["database"] else None,
            smtp=used["smtp"],
            client=time.process_time() - self.client,
            machine=machine_busy_seconds() - self.machine,
        )


async def send(base_url: str, people: list[Person], count: int, length: float) -> list[Post]:
    """``count`` POSTs, evenly spread over ``length`` seconds, whatever the server's pace."""
    async with client(base_url, None) as http_client:
        started = time.time()

        async def planned(index: int, person: Person) -> Post:
            at = started + index * length / count
            await asyncio.sleep(max(0.0, at - time.time()))
            return await reach_out(http_client, person, planned=at)

        return list(await asyncio.gather(*(planned(i, p) for i, p in enumerate(people[:count]))))


def run(
    servers: Servers,
    db: Database,
    environ: dict[str, str],
    people: list[Person],
    options: argparse.Namespace,
) -> Burst:
    print(f"  burst: {options.burst} reach-outs over {options.burst_seconds:g} s", flush=True)
    clock = CpuClock(servers, db)
    posts = asyncio.run(send(servers.base_url, people, options.burst, options.burst_seconds))
    wall = max(p.answered for p in posts) - min(p.planned for p in posts)
    accepted = [p.pk for p in posts if p.pk is not None]
    failed = [p for p in posts if p.pk is None]
    print(
        f"  burst sent in {wall:.1f} s: {len(accepted)} accepted, {len(failed)} failed"
        + (f" (first: {failed[0].error})" if failed else ""),
        flush=True,
    )
    asyncio.run(wait_for(lambda: len(servers.received()) >= len(accepted), 30))
    cpu = clock.read(time.time() - min(p.sent for p in posts))
    collected = collect(environ, accepted)
    first = delivery(collected, servers.received(), posts)
    print(
        f"  first e-mail: from the click p50 {percentile(first.from_click, 0.5):.3f} s, "
        f"p99 {percentile(first.from_click, 0.99):.3f} s; from requested_at p99 "
        f"{percentile(first.smtp, 0.99):.3f} s; {first.without_email} without e-mail",
        flush=True,
    )
    return Burst(posts, wall, first, cpu, collected)


# --------------------------------------------------------------------------- report


def section(runs: Sequence[tuple[str, Burst]], options: argparse.Namespace) -> list[str]:
    return [
        *_click_to_email(runs, options),
        "",
        *_first_page(runs),
        "",
        *_where_the_time_goes(runs),
        "",
        *_cpu(runs),
    ]


def _click_to_email(runs: Sequence[tuple[str, Burst]], options: argparse.Namespace) -> list[str]:
    lines = [
        "#### Burst: click → e-mail",
        "",
        f"{options.burst} Reach out POSTs by {options.burst} different telecommunicators "
        f"({options.burst // options.teams} per team), planned evenly over "
        f"{options.burst_seconds:g} s. Seconds from the moment the client sent each POST "
        "(the click) to the arrival of the request's first e-mail at the SMTP server; the "
        "POSTs' own latency (sent → answer); how late the client sent a POST after its "
        "planned moment (its own lag, which the click → e-mail figures leave out).",
        "",
        "| database | accepted | failed POSTs | sent over s | click → e-mail p50 | p95 | p99 "
        "| max | POST p50 | p95 | p99 | max | client lag max |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for kind, burst in runs:
        posts = burst.posts
        answered = [p.latency for p in posts if p.pk is not None]
        lag = max((p.sent - p.planned for p in posts), default=0.0)
        span = max(p.sent for p in posts) - min(p.sent for p in posts)
        lines.append(
            row(
                DATABASES[kind], burst.delivery.accepted, burst.failed, f"{span:.1f}",
                *cells(burst.delivery.from_click), *cells(answered), seconds(lag),
            )
        )  # fmt: skip
    return lines


def _first_page(runs: Sequence[tuple[str, Burst]]) -> list[str]:
    lines = [
        "#### Burst: first page",
        "",
        "The same requests: seconds from `requested_at` to the first e-mail's arrival at the "
        "SMTP server.",
        "",
        "| database | accepted | committed over s | p50 | p95 | p99 | max "
        "| without a page | without an e-mail |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for kind, burst in runs:
        first = burst.delivery
        lines.append(
            row(
                DATABASES[kind], first.accepted, f"{first.committed_over:.1f}",
                *cells(first.smtp), first.without_page, first.without_email,
            )
        )  # fmt: skip
    return lines


def _where_the_time_goes(runs: Sequence[tuple[str, Burst]]) -> list[str]:
    lines = [
        "Where the time goes (seconds, p50 / p99): from "
        "`requested_at` (taken just before the request's transaction begins) to the client "
        "having the answer (so: the transaction, including any wait for the database, and "
        "the response); from the answer to the e-mail's arrival (the engine's part, at most); "
        "from `requested_at` to the e-mail row's `sent_at` (recorded after the whole claim "
        "was sent); first-step e-mail rows (retried, not sent).",
        "",
        "| database | `requested_at` → answer | answer → e-mail | `requested_at` → "
        "`sent_at` | e-mails |",
        "|---|--:|--:|--:|--:|",
    ]
    for kind, burst in runs:
        first = burst.delivery
        lines.append(
            row(
                DATABASES[kind], spread(first.to_response),
                spread(first.from_response), spread(first.sent_at),
                f"{first.emails} ({first.retried}, {first.not_sent})",
            )
        )  # fmt: skip
    return lines


def _cpu(runs: Sequence[tuple[str, Burst]]) -> list[str]:
    lines = [
        "CPU seconds used from the first POST until the last first-step e-mail arrived, by "
        "process, and by every other process of the machine:",
        "",
        "| database | seconds | web (granian) | engine | database server | SMTP server "
        "| clients | others |",
        "|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for kind, burst in runs:
        c = burst.cpu
        server = "in-process" if kind == "sqlite" else "?"
        lines.append(
            row(
                DATABASES[kind], f"{c.wall:.1f}", f"{c.web:.1f}", f"{c.engine:.1f}",
                server if c.database is None else f"{c.database:.1f}", f"{c.smtp:.1f}",
                f"{c.client:.1f}", f"{c.others:.1f}",
            )
        )  # fmt: skip
    return lines
