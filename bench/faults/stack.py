"""A throw-away production-like Backline for one scenario, as ``make run`` runs it but
with real mail: the database (a file in a temporary folder, or a PostgreSQL cluster of
its own that the drill may restart), the drill's SMTP server, granian serving the web
pages, and the paging engine(s), ``manage.py engine``, each a process of its own; the
drill's teams, and every telecommunicator signed in. ``Stack.open`` is a context
manager: on the way out, however it is left, every process stops and the folder and the
cluster are removed.
"""

from __future__ import annotations

import contextlib
import json
import re
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.common import (
    HOST,
    MemorySampler,
    bench_environment,
    free_port,
    granian,
    mail_to_sink,
    prepare_database,
    run_quietly,
)
from bench.faults.people import PASSWORD, Person, sign_in_everyone
from bench.faults.processes import Child
from tests.pg_cluster import Cluster

DATABASES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}


@dataclass
class Peaks:
    """The highest resident memory seen per kind of process, in KiB: each web worker's
    and each engine's (every incarnation of it) ``VmHWM`` from the burst's start on
    (reset then, or at the process's start for one started later)."""

    web_worker: int = 0
    engine: int = 0
    engines_seen: int = 0


@dataclass
class Stack:
    kind: str
    folder: Path
    environ: dict[str, str]
    base_url: str
    sink: Child
    engines: list[Child]
    people: list[Person]
    cluster: Cluster | None = None
    web_pid: int = 0
    samplers: list[tuple[str, MemorySampler]] = field(default_factory=list)
    loaded: bool = False

    @classmethod
    @contextlib.contextmanager
    def open(
        cls, kind: str, teams: int, per_team: int, engines: int, workers: int,
        blocking_threads: int, reply_delay: float = 0.0,
    ) -> Iterator[Stack]:  # fmt: skip
        with contextlib.ExitStack() as cleanup:
            folder = Path(
                cleanup.enter_context(tempfile.TemporaryDirectory(prefix="backline-drill-"))
            )
            cluster = None
            if kind == "postgres":
                cluster = Cluster()
                cleanup.callback(cluster.stop)
                cluster.start().create_database()
                durable(cluster.url)
            environ = bench_environment(folder, cluster.url if cluster else None)
            print(f"{DATABASES[kind]}: a throw-away Backline in {folder}", flush=True)
            prepare_database(environ, demo=False)
            made = json.loads(
                run_quietly(
                    [sys.executable, "-m", "bench.faults.db", "setup", str(teams), str(per_team),
                     PASSWORD],
                    environ,
                )
            )  # fmt: skip
            people = spread([Person(email, team) for email, team in made["telecoms"]])
            smtp_port, web_port = free_port(), free_port()
            base_url = f"http://{HOST}:{web_port}"
            mail_to_sink(environ, smtp_port, base_url)
            sink = Child(
                "the SMTP server",
                [sys.executable, "-m", "bench.faults.sink", str(smtp_port),
                 str(folder / "sink.jsonl"), str(reply_delay)],
                environ, folder / "sink.log", "drill SMTP server on",
            )  # fmt: skip
            cleanup.callback(sink.stop)
            sink.start()
            server = cleanup.enter_context(
                granian(environ, web_port, workers, blocking_threads, folder / "granian.log")
            )
            engine_children = [
                Child(
                    f"engine {number + 1}",
                    [sys.executable, "manage.py", "engine"],
                    environ,
                    folder / f"engine{number + 1}.log",
                    "running",
                )
                for number in range(engines)
            ]
            stack = cls(
                kind, folder, environ, base_url, sink, engine_children, people, cluster,
                server.pid,
            )  # fmt: skip
            cleanup.callback(stack.stop_watching)
            stack.watch(server.pid, "web")
            for engine in engine_children:
                cleanup.callback(engine.stop)
                stack.start_engine(engine)
            print(
                f"  granian on {base_url} ({workers} workers), {engines} engine(s), "
                f"SMTP on {HOST}:{smtp_port}; signing {len(people)} telecommunicators in",
                flush=True,
            )
            sign_in_everyone(base_url, people)
            yield stack

    # -------------------------------------------------------------------- processes

    def start_engine(self, engine: Child) -> None:
        engine.start()
        self.watch(engine.pid, "engine")

    def watch(self, pid: int, role: str) -> None:
        sampler = MemorySampler(pid, interval=0.25, root_role=role, child_role=role)
        sampler.start()
        if self.loaded:
            sampler.start_load()
        self.samplers.append((role, sampler))

    def start_load(self) -> None:
        """From now on, peaks count (the burst begins)."""
        self.loaded = True
        for _, sampler in self.samplers:
            sampler.start_load()

    def stop_watching(self) -> None:
        for _, sampler in self.samplers:
            sampler.stop()

    def peaks(self) -> Peaks:
        found = Peaks()
        for role, sampler in self.samplers:
            for memory in sampler.processes.values():
                peak = sampler.load_peak_kib(memory)
                if role == "engine":
                    found.engine = max(found.engine, peak)
                    found.engines_seen += 1
                elif memory.pid != self.web_pid:  # granian's main process serves nothing
                    found.web_worker = max(found.web_worker, peak)
        return found

    # -------------------------------------------------------------------- outcome

    def collect(self, since: float, people: list[Person]) -> dict[str, Any]:
        """The requests these people made since ``since`` (``time.time()``), their pages
        and e-mail rows, read from the database."""
        moment = datetime.fromtimestamp(since, UTC).isoformat()
        output = run_quietly(
            [sys.executable, "-m", "bench.faults.db", "collect", moment,
             *(p.email for p in people)],
            self.environ,
        )  # fmt: skip
        found: dict[str, Any] = json.loads(output)
        return found

    def received(self) -> list[dict[str, Any]]:
        """What the SMTP server has noted so far, across its restarts."""
        with contextlib.suppress(FileNotFoundError):
            text = (self.folder / "sink.jsonl").read_text()
            return [json.loads(line) for line in text.splitlines() if line.strip()]
        return []

    def log_lines(self) -> Counter[str]:
        """What the engines and the web server have logged, line by line, with numbers
        taken out so that alike lines count together (the engine's own start and stop
        lines left out)."""
        found: Counter[str] = Counter()
        for log in [self.folder / "granian.log", *(e.log for e in self.engines)]:
            with contextlib.suppress(FileNotFoundError):
                for line in log.read_text(errors="replace").splitlines():
                    if line.strip() and not line.startswith("Backline engine "):
                        found[re.sub(r"\d+", "#", line)[:160]] += 1
        return found


def durable(url: str) -> None:
    """Commits that survive a crash of the server, as production's default: the cluster
    runs with ``synchronous_commit=off``, under which ``pg_ctl restart -m immediate``
    loses the last commits before their WAL was written, a loss that would be the
    drill's and not Backline's. (``fsync=off`` loses nothing unless the machine itself
    stops.) A database's own setting overrides the server's command line."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute("ALTER DATABASE backline SET synchronous_commit = on")
    with psycopg.connect(url) as session:
        found = session.execute("SHOW synchronous_commit").fetchone()
    assert found == ("on",), f"synchronous_commit is {found}"


def spread(people: list[Person]) -> list[Person]:
    """The same people, ordered so that any first n of them spread evenly over the
    teams: the first of each team, then the second of each, and so on."""
    rank: Counter[int] = Counter()
    ranked = []
    for person in people:
        ranked.append((rank[person.team], person.team, person))
        rank[person.team] += 1
    return [person for *_, person in sorted(ranked, key=lambda r: (r[0], r[1]))]
