"""The drill's three scenarios. Each builds a Backline of its own (``Stack``), signs
everyone in, and sends a burst of reach-outs while it does harm on a timetable:

- ``mail``: the SMTP server stops during the burst and comes back ``--outage`` seconds
  later;
- ``kills``: an engine is killed with SIGKILL every few seconds and started again (two
  engines on PostgreSQL, killed in turn; the one engine on SQLite), while the SMTP
  server waits ``--reply-delay`` before each reply, so that many kills land after the
  server has the message and before its answer;
- ``database``: PostgreSQL is restarted under the burst with ``pg_ctl restart -m fast``,
  then, in a second burst once the first one's requests were cancelled, with
  ``-m immediate``, as a crash would stop it.

After the harm it waits until no page e-mail of the burst waits any more (each one
sent, or given up) or ``--settle`` seconds have passed, then counts (``tally``).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from bench.faults.people import Person, Post, browser, burst, cancel_all
from bench.faults.stack import Peaks, Stack
from bench.faults.tally import OPEN, WAITING, Tally, tally

POLL_SECONDS = 5.0


@dataclass(frozen=True)
class Harm:
    began: float  # time.time(): the server stopped, the first kill, the restart began
    ended: float  # the server back, the last engine started again, the cluster up
    kills: int = 0


@dataclass
class Run:
    """One burst under one fault."""

    scenario: str
    kind: str  # sqlite, postgres
    fault: str  # what was done, e.g. "pg_ctl restart -m fast"
    engines: int
    started: float  # the burst's first POST (time.time())
    harm: Harm
    settled: float  # when the drill stopped looking
    tally: Tally
    peaks: Peaks = field(default_factory=Peaks)
    log: Counter[str] = field(default_factory=Counter)  # what the engines and web logged
    failed_cancels: int = 0  # cancel POSTs after the burst that failed (and were tried again)


def open_stack(
    kind: str, options: argparse.Namespace, engines: int = 1, reply_delay: float = 0.0
) -> Any:
    per_team = -(-options.burst // options.teams)  # enough for the burst
    return Stack.open(
        kind, options.teams, per_team, engines, options.workers, options.blocking_threads,
        reply_delay,
    )  # fmt: skip


def drill_burst(
    stack: Stack,
    options: argparse.Namespace,
    scenario: str,
    fault: str,
    harm: Callable[[], Awaitable[Harm]],
) -> Run:
    people = stack.people[: options.burst]
    logged_before = stack.log_lines()
    stack.start_load()
    started = time.time()

    async def both() -> tuple[list[Post], Harm]:
        async with browser(stack.base_url) as client:
            posts, done = await asyncio.gather(burst(client, people, options.burst_seconds), harm())
        return posts, done

    print(f"  {fault}: {len(people)} reach-outs over {options.burst_seconds:g} s", flush=True)
    posts, done = asyncio.run(both())
    print("  waiting until no page e-mail waits any more", flush=True)
    collected = settle(stack, started, people, max(done.ended, time.time()) + options.settle)
    run = Run(
        scenario, stack.kind, fault, len(stack.engines), started, done, time.time(),
        tally(posts, collected, stack.received()), stack.peaks(),
        stack.log_lines() - logged_before,
    )  # fmt: skip
    show(run)
    return run


def settle(stack: Stack, since: float, people: list[Person], until: float) -> dict[str, Any]:
    """The last look at the burst's requests: once none of their e-mail rows waits, or
    at ``until``."""
    while True:
        collected = stack.collect(since, people)
        if not any(row["status"] in WAITING for row in collected["emails"]):
            return collected
        if time.time() >= until:
            return collected
        time.sleep(POLL_SECONDS)


def show(run: Run) -> None:
    t = run.tally
    print(
        f"  {run.fault}: POSTs {dict(t.posts)}; {t.pages} page e-mails, {t.delivered} "
        f"delivered, {t.given_up} given up, {t.still_waiting} still waiting; "
        f"{t.extra_copies} extra copies ({t.resent_same_id} rows resent with their first "
        f"Message-ID, {t.resent_other_id} with another); rows by status {dict(t.statuses)}, "
        f"by attempts {dict(sorted(t.attempts.items()))}",
        flush=True,
    )
    for line, count in run.log.most_common(6):
        print(f"    logged {count}x: {line}", flush=True)


# --------------------------------------------------------------------------- scenarios


def mail(kind: str, options: argparse.Namespace) -> list[Run]:
    async def outage(stack: Stack) -> Harm:
        await asyncio.sleep(options.outage_start)
        await asyncio.to_thread(stack.sink.stop)
        began = time.time()
        await asyncio.sleep(options.outage)
        await asyncio.to_thread(stack.sink.start)
        return Harm(began, time.time())

    with open_stack(kind, options) as stack:
        fault = f"mail server down {options.outage:g} s"
        return [drill_burst(stack, options, "mail", fault, lambda: outage(stack))]


def kills(kind: str, options: argparse.Namespace) -> list[Run]:
    chance = random.Random(options.seed)  # a timetable, not a secret

    async def killing(stack: Stack) -> Harm:
        """Kills the engines in turn, each started again at once; the next kill does not
        wait for that start, only for its own engine to be running."""
        await asyncio.sleep(options.kill_start)
        began, count = time.time(), 0
        starting: dict[int, asyncio.Future[None]] = {}
        while time.time() < began + options.kill_seconds:
            index = count % len(stack.engines)
            if index in starting:
                await starting.pop(index)
            stack.engines[index].kill()
            count += 1
            starting[index] = asyncio.ensure_future(
                asyncio.to_thread(stack.start_engine, stack.engines[index])
            )
            await asyncio.sleep(options.kill_every * chance.uniform(0.5, 1.5))
        await asyncio.gather(*starting.values())
        return Harm(began, time.time(), count)

    engines = 2 if kind == "postgres" else 1
    with open_stack(kind, options, engines, options.reply_delay) as stack:
        fault = (
            f"an engine of {engines} SIGKILLed every ~{options.kill_every:g} s for "
            f"{options.kill_seconds:g} s, replies {options.reply_delay:g} s late"
        )
        return [drill_burst(stack, options, "kills", fault, lambda: killing(stack))]


def database(kind: str, options: argparse.Namespace) -> list[Run]:
    assert kind == "postgres", "only PostgreSQL has a server to restart"

    def restart(stack: Stack, mode: str) -> Callable[[], Awaitable[Harm]]:
        async def harm() -> Harm:
            assert stack.cluster is not None
            await asyncio.sleep(options.restart_at)
            began = time.time()
            await asyncio.to_thread(stack.cluster.restart, mode)
            return Harm(began, time.time())

        return harm

    runs = []
    with open_stack(kind, options) as stack:
        for mode in ("fast", "immediate"):
            run = drill_burst(
                stack, options, "database", f"pg_ctl restart -m {mode}", restart(stack, mode)
            )
            runs.append(run)
            close_requests(stack, run)
    return runs


def close_requests(stack: Stack, run: Run) -> None:
    """Each requester cancels what is still open of ``run``'s burst, so that they can
    reach out again (one open request per person); notes how many of these POSTs,
    the first after the burst, failed."""
    people = {p.email: p for p in stack.people}
    collected = stack.collect(run.started, stack.people)
    still_open = [(people[r["requester"]], r["id"]) for r in collected["requests"]
                  if r["status"] == OPEN]  # fmt: skip

    async def cancel() -> tuple[int, list[str]]:
        async with browser(stack.base_url) as client:
            return await cancel_all(client, still_open)

    run.failed_cancels, given_up = asyncio.run(cancel())
    print(
        f"  cancelled {len(still_open)} requests; {run.failed_cancels} attempts failed",
        flush=True,
    )
    if given_up:
        raise SystemExit("these requests could not be cancelled:\n" + "\n".join(given_up))


RUNNERS: dict[str, Callable[[str, argparse.Namespace], list[Run]]] = {
    "mail": mail,
    "kills": kills,
    "database": database,
}
