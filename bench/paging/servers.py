"""The paging benchmark's processes: its database (SQLite, or a PostgreSQL of its own),
the SMTP sink, granian and the engine(s), each in a process group of its own."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.common import (
    HOST,
    cpu_seconds,
    free_port,
    granian,
    mail_to_sink,
    process_tree,
    spawn,
    stop,
)

DATABASES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}


@dataclass(frozen=True)
class Database:
    url: str | None  # None: SQLite in the data folder
    where: str  # for the report
    server_pid: int | None = None  # the PostgreSQL server's main process, when it is ours

    def server_pids(self) -> list[int]:
        return process_tree(self.server_pid) if self.server_pid else []


@contextlib.contextmanager
def database(kind: str) -> Iterator[Database]:
    if kind == "postgres":
        given = os.environ.get("DATABASE_URL", "")
        if given.startswith(("postgres://", "postgresql://")):
            with database_on(given) as found:
                yield found
        else:
            with cluster_database() as found:
                yield found
    else:
        yield Database(None, "a file in a temporary folder (WAL, synchronous=NORMAL)")


@contextlib.contextmanager
def database_on(server_url: str) -> Iterator[Database]:
    """A new database of this run's own on the PostgreSQL server of ``server_url``,
    dropped afterwards: no existing database is ever touched."""
    import psycopg

    name = f"backline_bench_{secrets.token_hex(4)}"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield Database(
            urllib.parse.urlsplit(server_url)._replace(path=f"/{name}").geturl(),
            f"a new database `{name}` on the server `DATABASE_URL` names, dropped after",
        )
    finally:
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def cluster_database() -> Iterator[Database]:
    """A throw-away PostgreSQL cluster on a free loopback port (``tests/pg_cluster.py``)."""
    from tests.pg_cluster import Cluster

    cluster = Cluster().start()
    try:
        cluster.create_database()
        postmaster = int((cluster.data / "postmaster.pid").read_text().split()[0])
        yield Database(
            cluster.url,
            "a throw-away cluster on the same machine (`tests/pg_cluster.py`: fsync, "
            "synchronous_commit and full_page_writes off)",
            postmaster,
        )
    finally:
        cluster.stop()


@contextlib.contextmanager
def process(
    command: list[str], environ: dict[str, str], log: Path, ready: str, sig: int
) -> Iterator[subprocess.Popen[bytes]]:
    """A process in its own process group, once ``ready`` shows in its output."""
    with log.open("wb") as output:
        started = spawn(command, environ, output)
        try:
            deadline = time.monotonic() + 60
            while ready not in log.read_text(errors="replace"):
                if started.poll() is not None or time.monotonic() > deadline:
                    sys.stderr.write(log.read_text(errors="replace"))
                    raise SystemExit(f"{' '.join(command)} did not start")
                time.sleep(0.1)
            yield started
        finally:
            stop(started, sig)


@dataclass
class Servers:
    base_url: str
    smtp: subprocess.Popen[bytes]
    smtp_log: Path  # one JSON line a message: see bench/smtp_sink.py
    web: subprocess.Popen[bytes]  # granian's main process
    engines: list[subprocess.Popen[bytes]]

    @property
    def roots(self) -> dict[int, str]:
        """The process trees to sample, each with the role of its root."""
        return {self.web.pid: "main", **{engine.pid: "engine" for engine in self.engines}}

    def web_pids(self) -> list[int]:
        return process_tree(self.web.pid)

    def engine_pids(self) -> list[int]:
        return [engine.pid for engine in self.engines]

    def received(self) -> list[dict[str, Any]]:
        """What the SMTP sink has received so far."""
        with contextlib.suppress(FileNotFoundError):
            lines = self.smtp_log.read_text().splitlines()
            return [json.loads(line) for line in lines if line.strip()]
        return []


def start_servers(
    stack: contextlib.ExitStack,
    environ: dict[str, str],
    data_dir: Path,
    options: argparse.Namespace,
) -> Servers:
    """The SMTP sink, granian and ``options.engines`` engines, stopped with ``stack``.
    ``environ`` gains the SMTP settings, so that pages go out over real SMTP."""
    smtp_port, web_port = free_port(), free_port()
    base_url = f"http://{HOST}:{web_port}"
    mail_to_sink(environ, smtp_port, base_url)
    smtp_log = data_dir / "smtp.jsonl"
    smtp = stack.enter_context(
        process(
            [sys.executable, "-m", "bench.smtp_sink", str(smtp_port), str(smtp_log)],
            environ, data_dir / "smtp.log", "SMTP sink on", signal.SIGTERM,
        )
    )  # fmt: skip
    web = stack.enter_context(
        granian(
            environ, web_port, options.workers, options.blocking_threads, data_dir / "granian.log"
        )
    )
    engine = [sys.executable, "manage.py", "engine"]
    engines = [
        stack.enter_context(
            process(engine, environ, data_dir / f"engine{n}.log", "running", signal.SIGTERM)
        )
        for n in range(options.engines)
    ]
    print(
        f"  granian on {base_url} ({options.workers} workers), "
        f"{len(engines)} engine(s), SMTP on {HOST}:{smtp_port}",
        flush=True,
    )
    return Servers(base_url, smtp, smtp_log, web, engines)


def show_log_problems(data_dir: Path) -> None:
    """Prints how many error lines each process's log holds, and the first."""
    for log in sorted(data_dir.glob("*.log")):
        problems = [
            line
            for line in log.read_text(errors="replace").splitlines()
            if "Traceback" in line or "ERROR" in line
        ]
        if problems:
            print(f"  {log.name}: {len(problems)} error lines, e.g. {problems[0][:200]}")


def settle(pids: Sequence[int], timeout: float = 60) -> None:
    """Waits until these processes are idle (under 5% of a CPU over half a second)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        before = cpu_seconds(pids)
        time.sleep(0.5)
        if cpu_seconds(pids) - before < 0.025:
            return


async def wait_for(check: Callable[[], bool], timeout: float, every: float = 0.25) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        await asyncio.sleep(every)
    return bool(check())
