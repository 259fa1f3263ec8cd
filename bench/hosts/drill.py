"""The drill itself: build the hosts, serve Backline on them, measure, break things.

See ``bench/hosts/__init__.py`` for what it does, and BENCHMARKS.md for its figures.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import glob
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from bench.common import (
    bench_environment,
    command_line,
    cpu_seconds,
    machine_busy_seconds,
    prepare_database,
    process_tree,
    run_quietly,
    write_section,
)
from bench.hosts import figures, network, report, services
from bench.hosts.balancer import (
    MOST_PEOPLE,
    Balancer,
    Change,
    Person,
    Post,
    sign_in_everyone,
)
from bench.hosts.database import Database
from bench.hosts.network import Host
from tests.pg_cluster import pg_bin

HOSTS = {
    host.name: host
    for host in [
        Host("db", "10.77.0.10"),
        Host("web1", "10.77.0.11"),
        Host("web2", "10.77.0.12"),
        Host("engine1", "10.77.0.21"),
        Host("engine2", "10.77.0.22"),
        Host("mail", "10.77.0.30"),
    ]
}
WEBS = ["web1", "web2"]
ENGINES = ["engine1", "engine2"]
FOLDER_PREFIX = "backline-hosts-"
PASSWORD = "bench-hosts-password-0123"  # the drill's own accounts only
# the paging benchmark's teams and reader of outcomes, as bench/paging/ builds them
PAGING_DB = "bench.paging.db"
START_MARK = "<!-- hosts:start -->"
END_MARK = "<!-- hosts:end -->"
BURST_ATTEMPT_SECONDS = 5.0  # a person's patience before pressing again, in the burst
THROUGHPUT_ATTEMPT_SECONDS = 30.0  # and when the hosts are driven as hard as they go
DELIVERY_WAIT_SECONDS = 120.0


# --------------------------------------------------------------------------- clean-up


def leftover_folders() -> list[Path]:
    return [Path(p) for p in glob.glob(os.path.join(tempfile.gettempdir(), f"{FOLDER_PREFIX}*"))]


def cleanup() -> list[str]:
    """Removes whatever a drill left: its database server, every process and namespace
    named with ``blh-``, and its folders."""
    removed = []
    for folder in leftover_folders():
        data = folder / "pg" / "data"
        if (data / "postmaster.pid").exists():
            subprocess.run(
                ["runuser", "-u", "postgres", "--", pg_bin("pg_ctl"), "-D", str(data),
                 "-m", "immediate", "-w", "stop"],
                check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
    removed += network.cleanup()
    for folder in leftover_folders():
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(f"folder {folder}")
    return removed


def _interrupted(signum: int, _frame: FrameType | None) -> None:
    print(f"Stopped by signal {signum}: cleaning up", file=sys.stderr, flush=True)
    raise SystemExit(128 + signum)


# --------------------------------------------------------------------------- phases


@dataclass
class Fault:
    at: float  # seconds after the burst's start
    what: str
    action: Callable[[], object]
    done_at: float = math.nan  # wall clock


async def closed_loop(
    urls: dict[str, str], people: Sequence[Person], concurrency: int
) -> tuple[list[Post], float]:
    """Every person reaches out once, ``concurrency`` of them back to back."""
    todo = deque(people)
    posts: list[Post] = []
    async with Balancer(urls, THROUGHPUT_ATTEMPT_SECONDS) as balancer:

        async def client() -> None:
            while todo:
                posts.append(await balancer.reach_out(todo.popleft()))

        started = time.time()
        await asyncio.gather(*(client() for _ in range(concurrency)))
        return posts, max((p.answered for p in posts), default=started) - started


async def cancel_all(urls: dict[str, str], posts: Sequence[Post]) -> int:
    """Each requester cancels their request, 8 at a time; returns how many failed."""
    todo = deque(p for p in posts if p.pk)
    failed = 0
    async with Balancer(urls, THROUGHPUT_ATTEMPT_SECONDS) as balancer:

        async def worker() -> None:
            nonlocal failed
            while todo:
                post = todo.popleft()
                assert post.pk is not None
                failed += not await balancer.cancel(post.person, post.pk)

        await asyncio.gather(*(worker() for _ in range(8)))
    return failed


async def open_loop(
    urls: dict[str, str], people: Sequence[Person], seconds: float, faults: Sequence[Fault]
) -> tuple[list[Post], Balancer]:
    """Each person reaches out at a planned moment, evenly over ``seconds`` whatever
    the servers' pace; each fault happens at its moment."""
    async with Balancer(urls, BURST_ATTEMPT_SECONDS) as balancer:
        started = time.monotonic()

        async def at(offset: float) -> None:
            await asyncio.sleep(max(0.0, started + offset - time.monotonic()))

        async def planned(index: int, person: Person) -> Post:
            await at(index * seconds / len(people))
            return await balancer.reach_out(person)

        async def fault(planned: Fault) -> None:
            await at(planned.at)
            planned.done_at = time.time()
            await asyncio.to_thread(planned.action)
            print(f"  {planned.at:5.1f} s: {planned.what}", flush=True)

        posts = asyncio.gather(*(planned(i, p) for i, p in enumerate(people)))
        await asyncio.gather(posts, *(fault(f) for f in faults))
        return list(posts.result()), balancer


def collect(environ: dict[str, str], pks: Sequence[str]) -> dict[str, Any]:
    output = run_quietly([sys.executable, "-m", PAGING_DB, "collect", *pks], environ)
    data: dict[str, Any] = json.loads(output)
    return data


def wait_for_pages(
    environ: dict[str, str], pks: Sequence[str], record: Path
) -> tuple[dict[str, Any], float]:
    """Reads the requests back until each one's first e-mail arrived, or the wait is
    over (a row an engine died sending waits for its claim to lapse); returns the rows
    read and how long it waited."""
    started = time.monotonic()
    while True:
        collected = collect(environ, pks)
        missing = set(pks) - set(figures.first_arrivals(collected, figures.sink_records(record)))
        if not missing or time.monotonic() - started > DELIVERY_WAIT_SECONDS:
            return collected, time.monotonic() - started
        time.sleep(2)


# --------------------------------------------------------------------------- the run


@dataclass
class Run:
    people: int
    teams: int
    throughput: list[figures.Throughput]
    burst: figures.Burst
    windows: list[figures.Window]
    faults: list[Fault]
    changes: list[Change]
    burst_started: float
    killed: int  # processes on the killed host
    waited: float
    errors: dict[str, int] = field(default_factory=dict)  # host: error lines in its log


def run(options: argparse.Namespace, folder: Path) -> Run:
    hosts = list(HOSTS.values())
    print(f"Hosts: {', '.join(f'{h.name} {h.address}' for h in hosts)}", flush=True)
    network.create(hosts)
    database = Database(HOSTS["db"], folder / "pg").start()
    environ = bench_environment(folder / "app", database.url)
    environ["BACKLINE_ALLOWED_HOSTS"] = ",".join(HOSTS[name].address for name in WEBS)
    print(f"PostgreSQL on {HOSTS['db'].address}; preparing Backline", flush=True)
    prepare_database(environ, demo=False)
    per_team = math.ceil(options.burst / options.teams)
    made = json.loads(
        run_quietly(
            [sys.executable, "-m", PAGING_DB, "setup", str(options.teams), str(per_team),
             PASSWORD],
            environ,
        )
    )  # fmt: skip
    # spread over the teams: person k belongs to team k % teams
    by_team: dict[int, list[str]] = {}
    for email, team in made["telecoms"]:
        by_team.setdefault(team, []).append(email)
    emails = [by_team[t][i] for i in range(per_team) for t in sorted(by_team)][: options.burst]
    mail, urls = HOSTS["mail"], {name: services.url(HOSTS[name]) for name in WEBS}
    record = folder / "mail.jsonl"
    environ.update(
        BACKLINE_EMAIL="on",
        BACKLINE_SMTP_HOST=mail.address,
        BACKLINE_SMTP_PORT=str(services.SMTP_PORT),
        BACKLINE_SMTP_STARTTLS="no",
        BACKLINE_PUBLIC_URL=urls["web1"],
        PYTHONUNBUFFERED="1",  # the engine's "running" line, at once
    )
    logs = folder / "logs"
    logs.mkdir()
    running = [services.mail(mail, environ, logs, record)]
    running += [services.web(HOSTS[name], environ, logs) for name in WEBS]
    running += [services.engine(HOSTS[name], environ, logs) for name in ENGINES]
    # should it fail or be interrupted, the clean-up kills every process of the hosts
    result = _measure(options, environ, running, database, urls, emails, record)
    for service in running:
        service.stop()  # gracefully, so that their logs are complete
    result.errors = {s.host.name: len(s.error_lines()) for s in running}
    return result


def _measure(
    options: argparse.Namespace,
    environ: dict[str, str],
    running: list[services.Service],
    database: Database,
    urls: dict[str, str],
    emails: list[str],
    record: Path,
) -> Run:
    print(f"Signing {len(emails)} telecommunicators in", flush=True)
    people = sign_in_everyone(list(urls.values()), emails, PASSWORD)
    by_role: dict[str, list[int]] = {}
    for service in running:
        by_role.setdefault(service.role, []).extend(service.pids())
    by_role["database"] = process_tree(database.server_pid)

    throughput = []
    for count in range(1, len(WEBS) + 1) if options.throughput else []:
        chosen = {name: urls[name] for name in WEBS[:count]}
        before = {role: cpu_seconds(pids) for role, pids in by_role.items()}
        machine, wall = machine_busy_seconds(), time.monotonic()
        posts, seconds = asyncio.run(closed_loop(chosen, people, options.concurrency))
        result = figures.Throughput(
            list(chosen), posts, seconds,
            {role: cpu_seconds(pids) - before[role] for role, pids in by_role.items()},
            machine_busy_seconds() - machine, time.monotonic() - wall, os.getloadavg()[0],
        )  # fmt: skip
        throughput.append(result)
        print(
            f"  throughput, {count} web host(s): {result.accepted} accepted in {seconds:.1f} s, "
            f"{result.rate:.1f} POST/s",
            flush=True,
        )
        wait_for_pages(environ, [p.pk for p in posts if p.pk], record)  # all sent: idle again
        failed = asyncio.run(cancel_all(urls, posts))
        print(f"  cancelled them ({failed} failures)", flush=True)

    killed = HOSTS[options.kill]
    cut = HOSTS[options.cut]
    processes: list[int] = []
    faults = [
        Fault(
            options.kill_at, f"every process on {killed.name} killed (SIGKILL)",
            lambda: processes.append(network.kill_all(killed.namespace)),
        ),
        Fault(options.cut_at, f"{cut.name}'s link down", lambda: network.set_link(cut, False)),
        Fault(
            options.cut_at + options.cut_seconds, f"{cut.name}'s link up",
            lambda: network.set_link(cut, True),
        ),
    ]  # fmt: skip
    print(
        f"Burst: {len(people)} reach-outs over {options.burst_seconds:g} s across "
        f"{', '.join(urls)}",
        flush=True,
    )
    burst_started = time.time()
    posts, balancer = asyncio.run(open_loop(urls, people, options.burst_seconds, faults))
    pks = [p.pk for p in posts if p.pk]
    print(f"  {len(pks)} accepted; waiting for their first e-mails", flush=True)
    collected, waited = wait_for_pages(environ, pks, record)
    kill, down, up = (f.done_at for f in faults)
    windows = [
        figures.Window("all hosts up", 0, kill),
        figures.Window(f"{killed.name} dead", kill, down),
        figures.Window(f"{killed.name} dead, {cut.name} cut off", down, up),
        figures.Window(f"{killed.name} dead, {cut.name} back", up, math.inf),
        figures.Window("while a host was down", kill, math.inf),
        figures.Window("all", 0, math.inf),
    ]
    return Run(
        people=len(people),
        teams=options.teams,
        throughput=throughput,
        burst=figures.burst(posts, collected, figures.sink_records(record), windows),
        windows=windows,
        faults=faults,
        changes=balancer.changes,
        burst_started=burst_started,
        killed=sum(processes),
        waited=waited,
    )


# --------------------------------------------------------------------------- main


def parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.hosts",
        description="Several hosts, one database: Backline on network namespaces, with faults.",
    )
    parser.add_argument("--burst", type=int, default=500, help="reach-outs (default 500)")
    parser.add_argument(
        "--burst-seconds", type=float, default=90.0, help="the burst's length (default 90 s)"
    )
    parser.add_argument("--teams", type=int, default=50, help="peer teams (default 50)")
    for flag, default, what in [
        ("--kill", "engine1", "the host whose processes are all SIGKILLed"),
        ("--cut", "web2", "the host whose link goes down"),
    ]:
        parser.add_argument(
            flag, choices=[*ENGINES, *WEBS], default=default, help=f"{what} (default {default})"
        )
    for flag, seconds, what in [
        ("--kill-at", 20.0, "seconds into the burst"),
        ("--cut-at", 35.0, "seconds into the burst"),
        ("--cut-seconds", 30.0, "how long the link stays down"),
    ]:
        parser.add_argument(flag, type=float, default=seconds, help=f"{what} (default {seconds:g})")
    parser.add_argument(
        "--concurrency", type=int, default=16, help="clients in the throughput runs (16)"
    )
    parser.add_argument(
        "--no-throughput", dest="throughput", action="store_false",
        help="skip the throughput runs (one web host, then two)",
    )  # fmt: skip
    parser.add_argument(
        "--write", action="store_true", help="replace the drill's results in BENCHMARKS.md"
    )
    parser.add_argument(
        "--cleanup", action="store_true",
        help="only remove what an interrupted drill left (blh-* namespaces, processes, folders)",
    )  # fmt: skip
    options = parser.parse_args(argv)
    if options.kill == options.cut:
        parser.error("--kill and --cut name two different hosts")
    if min(options.burst, options.teams, options.concurrency) < 1 or options.burst_seconds <= 0:
        parser.error("the burst, teams, concurrency and the burst's length must be positive")
    if options.burst > MOST_PEOPLE:
        parser.error(f"at most {MOST_PEOPLE} reach-outs: each needs a person signed in")
    if not 0 <= options.kill_at <= options.cut_at or options.cut_seconds <= 0:
        parser.error("the kill comes first, then the cut, which lasts a while")
    return options


def main(argv: Sequence[str]) -> int:
    options = parse(argv)
    if os.geteuid() != 0:
        raise SystemExit("the drill makes network namespaces: run it as root")
    if options.cleanup:
        for line in cleanup() or ["nothing was left"]:
            print(line)
        return 0
    problem = network.in_use()
    if problem:
        raise SystemExit(f"{network.SUBNET} is not free on this machine: {problem}")
    load = os.getloadavg()
    command = command_line("-m bench.hosts", argv)
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _interrupted)  # even where SIGINT was ignored (in the background)
    folder = Path(tempfile.mkdtemp(prefix=FOLDER_PREFIX))
    folder.chmod(0o711)  # the postgres user reaches its own folder inside
    try:
        result = run(options, folder)
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)  # a second Ctrl-C must not stop the clean-up
        with contextlib.suppress(Exception):
            Database(HOSTS["db"], folder / "pg").stop()
        for line in cleanup():
            print(f"  removed {line}")
    section = report.section(result, options, command, load)
    print()
    print(section)
    if options.write:
        write_section(section, START_MARK, END_MARK)
    return 0
