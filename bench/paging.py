"""Backline's paging benchmark: ``.venv/bin/python bench/paging.py`` (``--help``).

How fast and how reliably a "Reach out" becomes a page, on SQLite and on PostgreSQL.
For each database it builds a throw-away production-like Backline (``bench/http.py``'s
environment, ``bench.settings``) with ``--teams`` peer teams (``bench/paging_db.py``),
starts a real SMTP server on the loopback address (``bench/smtp_sink.py``), granian and
the paging engine (``manage.py engine``) as separate processes, signs every
telecommunicator in through the login form, and then:

1. **burst**: ``--burst`` Reach out POSTs by as many different telecommunicators, spread
   evenly over ``--burst-seconds`` and over the teams (open loop: each POST leaves at its
   planned moment, whatever the server's pace). Latency: from the request's
   ``requested_at`` to the moment the SMTP server had its first e-mail;
2. **punctuality**: the burst's requests stay unanswered, so each policy's second and
   third steps fire 1 and 2 minutes later; lateness: ``Event.at`` of the step (and its
   first e-mail's arrival) after the deadline ``requested_at`` + the steps' delays;
3. **throughput**: Reach out POSTs (every telecommunicator once, ``--concurrency``
   clients) against the bare one-query view in the same run, in ``--rounds`` rounds;
   requests are cancelled between rounds (as their requesters would);
4. **soak**: ``--soak-rate`` reach-outs per second for ``--soak-seconds``, each cancelled
   by its requester ``--soak-lifetime`` seconds later, sampling the memory of the
   engine and of each web worker.

Memory comes from ``/proc``. ``--write`` puts the results into ``BENCHMARKS.md``
between its paging markers; BENCHMARKS.md explains every figure. Only loopback
addresses are used (the servers listen on 127.0.0.1; sign-ins come from several
127.x.y.z addresses, see ``Person.address``). A PostgreSQL run uses a throw-away
cluster (``tests/pg_cluster.py``), or, when ``DATABASE_URL`` names a PostgreSQL server,
a new database of its own on that server, dropped afterwards: no existing database is
ever touched.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime
import json
import math
import os
import platform
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent

# Run as a script, this file's folder comes first on sys.path, where bench/http.py
# would hide the standard library's ``http`` package, which httpx needs.
if sys.path and Path(sys.path[0] or ".").resolve() == BENCH_DIR:
    sys.path[0] = str(ROOT)

import http.cookiejar  # noqa: E402

import httpx  # noqa: E402

from bench.common import (  # noqa: E402
    BASELINE_PATH,
    HOST,
    Measurement,
    MemorySampler,
    ProcessMemory,
    add_server_options,
    bench_environment,
    command_line,
    cpu_model,
    cpu_seconds,
    drive,
    free_port,
    get_ok,
    granian,
    machine_busy_seconds,
    mib,
    nproc,
    percentile,
    prepare_database,
    process_tree,
    run_quietly,
    sign_in_as,
    slope,
    stop,
    versions,
    write_section,
)

CALLBACK = "+13195550142"
START_MARK = "<!-- paging:start -->"
END_MARK = "<!-- paging:end -->"
PASSWORD = "bench-paging-password-0123"  # the benchmark's own accounts only
REACH_OUT = "/support/reach-out/"
REQUEST_PATH = re.compile(r"^/support/requests/([\w-]+)/$")
GOAL_SECONDS = 1.0
GOAL_MIB = 200
NONE = "-"  # no figure
DATABASES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}


# --------------------------------------------------------------------------- people


@dataclass
class Person:
    email: str
    team: int
    number: int  # within the team
    cookie: str = ""  # the Cookie header of their signed-in browser
    csrf: str = ""

    @property
    def address(self) -> str:
        """Where this person's browser signs in from: a loopback address for every 20
        telecommunicators of a team, as agencies have addresses of their own. allauth
        allows 30 sign-ins a minute from one address (its "login" rate limit)."""
        return f"127.{1 + self.team // 250}.{1 + self.number // 20}.{1 + self.team % 250}"


@dataclass
class Post:
    """One Reach out POST, as the client saw it (wall-clock times, ``time.time()``)."""

    person: Person
    sent: float
    answered: float = math.nan
    status: int = 0
    pk: str | None = None  # the request's public id
    error: str = ""


def sign_in_everyone(base_url: str, people: list[Person]) -> float:
    """Through the login form, four at a time, each team from its own loopback address
    (allauth allows 30 sign-ins a minute, and 10 in flight, from one address); returns
    the seconds it took."""
    started = time.monotonic()

    def one(person: Person) -> None:
        cookies = sign_in_as(base_url, person.email, PASSWORD, person.address)
        person.cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())
        person.csrf = cookies.get("csrftoken") or ""

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(one, people))
    return time.monotonic() - started


def client(base_url: str, connections: int | None) -> httpx.AsyncClient:
    """An HTTP client that keeps no cookies: each request carries its person's own."""
    return httpx.AsyncClient(
        base_url=base_url,
        timeout=120,
        trust_env=False,
        limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
        cookies=http.cookiejar.CookieJar(http.cookiejar.DefaultCookiePolicy(allowed_domains=[])),
    )


async def reach_out(http_client: httpx.AsyncClient, person: Person) -> Post:
    post = Post(person, sent=time.time())
    try:
        response = await http_client.post(
            REACH_OUT,
            data={
                "csrfmiddlewaretoken": person.csrf,
                "urgency": "now",
                "contact": "call",
                "phone": "other",
                "callback_number": CALLBACK,
                "once": secrets.token_urlsafe(32),
            },
            headers={"Cookie": person.cookie},
        )
    except httpx.HTTPError as exc:
        post.answered, post.error = time.time(), f"{type(exc).__name__}: {exc}"
        return post
    post.answered, post.status = time.time(), response.status_code
    found = REQUEST_PATH.match(response.headers.get("location", ""))
    if response.status_code == 302 and found:
        post.pk = found.group(1)
    else:
        post.error = f"HTTP {response.status_code} to {response.headers.get('location')!r}"
    return post


async def cancel(http_client: httpx.AsyncClient, person: Person, pk: str) -> bool:
    """The requester cancels their request, as on its page."""
    try:
        response = await http_client.post(
            f"/support/requests/{pk}/cancel/",
            data={"csrfmiddlewaretoken": person.csrf, "confirm": "yes"},  # its confirm step
            headers={"Cookie": person.cookie},
        )
    except httpx.HTTPError:
        return False
    # cancelled, it goes home; without the confirmation it would stay on the request's page
    return response.status_code == 302 and response.headers.get("location") == "/home/"


async def cancel_all(http_client: httpx.AsyncClient, posts: Sequence[Post]) -> int:
    """Cancels every request of ``posts``, 8 at a time; returns how many failed."""
    todo = deque(p for p in posts if p.pk is not None)
    failed = 0

    async def worker() -> None:
        nonlocal failed
        while todo:
            post = todo.popleft()
            assert post.pk is not None
            if not await cancel(http_client, post.person, post.pk):
                failed += 1

    await asyncio.gather(*(worker() for _ in range(8)))
    return failed


# --------------------------------------------------------------------------- processes


@dataclass(frozen=True)
class Database:
    url: str | None  # None: SQLite in the data folder
    where: str  # for the report
    server_pid: int | None = None  # the PostgreSQL server's main process, when it is ours


@contextlib.contextmanager
def postgres_database() -> Iterator[Database]:
    """A PostgreSQL database for this run only."""
    given = os.environ.get("DATABASE_URL", "")
    if given.startswith(("postgres://", "postgresql://")):
        import psycopg

        name = f"backline_bench_{secrets.token_hex(4)}"
        with psycopg.connect(given, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield Database(
                urllib.parse.urlsplit(given)._replace(path=f"/{name}").geturl(),
                f"a new database `{name}` on the server `DATABASE_URL` names, dropped after",
            )
        finally:
            with psycopg.connect(given, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        return
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
def database(kind: str) -> Iterator[Database]:
    if kind == "postgres":
        with postgres_database() as found:
            yield found
    else:
        yield Database(None, "a file in a temporary folder (WAL, synchronous=NORMAL)")


@contextlib.contextmanager
def process(
    command: list[str], environ: dict[str, str], log: Path, ready: str, sig: int
) -> Iterator[subprocess.Popen[bytes]]:
    """A helper process in its own process group, once ``ready`` shows in its output."""
    with log.open("wb") as output:
        started = subprocess.Popen(
            command, cwd=ROOT, env=environ, stdout=output, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
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


def smtp_records(path: Path) -> list[dict[str, Any]]:
    with contextlib.suppress(FileNotFoundError):
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return []


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


# --------------------------------------------------------------------------- figures


def seconds_of(text: str | None) -> float:
    return datetime.datetime.fromisoformat(text).timestamp() if text else math.nan


def stats(values: Sequence[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50": percentile(values, 0.50),
        "p95": percentile(values, 0.95),
        "p99": percentile(values, 0.99),
        "max": max(values) if values else math.nan,
    }


@dataclass
class Delivery:
    """First pages of a set of requests: from ``requested_at`` to the first e-mail."""

    accepted: int
    smtp: list[float]  # seconds to the SMTP server's receipt of the first e-mail
    from_response: list[float]  # the same, from the client's receipt of the POST's answer
    to_response: list[float]  # from ``requested_at`` to the client's receipt of the answer
    sent_at: list[float]  # seconds to the first e-mail row's ``sent_at``
    without_page: int  # no Page row at all
    without_email: int  # no e-mail arrived
    committed_over: float  # seconds from the first to the last ``requested_at``
    emails: int
    retried: int  # e-mail rows with more than one attempt
    not_sent: int  # e-mail rows of the first step not "sent"


def step_of(key: str) -> tuple[int, int] | None:
    found = re.search(r":step(\d+):loop(\d+):", key)
    return (int(found.group(1)), int(found.group(2))) if found else None


def delivery(
    collected: dict[str, Any], smtp: list[dict[str, Any]], posts: Sequence[Post] = ()
) -> Delivery:
    arrived = {r["message_id"]: r["at"] for r in smtp}
    paged = {p["request"] for p in collected["pages"]}
    first_smtp: dict[str, float] = {}
    first_sent: dict[str, float] = {}
    retried = not_sent = 0
    for email in collected["emails"]:
        if step_of(email["key"]) != (0, 0):
            continue
        retried += email["attempts"] > 1
        not_sent += email["status"] != "sent"
        request = email["request"]
        if email["provider_id"] in arrived:
            at = arrived[email["provider_id"]]
            first_smtp[request] = min(first_smtp.get(request, math.inf), at)
        if email["sent_at"]:
            at = seconds_of(email["sent_at"])
            first_sent[request] = min(first_sent.get(request, math.inf), at)
    requested = {r["pk"]: seconds_of(r["requested_at"]) for r in collected["requests"]}
    return Delivery(
        accepted=len(requested),
        smtp=[first_smtp[pk] - at for pk, at in requested.items() if pk in first_smtp],
        from_response=[
            first_smtp[p.pk] - p.answered for p in posts if p.pk is not None and p.pk in first_smtp
        ],
        to_response=[p.answered - requested[p.pk] for p in posts if p.pk in requested],
        sent_at=[first_sent[pk] - at for pk, at in requested.items() if pk in first_sent],
        without_page=sum(pk not in paged for pk in requested),
        without_email=sum(pk not in first_smtp for pk in requested),
        committed_over=(max(requested.values()) - min(requested.values())) if requested else 0,
        emails=sum(step_of(e["key"]) == (0, 0) for e in collected["emails"]),
        retried=retried,
        not_sent=not_sent,
    )


@dataclass
class Lateness:
    step: int  # 0-based step index of the policy
    due: int  # requests for which the step was due
    fired: int  # of which the step fired (an event: paged, alerted or skipped)
    recorded: list[float]  # Event.at - deadline
    delivered: list[float]  # first e-mail of the step at the SMTP server - deadline


def lateness(
    collected: dict[str, Any], smtp: list[dict[str, Any]], step: int, delay_minutes: int
) -> Lateness:
    """How late step ``step`` (of loop 0) fired after its deadline, for every request
    that was still open at the deadline."""
    arrived = {r["message_id"]: r["at"] for r in smtp}
    deadline = {
        r["pk"]: seconds_of(r["requested_at"]) + step * delay_minutes * 60
        for r in collected["requests"]
        if not r["closed_at"]
        or seconds_of(r["closed_at"]) > seconds_of(r["requested_at"]) + step * delay_minutes * 60
    }
    fired: dict[str, float] = {}
    for event in collected["events"]:
        if (
            event["step"] == step
            and event["kind"] in {"paged", "alerted", "skipped"}
            and event["request"] in deadline
        ):
            at = seconds_of(event["at"])
            # the first time this step fired, which is loop 0's
            fired[event["request"]] = min(fired.get(event["request"], math.inf), at)
    first_mail: dict[str, float] = {}
    for email in collected["emails"]:
        if step_of(email["key"]) == (step, 0) and email["provider_id"] in arrived:
            at = arrived[email["provider_id"]]
            first_mail[email["request"]] = min(first_mail.get(email["request"], math.inf), at)
    return Lateness(
        step=step,
        due=len(deadline),
        fired=len(fired),
        recorded=[at - deadline[pk] for pk, at in fired.items()],
        delivered=[at - deadline[pk] for pk, at in first_mail.items() if pk in deadline],
    )


def states_on_time(collected: dict[str, Any], delay_minutes: int) -> tuple[int, int]:
    """(open requests at step 1, of which ``next_escalation_at`` = requested_at + delay)."""
    at_step, exact = 0, 0
    for request in collected["requests"]:
        state = request["state"]
        if state and state["step_index"] == 1 and state["loop_count"] == 0:
            at_step += 1
            expected = seconds_of(request["requested_at"]) + delay_minutes * 60
            exact += abs(seconds_of(state["next_escalation_at"]) - expected) < 0.001
    return at_step, exact


# --------------------------------------------------------------------------- phases


async def burst(
    base_url: str, people: list[Person], count: int, seconds: float
) -> tuple[list[Post], float]:
    """``count`` POSTs, evenly spread over ``seconds``, whatever the server's pace."""
    async with client(base_url, None) as http_client:
        started = time.monotonic()

        async def planned(index: int, person: Person) -> Post:
            await asyncio.sleep(max(0.0, started + index * seconds / count - time.monotonic()))
            return await reach_out(http_client, person)

        posts = await asyncio.gather(*(planned(i, p) for i, p in enumerate(people[:count])))
        return list(posts), time.monotonic() - started


@dataclass
class Round:
    reach_out: Measurement
    baseline: Measurement
    engine_cpu: float  # seconds of engine CPU until its pages were all sent

    @property
    def ratio(self) -> float:
        return self.reach_out.rps / self.baseline.rps if self.baseline.rps else math.nan


async def throughput(
    base_url: str,
    people: list[Person],
    rounds: int,
    concurrency: int,
    duration: float,
    server_pids: list[int],
    engine_pids: list[int],
) -> list[Round]:
    results: list[Round] = []
    async with (
        client(base_url, concurrency) as signed_in,
        client(base_url, concurrency) as anonymous,
    ):
        print(f"  throughput: warm-up {BASELINE_PATH} (2 s)", flush=True)
        await drive(get_ok(anonymous, BASELINE_PATH), concurrency, 2, server_pids)
        for number in range(rounds):
            measured: dict[str, Measurement] = {}
            engine_cpu = 0.0
            for name in ["reach_out", "baseline"][:: 1 if number % 2 == 0 else -1]:
                settle([*server_pids, *engine_pids])
                if name == "baseline":
                    measured[name] = await drive(
                        get_ok(anonymous, BASELINE_PATH), concurrency, duration, server_pids
                    )
                    continue
                todo = deque(people)
                posts: list[Post] = []

                async def attempt(
                    todo: deque[Person] = todo, posts: list[Post] = posts
                ) -> bool | None:
                    if not todo:
                        return None
                    post = await reach_out(signed_in, todo.popleft())
                    posts.append(post)
                    return post.pk is not None

                engine_before = cpu_seconds(engine_pids)
                measured[name] = await drive(attempt, concurrency, None, server_pids)
                settle(engine_pids)  # the engine sends these requests' pages
                engine_cpu = cpu_seconds(engine_pids) - engine_before
                failed = await cancel_all(signed_in, posts)
                if failed:
                    print(f"  {failed} cancellations failed", file=sys.stderr)
            round_ = Round(measured["reach_out"], measured["baseline"], engine_cpu)
            results.append(round_)
            print(
                f"  round {number + 1}/{rounds}: reach out {round_.reach_out.rps:6.1f} POST/s "
                f"(errors {round_.reach_out.errors}), one query {round_.baseline.rps:6.1f} "
                f"req/s, ratio {round_.ratio:.3f}",
                flush=True,
            )
    return results


@dataclass
class Soak:
    posts: list[Post] = field(default_factory=list)
    skipped: int = 0  # planned POSTs that found nobody free to post
    cancel_failures: int = 0
    seconds: float = 0.0


async def soak(
    base_url: str, people: list[Person], rate: float, seconds: float, lifetime: float
) -> Soak:
    """``rate`` reach-outs per second for ``seconds``, each cancelled after ``lifetime``."""
    result = Soak()
    free = deque(people)
    count = int(rate * seconds)
    async with client(base_url, None) as http_client:

        async def one(person: Person) -> None:
            post = await reach_out(http_client, person)
            result.posts.append(post)
            if post.pk is not None:
                await asyncio.sleep(max(0.0, post.sent + lifetime - time.time()))
                if not await cancel(http_client, person, post.pk):
                    result.cancel_failures += 1
            free.append(person)

        started = time.monotonic()
        tasks = []
        next_report = 60.0
        for index in range(count):
            at = index / rate
            await asyncio.sleep(max(0.0, started + at - time.monotonic()))
            if at >= next_report:
                errors = sum(p.pk is None for p in result.posts)
                print(
                    f"  soak: {at:4.0f} s, {len(result.posts)} POSTs, {errors} errors", flush=True
                )
                next_report += 60
            if not free:
                result.skipped += 1
                continue
            tasks.append(asyncio.create_task(one(free.popleft())))
        result.seconds = time.monotonic() - started
        await asyncio.gather(*tasks)
    return result


# --------------------------------------------------------------------------- one database


@dataclass
class Run:
    kind: str
    where: str
    engines: int
    teams: int
    telecoms: int
    peers: int
    available: int
    coordinators: int
    delay_minutes: int
    sign_in_seconds: float
    queries: dict[str, Any]
    burst_posts: list[Post]
    burst_wall: float
    burst: Delivery
    early_states: tuple[int, int]
    punctuality: list[Lateness]
    burst_memory: list[ProcessMemory]
    burst_peaks: dict[int, int]
    burst_cpu: dict[str, float]
    rounds: list[Round]
    soak: Soak | None
    soak_delivery: Delivery | None
    soak_punctuality: list[Lateness]
    soak_memory: list[ProcessMemory]
    soak_peaks: dict[int, int]
    soak_history: dict[int, list[tuple[float, float]]]  # pid: (seconds, MiB)


def collect(environ: dict[str, str], pks: Sequence[str]) -> dict[str, Any]:
    if not pks:
        return {"requests": [], "pages": [], "events": [], "emails": []}
    output = run_quietly([sys.executable, "-m", "bench.paging_db", "collect", *pks], environ)
    data: dict[str, Any] = json.loads(output)
    wanted = set(pks)
    data["requests"] = [r for r in data["requests"] if r["pk"] in wanted]
    for key in ("pages", "events", "emails"):
        data[key] = [item for item in data[key] if item["request"] in wanted]
    return data


class Samplers:
    """Memory samplers of several process trees (granian's, each engine's), as one."""

    def __init__(self, roots: dict[int, str], interval: float, keep_history: bool) -> None:
        self.samplers = [
            MemorySampler(pid, interval=interval, root_role=role, keep_history=keep_history)
            for pid, role in roots.items()
        ]

    def start(self) -> Samplers:
        for sampler in self.samplers:
            sampler.start()
        return self

    def start_load(self) -> None:
        for sampler in self.samplers:
            sampler.start_load()

    def stop(self) -> None:
        for sampler in self.samplers:
            sampler.stop()

    @property
    def processes(self) -> list[ProcessMemory]:
        return [p for sampler in self.samplers for p in sampler.processes.values()]

    def peaks(self) -> dict[int, int]:
        return {
            p.pid: sampler.load_peak_kib(p)
            for sampler in self.samplers
            for p in sampler.processes.values()
        }

    def history(self) -> dict[int, list[tuple[float, float]]]:
        """pid: (seconds since the first sample, RSS in MiB)."""
        samples = [s for sampler in self.samplers for s in sampler.history]
        origin = min((s.at for s in samples), default=0.0)
        found: dict[int, list[tuple[float, float]]] = {}
        for sample in sorted(samples, key=lambda s: s.at):
            found.setdefault(sample.pid, []).append((sample.at - origin, sample.rss_kib / 1024))
        return found


def run_one(kind: str, options: argparse.Namespace) -> Run:
    with (
        tempfile.TemporaryDirectory(prefix="backline-bench-paging-") as temporary,
        database(kind) as db,
        contextlib.ExitStack() as stack,
    ):
        data_dir = Path(temporary)
        environ = bench_environment(data_dir, db.url)
        print(f"{DATABASES[kind]}: preparing a production-like Backline in {data_dir}", flush=True)
        prepare_database(environ, demo=False)
        per_team = telecoms_per_team(options)
        print(f"  {options.teams} teams, {per_team} telecommunicators each", flush=True)
        made = json.loads(
            run_quietly(
                [sys.executable, "-m", "bench.paging_db", "setup", str(options.teams),
                 str(per_team), PASSWORD],
                environ,
            )
        )  # fmt: skip
        delay_minutes: int = made["step_delay_minutes"]
        # people[k]: team k % teams, so that any first n of them spread evenly over teams
        by_team: dict[int, list[Person]] = {}
        for email, team in made["telecoms"]:
            by_team.setdefault(team, []).append(Person(email, team, len(by_team.get(team, []))))
        people = [by_team[team][i] for i in range(per_team) for team in sorted(by_team)]
        queries = json.loads(
            run_quietly(
                [sys.executable, "-m", "bench.paging_db", "queries", people[-1].email], environ
            )
        )
        smtp_port, web_port = free_port(), free_port()
        smtp_log = data_dir / "smtp.jsonl"
        base_url = f"http://{HOST}:{web_port}"
        environ.update(
            BACKLINE_EMAIL="on",
            BACKLINE_SMTP_HOST=HOST,
            BACKLINE_SMTP_PORT=str(smtp_port),
            BACKLINE_SMTP_STARTTLS="no",
            BACKLINE_PUBLIC_URL=base_url,
            PYTHONUNBUFFERED="1",  # the engine's "running" line, at once
        )
        smtp = stack.enter_context(
            process(
                [sys.executable, "-m", "bench.smtp_sink", str(smtp_port), str(smtp_log)],
                environ, data_dir / "smtp.log", "SMTP sink on", signal.SIGTERM,
            )
        )  # fmt: skip
        server = stack.enter_context(
            granian(
                environ, web_port, options.workers, options.blocking_threads,
                data_dir / "granian.log",
            )
        )  # fmt: skip
        engines = [
            stack.enter_context(
                process(
                    [sys.executable, "manage.py", "engine"],
                    environ,
                    data_dir / f"engine{number}.log",
                    "running",
                    signal.SIGTERM,
                )
            )
            for number in range(options.engines)
        ]
        roots = {server.pid: "main", **{engine.pid: "engine" for engine in engines}}
        print(
            f"  granian on {base_url} ({options.workers} workers), "
            f"{len(engines)} engine(s), SMTP on {HOST}:{smtp_port}",
            flush=True,
        )
        memory = Samplers(roots, 0.25, keep_history=False).start()
        print(f"  signing {len(people)} telecommunicators in", flush=True)
        sign_in_seconds = sign_in_everyone(base_url, people)
        web_pids = [p.pid for p in memory.processes if p.role != "engine"]
        engine_pids = [engine.pid for engine in engines]
        settle([*web_pids, *engine_pids])

        # 1. burst, then 2. punctuality
        print(f"  burst: {options.burst} reach-outs over {options.burst_seconds:g} s", flush=True)
        memory.start_load()
        groups = {
            "web": web_pids,
            "engine": engine_pids,
            "smtp": [smtp.pid],
            "database": process_tree(db.server_pid) if db.server_pid else [],
        }
        before = {name: cpu_seconds(pids) for name, pids in groups.items()}
        before |= {"client": time.process_time(), "machine": machine_busy_seconds()}
        posts, burst_wall = asyncio.run(
            burst(base_url, people, options.burst, options.burst_seconds)
        )
        accepted = [p.pk for p in posts if p.pk is not None]
        errors = [p for p in posts if p.pk is None]
        print(
            f"  burst sent in {burst_wall:.1f} s: {len(accepted)} accepted, {len(errors)} failed"
            + (f" (first: {errors[0].error})" if errors else ""),
            flush=True,
        )
        asyncio.run(wait_for(lambda: len(smtp_records(smtp_log)) >= len(accepted), 30))
        burst_cpu = {name: cpu_seconds(pids) - before[name] for name, pids in groups.items()}
        burst_cpu |= {
            "client": time.process_time() - before["client"],
            "machine": machine_busy_seconds() - before["machine"],
            "wall": time.time() - min((p.sent for p in posts), default=time.time()),
            "database_known": float(bool(db.server_pid)),
        }
        early = collect(environ, accepted)
        first = delivery(early, smtp_records(smtp_log), posts)
        print(
            f"  first e-mail after requested_at: p50 {percentile(first.smtp, 0.5):.3f} s, "
            f"p99 {percentile(first.smtp, 0.99):.3f} s, max {max(first.smtp, default=0):.3f} s; "
            f"{first.without_email} without e-mail",
            flush=True,
        )
        last_requested = max(
            (seconds_of(r["requested_at"]) for r in early["requests"]), default=time.time()
        )
        until = last_requested + 2 * delay_minutes * 60 + 10
        print(
            f"  punctuality: waiting {max(0, until - time.time()):.0f} s for steps 2 and 3",
            flush=True,
        )
        time.sleep(max(0.0, until - time.time()))
        later = collect(environ, accepted)
        smtp_now = smtp_records(smtp_log)
        punctuality = [lateness(later, smtp_now, step, delay_minutes) for step in (1, 2)]
        memory.stop()
        failed = asyncio.run(cancel_all_posts(base_url, posts))
        print(f"  cancelled the burst's requests ({failed} failures)", flush=True)

        # 3. throughput
        rounds = asyncio.run(
            throughput(
                base_url, people, options.rounds, options.concurrency, options.duration,
                web_pids, engine_pids,
            )
        )  # fmt: skip

        # 4. soak
        soaked: Samplers | None = None
        soak_result: Soak | None = None
        soak_delivery: Delivery | None = None
        soak_punctuality: list[Lateness] = []
        if options.soak_seconds > 0:
            settle([*web_pids, *engine_pids])
            print(
                f"  soak: {options.soak_rate:g} reach-outs/s for {options.soak_seconds:g} s, "
                f"each cancelled after {options.soak_lifetime:g} s",
                flush=True,
            )
            soaked = Samplers(roots, options.soak_sample_seconds, keep_history=True).start()
            soaked.start_load()
            soak_result = asyncio.run(
                soak(
                    base_url, people, options.soak_rate, options.soak_seconds,
                    options.soak_lifetime,
                )
            )  # fmt: skip
            soaked.stop()
            found = collect(environ, [p.pk for p in soak_result.posts if p.pk is not None])
            smtp_now = smtp_records(smtp_log)
            soak_delivery = delivery(found, smtp_now, soak_result.posts)
            if options.soak_lifetime > delay_minutes * 60:
                soak_punctuality = [lateness(found, smtp_now, 1, delay_minutes)]
        stack.close()  # stops the servers, so that their logs are complete
        for log in sorted(data_dir.glob("*.log")):
            problems = [
                line
                for line in log.read_text(errors="replace").splitlines()
                if "Traceback" in line or "ERROR" in line
            ]
            if problems:
                print(f"  {log.name}: {len(problems)} error lines, e.g. {problems[0][:200]}")
        return Run(
            kind=kind,
            where=db.where,
            engines=len(engines),
            teams=options.teams,
            telecoms=len(people),
            peers=made["peers"],
            available=made["available"],
            coordinators=made["coordinators"],
            delay_minutes=delay_minutes,
            sign_in_seconds=sign_in_seconds,
            queries=queries,
            burst_posts=posts,
            burst_wall=burst_wall,
            burst=first,
            early_states=states_on_time(early, delay_minutes),
            punctuality=punctuality,
            burst_memory=memory.processes,
            burst_peaks=memory.peaks(),
            burst_cpu=burst_cpu,
            rounds=rounds,
            soak=soak_result,
            soak_delivery=soak_delivery,
            soak_punctuality=soak_punctuality,
            soak_memory=soaked.processes if soaked else [],
            soak_peaks=soaked.peaks() if soaked else {},
            soak_history=soaked.history() if soaked else {},
        )


async def cancel_all_posts(base_url: str, posts: Sequence[Post]) -> int:
    async with client(base_url, 8) as http_client:
        return await cancel_all(http_client, posts)


def telecoms_per_team(options: argparse.Namespace) -> int:
    """Enough for the burst (one request each), and for the soak: a person posts again
    only once their previous request was cancelled."""
    needed = math.ceil(options.burst / options.teams)
    if options.soak_seconds > 0:
        in_flight = options.soak_rate * (options.soak_lifetime + 10)
        needed = max(needed, math.ceil(in_flight / options.teams))
    return needed


# --------------------------------------------------------------------------- report


def _s(value: float) -> str:
    return NONE if math.isnan(value) else f"{value:.3f}"


def _met(ok: bool) -> str:
    return "met" if ok else "**missed**"


def report(
    runs: list[Run], options: argparse.Namespace, command: str, load: Sequence[float]
) -> str:
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    first = runs[0]
    lines = [
        f"Measured {now} with `{command}`.",
        "",
        f"- Machine: {nproc()} CPUs ({cpu_model()}), Python {platform.python_version()}, "
        f"{versions('django', 'granian', 'httpx', 'psycopg', 'aiosmtpd')}; the clients and the "
        "SMTP server run on the same machine. Load average before the run: "
        + " ".join(f"{figure:.2f}" for figure in load)
        + ".",
        f"- Teams: {first.teams}, each with an agency, {first.telecoms // first.teams} "
        f"telecommunicators, 2 or 3 peers ({first.peers} in all, {first.available} of them "
        f'"available now") and a coordinator with a verified e-mail address each, a weekly '
        f"rotation of its peers, and a default policy: the rotation's on-call peer, then all "
        f"available peers, then the coordinator, {first.delay_minutes} minute apart.",
        f"- Server: granian WSGI, {options.workers} workers, "
        f"{options.blocking_threads} blocking threads each; "
        + (f"{options.engines} engines" if options.engines > 1 else "the engine")
        + " `manage.py engine` (default poll: 0.2 s on SQLite; on PostgreSQL "
        "LISTEN/NOTIFY, at most 0.5 s; never past the next due step or message); e-mail "
        "over SMTP to `bench/smtp_sink.py` "
        "(aiosmtpd, its own process); `BACKLINE_ENV=production`, `bench.settings`.",
        "- Databases: " + "; ".join(f"{DATABASES[run.kind]}: {run.where}" for run in runs) + ".",
        "",
        "#### Goals",
        "",
        "| goal | " + " | ".join(DATABASES[run.kind] for run in runs) + " |",
        "|---|" + "---|" * len(runs),
    ]

    def row(name: str, cells: list[str]) -> None:
        lines.append(f"| {name} | " + " | ".join(cells) + " |")

    row(
        "first page p99 ≤ 1 s (burst)",
        [f"{_s(percentile(r.burst.smtp, 0.99))} s, {_met(_p99_ok(r.burst.smtp))}" for r in runs],
    )
    row(
        "requests without any page: 0",
        [
            f"{r.burst.without_page} of {r.burst.accepted} "
            f"({r.burst.without_email} without an e-mail), "
            f"{_met(r.burst.without_page == 0 and r.burst.accepted == options.burst)}"
            for r in runs
        ],
    )
    row(
        "step lateness p99 ≤ 1 s",
        [
            ", ".join(
                f"step {lt.step + 1}: {_s(percentile(lt.recorded, 0.99))} s" for lt in r.punctuality
            )
            + ", "
            + _met(all(_p99_ok(lt.recorded) and lt.fired == lt.due for lt in r.punctuality))
            for r in runs
        ],
    )
    row(
        "peak RSS ≤ 200 MiB (engine; each web worker)",
        [_memory_goal(r) for r in runs],
    )
    lines += [
        "",
        "#### Burst: first page",
        "",
        f"{options.burst} Reach out POSTs by {options.burst} different telecommunicators "
        f"({options.burst // options.teams} per team), planned evenly over "
        f"{options.burst_seconds:g} s. Seconds from `requested_at` to the first e-mail's "
        "arrival at the SMTP server (and, for comparison, to that e-mail row's `sent_at`).",
        "",
        "| database | accepted | failed POSTs | committed over s | p50 | p95 | p99 | max "
        "| without a page | without an e-mail |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for r in runs:
        smtp = stats(r.burst.smtp)
        lines.append(
            f"| {DATABASES[r.kind]} | {r.burst.accepted} "
            f"| {sum(p.pk is None for p in r.burst_posts)} | {r.burst.committed_over:.1f} "
            f"| {_s(smtp['p50'])} | {_s(smtp['p95'])} | {_s(smtp['p99'])} | {_s(smtp['max'])} "
            f"| {r.burst.without_page} | {r.burst.without_email} |"
        )
    lines += [
        "",
        "Where the time goes (seconds, p50 / p99): the POST as the client saw it; from "
        "`requested_at` (taken just before the request's transaction begins) to the client "
        "having the answer (so: the transaction, including any wait for the database, and "
        "the response); from the answer to the e-mail's arrival (the engine's part, at most); "
        "from `requested_at` to the e-mail row's `sent_at` (recorded after the whole claim "
        "was sent); first-step e-mail rows (retried, not sent).",
        "",
        "| database | POST | `requested_at` → answer | answer → e-mail | `requested_at` → "
        "`sent_at` | e-mails |",
        "|---|--:|--:|--:|--:|--:|",
    ]
    for r in runs:
        answered = [p.answered - p.sent for p in r.burst_posts if p.pk is not None]
        lines.append(
            f"| {DATABASES[r.kind]} | {_pair(answered)} | {_pair(r.burst.to_response)} "
            f"| {_pair(r.burst.from_response)} | {_pair(r.burst.sent_at)} "
            f"| {r.burst.emails} ({r.burst.retried}, {r.burst.not_sent}) |"
        )
    lines += [
        "",
        "CPU seconds used from the first POST until the last first-step e-mail arrived, by "
        "process, and by every other process of the machine:",
        "",
        "| database | seconds | web (granian) | engine | database server | SMTP server "
        "| clients | others |",
        "|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for r in runs:
        c = r.burst_cpu
        ours = c["web"] + c["engine"] + c["database"] + c["smtp"] + c["client"]
        server = (
            f"{c['database']:.1f}"
            if c["database_known"]
            else ("in-process" if r.kind == "sqlite" else "?")
        )
        lines.append(
            f"| {DATABASES[r.kind]} | {c['wall']:.1f} | {c['web']:.1f} | {c['engine']:.1f} "
            f"| {server} | {c['smtp']:.1f} | {c['client']:.1f} "
            f"| {max(0.0, c['machine'] - ours):.1f} |"
        )
    lines += [
        "",
        "#### Punctuality of the later steps",
        "",
        "The burst's requests stay unanswered. Seconds from each step's deadline "
        "(`requested_at` + the delays of the steps before it, which is what "
        "`EscalationState.next_escalation_at` holds) to the step's `Event.at` (the engine's "
        "tick time, also `Page.paged_at`), and to its first e-mail's arrival.",
        "",
        "| database | step | due | fired | recorded p50 | p99 | max | e-mail p50 | p99 | max |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for r in runs:
        for lt in r.punctuality:
            rec, mail = stats(lt.recorded), stats(lt.delivered)
            lines.append(
                f"| {DATABASES[r.kind]} | {lt.step + 1} | {lt.due} | {lt.fired} "
                f"| {_s(rec['p50'])} | {_s(rec['p99'])} | {_s(rec['max'])} "
                f"| {_s(mail['p50'])} | {_s(mail['p99'])} | {_s(mail['max'])} |"
            )
    lines.append("")
    lines.append(
        "Before step 2 was due, "
        + "; ".join(
            f"{DATABASES[r.kind]}: {r.early_states[1]} of {r.early_states[0]} states at step 2 "
            f"had `next_escalation_at` = `requested_at` + {r.delay_minutes} min"
            for r in runs
        )
        + "."
    )
    lines += [
        "",
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
    for r in runs:
        med = _median
        lines.append(
            f"| {DATABASES[r.kind]} | {med([x.reach_out.rps for x in r.rounds]):.1f} "
            f"| {med([x.baseline.rps for x in r.rounds]):.0f} "
            f"| {med([x.ratio for x in r.rounds]):.3f} "
            f"| {med([x.reach_out.latency_ms(0.5) for x in r.rounds]):.0f} "
            f"| {med([x.reach_out.server_cpu_ms for x in r.rounds]):.1f} "
            f"| {med([x.baseline.server_cpu_ms for x in r.rounds]):.2f} "
            f"| {med([x.engine_cpu * 1000 / max(1, x.reach_out.requests) for x in r.rounds]):.1f} "
            f"| {r.queries['post']} | {r.queries['tick']} |"
        )
    lines.append("")
    lines.append(
        "Each round (POST/s; one-query req/s; ratio; POST errors): "
        + "; ".join(
            f"{DATABASES[r.kind]}: "
            + ", ".join(
                f"{x.reach_out.rps:.1f}; {x.baseline.rps:.0f}; {x.ratio:.3f}; {x.reach_out.errors}"
                for x in r.rounds
            )
            for r in runs
        )
        + "."
    )
    lines += [
        "",
        "#### Memory",
        "",
        "MiB. RSS when the processes had started, their peak (`VmHWM`) until the burst "
        "(which includes signing every telecommunicator in), the peak from the burst to the "
        "third step (`VmHWM`, reset just before the burst), and in the soak (reset at its "
        "start); RSS at the soak's start and end, and its least-squares slope (MiB per "
        "minute) over the whole soak and over its second half.",
        "",
        "| database | process | RSS after start-up | peak while signing in | RSS before "
        "the burst | peak: burst | soak: start | end | peak | slope | slope, 2nd half |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for r in runs:
        soak_by_pid = {p.pid: p for p in r.soak_memory}
        for memory in sorted(r.burst_memory, key=lambda m: (m.role != "engine", m.pid)):
            if memory.role == "main":
                continue  # granian's main process serves nothing
            history = r.soak_history.get(memory.pid, [])
            half = [(t, m) for t, m in history if history and t >= history[-1][0] / 2]
            soaked = soak_by_pid.get(memory.pid)
            lines.append(
                f"| {DATABASES[r.kind]} | {'engine' if memory.role == 'engine' else 'web worker'} "
                f"| {mib(memory.start_rss_kib)} | {mib(memory.setup_peak_kib)} "
                f"| {mib(memory.load_start_rss_kib)} | {mib(r.burst_peaks.get(memory.pid))} "
                f"| {f'{history[0][1]:.1f}' if history else NONE} "
                f"| {f'{history[-1][1]:.1f}' if history else NONE} "
                f"| {mib(r.soak_peaks.get(memory.pid)) if soaked else NONE} "
                f"| {_slope(history)} | {_slope(half)} |"
            )
    soaks = [r for r in runs if r.soak and r.soak_delivery]
    if soaks:
        lines += [
            "",
            f"Soak: {options.soak_rate:g} reach-outs per second for {options.soak_seconds:g} s "
            f"(RSS sampled every {options.soak_sample_seconds:g} s), each cancelled by its "
            f"requester {options.soak_lifetime:g} s later"
            + (
                ", so every request's second step fires first"
                if options.soak_lifetime > first.delay_minutes * 60
                else ""
            )
            + ".",
            "",
            "| database | POSTs | failed | skipped | failed cancels | first page p50 | p99 | max "
            "| without e-mail | step 2 lateness p99 | max |",
            "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
        ]
        for r in soaks:
            assert r.soak is not None and r.soak_delivery is not None
            d = stats(r.soak_delivery.smtp)
            late = stats(r.soak_punctuality[0].recorded) if r.soak_punctuality else None
            lines.append(
                f"| {DATABASES[r.kind]} | {len(r.soak.posts)} "
                f"| {sum(p.pk is None for p in r.soak.posts)} | {r.soak.skipped} "
                f"| {r.soak.cancel_failures} | {_s(d['p50'])} | {_s(d['p99'])} | {_s(d['max'])} "
                f"| {r.soak_delivery.without_email} "
                f"| {_s(late['p99']) if late else NONE} | {_s(late['max']) if late else NONE} |"
            )
    return "\n".join(lines) + "\n"


def _pair(values: Sequence[float]) -> str:
    return f"{_s(percentile(values, 0.5))} / {_s(percentile(values, 0.99))}"


def _median(values: Sequence[float]) -> float:
    return percentile(values, 0.5) if len(values) % 2 else _even_median(values)


def _even_median(values: Sequence[float]) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    middle = len(ordered) // 2
    return (ordered[middle - 1] + ordered[middle]) / 2


def _p99_ok(values: Sequence[float]) -> bool:
    return bool(values) and percentile(values, 0.99) <= GOAL_SECONDS


def _slope(points: Sequence[tuple[float, float]]) -> str:
    value = slope(points) * 60
    return NONE if math.isnan(value) else f"{value:+.2f}"


def _memory_goal(run: Run) -> str:
    peaks: dict[str, list[int]] = {"engine": [], "worker": []}
    for memory in run.burst_memory:
        if memory.role in peaks:
            peaks[memory.role].append(
                max(run.burst_peaks.get(memory.pid, 0), run.soak_peaks.get(memory.pid, 0))
            )
    engine, workers = max(peaks["engine"], default=0), peaks["worker"]
    ok = engine <= GOAL_MIB * 1024 and all(w <= GOAL_MIB * 1024 for w in workers)
    return (
        f"engine {mib(engine)}; workers " + ", ".join(mib(w) for w in workers) + f" MiB, {_met(ok)}"
    )


# --------------------------------------------------------------------------- main


def heading() -> str:
    return "## Paging engine (`bench/paging.py`)\n\n### Results\n\n"


def parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
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


def main(argv: Sequence[str]) -> int:
    options = parse(argv)
    load = os.getloadavg()
    command = command_line("bench/paging.py", argv)
    kinds = ["sqlite", "postgres"] if options.database == "both" else [options.database]
    runs = [run_one(kind, options) for kind in kinds]
    section = report(runs, options, command, load)
    print()
    print(section)
    failed = sum(p.pk is None for r in runs for p in r.burst_posts)
    failed += sum(x.reach_out.errors + x.baseline.errors for r in runs for x in r.rounds)
    if failed:
        print(f"{failed} requests failed: these figures are not valid.", file=sys.stderr)
        if options.write:
            print("BENCHMARKS.md was left as it was.", file=sys.stderr)
        return 1
    if options.write:
        write_section(section, START_MARK, END_MARK, heading)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
