"""What Backline's benchmarks share: a throw-away production-like Backline, granian,
``/proc`` sampling, percentiles, and writing results between markers in BENCHMARKS.md.

Used by ``bench/pages.py`` and ``bench/paging/``; each runs from the project's root as a
module (``python -m bench.pages``), so that ``bench`` and ``backline`` import as packages.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import math
import os
import platform
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx

from backline.notify.tests.loopback import free_port as free_port  # the benchmarks' own

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
HOST = "127.0.0.1"
BENCHMARKS_MD = ROOT / "BENCHMARKS.md"
BASELINE_PATH = "/bench/one-query/"  # the bare one-query view of bench.urls
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# --------------------------------------------------------------------------- /proc


def _stat_fields(pid: int) -> list[str]:
    """Fields of /proc/<pid>/stat after the command name (which may hold spaces)."""
    text = Path(f"/proc/{pid}/stat").read_text()
    return text[text.rindex(")") + 2 :].split()


def process_tree(root: int) -> list[int]:
    """``root`` and all its descendants that are alive now."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            children.setdefault(int(_stat_fields(int(entry.name))[1]), []).append(int(entry.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        if Path(f"/proc/{pid}").exists():
            tree.append(pid)
            todo.extend(children.get(pid, []))
    return sorted(tree)


def status_kib(pid: int, *keys: str) -> dict[str, int]:
    """Some ``kB`` lines of /proc/<pid>/status (VmRSS, VmHWM, ...)."""
    values: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in keys:
            values[name] = int(rest.split()[0])
    return values


def pss_kib(pid: int) -> int | None:
    """Proportional set size: shared pages divided among the processes sharing them."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def cpu_seconds(pids: Sequence[int]) -> float:
    """User plus system CPU time used so far by ``pids`` (their own, not their children's)."""
    ticks = 0
    for pid in pids:
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = _stat_fields(pid)
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / CLOCK_TICKS


def machine_busy_seconds() -> float:
    """CPU time all processes of the machine have used since boot (all CPUs together)."""
    with contextlib.suppress(OSError, ValueError):
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
        return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS
    return math.nan


@dataclass
class ProcessMemory:
    pid: int
    role: str
    start_rss_kib: int = 0  # VmRSS when first seen (the server just started)
    setup_peak_kib: int = 0  # VmHWM (the kernel's high-water mark) before the load
    load_peak_kib: int = 0  # VmHWM during the load, after a reset of the high-water mark
    sampled_peak_kib: int = 0  # highest VmRSS the sampler saw during the load
    last_rss_kib: int = 0
    pss_kib: int | None = None
    load_start_rss_kib: int = 0  # VmRSS when the load started


@dataclass(frozen=True)
class RssSample:
    at: float  # time.monotonic()
    pid: int
    rss_kib: int


class MemorySampler:
    """Samples a process tree in a thread; remembers each process's peak.

    ``start_load()`` records the high-water mark reached so far (start-up and signing
    in) and resets it, so that the peak under load is measured on its own. With
    ``keep_history`` every sample taken under load is kept (``history``), to draw the
    course of the memory over a long run.
    """

    def __init__(
        self,
        root: int,
        interval: float = 0.25,
        root_role: str = "main",
        child_role: str = "worker",
        keep_history: bool = False,
    ) -> None:
        self.root = root
        self.interval = interval
        self.root_role = root_role
        self.child_role = child_role
        self.keep_history = keep_history
        self.history: list[RssSample] = []
        self.processes: dict[int, ProcessMemory] = {}
        self.peaks_reset = False
        self._loading = False
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="memory-sampler", daemon=True)

    def pids(self) -> list[int]:
        return process_tree(self.root)

    def sample(self, with_pss: bool = False) -> None:
        with self._lock:
            self._sample(with_pss)

    def _sample(self, with_pss: bool) -> None:
        now = time.monotonic()
        for pid in self.pids():
            try:
                values = status_kib(pid, "VmRSS", "VmHWM")
            except OSError:
                continue
            rss, hwm = values.get("VmRSS", 0), values.get("VmHWM", 0)
            role = self.root_role if pid == self.root else self.child_role
            memory = self.processes.get(pid)
            if memory is None:
                memory = self.processes[pid] = ProcessMemory(pid, role, start_rss_kib=rss)
            memory.last_rss_kib = rss
            if self._loading:
                memory.load_peak_kib = max(memory.load_peak_kib, hwm)
                memory.sampled_peak_kib = max(memory.sampled_peak_kib, rss)
                if self.keep_history:
                    self.history.append(RssSample(now, pid, rss))
            else:
                memory.setup_peak_kib = max(memory.setup_peak_kib, hwm)
                memory.load_start_rss_kib = rss
            if with_pss:
                memory.pss_kib = pss_kib(pid)

    def start_load(self) -> None:
        with self._lock:
            self._sample(with_pss=False)
            reset = True
            for pid in self.processes:
                try:
                    # "5" resets the peak resident set size (proc(5), /proc/pid/clear_refs).
                    Path(f"/proc/{pid}/clear_refs").write_text("5")
                except OSError:
                    reset = False
            self.peaks_reset = reset
            self._loading = True
            self._sample(with_pss=False)

    def load_peak_kib(self, memory: ProcessMemory) -> int:
        """The peak under load: the kernel's own if it could be reset, else the sampler's."""
        return memory.load_peak_kib if self.peaks_reset else memory.sampled_peak_kib

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def start(self) -> None:
        self.sample()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        self.sample(with_pss=True)


# --------------------------------------------------------------------------- set-up


# What README recommends for production: every password check holds 19 MiB (Argon2id).
BLOCKING_THREADS = 4


def add_server_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--workers", type=int, default=2, help="granian workers (default 2)")
    parser.add_argument(
        "--blocking-threads", type=int, default=BLOCKING_THREADS,
        help=f"granian blocking threads per worker (default {BLOCKING_THREADS}, as README "
        "recommends)",
    )  # fmt: skip


def bench_environment(data_dir: Path, database_url: str | None = None) -> dict[str, str]:
    """The environment of every process of a throw-away Backline in ``data_dir``.

    SQLite in ``data_dir`` unless ``database_url`` names a database the benchmark made
    for itself; whatever ``DATABASE_URL`` the caller had is never used.
    """
    environ = dict(os.environ)
    # Never touch a real database, and never run demo mode in production.
    for name in (
        "DATABASE_URL", "DATABASE_URL_FILE", "DJANGO_SECRET_KEY_FILE", "BACKLINE_FIELD_KEYS_FILE",
        "BACKLINE_DEMO", "BACKLINE_DEBUG",
    ):  # fmt: skip
        environ.pop(name, None)
    environ.update(
        BACKLINE_DATA_DIR=str(data_dir),
        BACKLINE_ENV="production",
        DJANGO_SECRET_KEY="bench-only-secret-key-not-for-any-real-deployment-0123456789",
        # A fresh key for encrypted fields, for this throw-away database only.
        BACKLINE_FIELD_KEYS="bench1:" + base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        BACKLINE_ALLOWED_HOSTS=HOST,
        BACKLINE_SSL_REDIRECT="no",
        BACKLINE_LOG_LEVEL="WARNING",
        # production refuses to start without SMTP: a benchmark that sends mail turns
        # it on with its own sink (``mail_to_sink``)
        BACKLINE_EMAIL="off",
        DJANGO_SETTINGS_MODULE="bench.settings",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), environ.get("PYTHONPATH")])),
    )
    if database_url:
        environ["DATABASE_URL"] = database_url
    return environ


def mail_to_sink(
    environ: dict[str, str], smtp_port: int, public_url: str, smtp_host: str = HOST
) -> None:
    """Turns e-mail on in ``environ`` (``bench_environment`` leaves it off): pages go by
    plain SMTP to the benchmark's own sink on ``smtp_host:smtp_port``, with links to
    ``public_url``. Output is unbuffered, for the engine's "running" line that the
    benchmark waits for."""
    environ.update(
        BACKLINE_EMAIL="on",
        BACKLINE_SMTP_HOST=smtp_host,
        BACKLINE_SMTP_PORT=str(smtp_port),
        BACKLINE_SMTP_STARTTLS="no",
        BACKLINE_PUBLIC_URL=public_url,
        PYTHONUNBUFFERED="1",
    )


def run_quietly(command: list[str], environ: dict[str, str]) -> str:
    done = subprocess.run(
        command, cwd=ROOT, env=environ, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"failed: {' '.join(command)}")
    return done.stdout


def prepare_database(environ: dict[str, str], demo: bool = True) -> None:
    """``migrate``, ``createcachetable``, ``collectstatic`` and (with ``demo``) ``load_demo``."""
    manage = [sys.executable, "manage.py"]
    steps = [["migrate", "--noinput"], ["createcachetable"], ["collectstatic", "--noinput"]]
    if demo:
        steps.append(["load_demo"])
    for arguments in steps:
        print(f"  manage.py {' '.join(arguments)}", flush=True)
        run_quietly(manage + arguments, environ)


@contextlib.contextmanager
def granian(
    environ: dict[str, str],
    port: int,
    workers: int,
    blocking_threads: int,
    log: Path,
    ready_path: str = BASELINE_PATH,
) -> Iterator[subprocess.Popen[bytes]]:
    """granian serving Backline (WSGI) on ``HOST:port``, in its own process group."""
    command = [
        sys.executable, "-m", "granian", "--interface", "wsgi", "--host", HOST,
        "--port", str(port), "--workers", str(workers), "--blocking-threads",
        str(blocking_threads), "--no-ws", "--log-level", "warning", "backline.wsgi:application",
    ]  # fmt: skip
    with log.open("wb") as output:
        server = spawn(command, environ, output)
        try:
            wait_until_ready(server, f"http://{HOST}:{port}{ready_path}", log)
            yield server
        finally:
            stop(server)


def spawn(
    command: list[str], environ: dict[str, str], output: IO[bytes]
) -> subprocess.Popen[bytes]:
    """``command`` in the project's root, in a process group of its own (see ``stop``),
    its output and errors to ``output``."""
    return subprocess.Popen(
        command, cwd=ROOT, env=environ, stdout=output, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip


def wait_until_ready(server: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.stderr.write(log.read_text(errors="replace"))
            raise SystemExit(f"granian exited with status {server.returncode}")
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(url, timeout=2, trust_env=False).status_code == 200:
                return
        time.sleep(0.1)
    sys.stderr.write(log.read_text(errors="replace"))
    raise SystemExit(f"granian did not answer {url} within 60 s")


def stop(server: subprocess.Popen[bytes], sig: int = signal.SIGINT) -> None:
    """Stops a process started with ``start_new_session=True``, and its children."""
    if server.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, sig)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def sign_in_as(
    base_url: str, email: str, password: str, local_address: str | None = None
) -> httpx.Cookies:
    """Signs a person in as a browser would (the login page for the CSRF cookie, then
    the form); returns the cookies. Only for people whose role needs no second factor.

    ``local_address`` (another loopback address, e.g. 127.0.1.1) is where the browser
    connects from: allauth allows 30 sign-ins a minute from one address.
    """
    transport = httpx.HTTPTransport(local_address=local_address) if local_address else None
    with httpx.Client(
        base_url=base_url, timeout=30, trust_env=False, transport=transport
    ) as client:
        page = client.get("/accounts/login/")
        page.raise_for_status()
        token = client.cookies.get("csrftoken")
        if not token:
            raise SystemExit("the login page set no csrftoken cookie")
        answer = client.post(
            "/accounts/login/",
            data={"csrfmiddlewaretoken": token, "login": email, "password": password},
        )
        if answer.status_code != 302 or answer.headers.get("location") != "/home/":
            raise SystemExit(
                f"signing in {email} failed: HTTP {answer.status_code} "
                f"to {answer.headers.get('location')!r}"
            )
        return httpx.Cookies(client.cookies)


# --------------------------------------------------------------------------- load


@dataclass
class Measurement:
    requests: int
    errors: int
    seconds: float
    latencies: list[float]
    server_cpu: float
    client_cpu: float
    machine_cpu: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else math.nan

    def latency_ms(self, fraction: float) -> float:
        """Nearest-rank percentile of the successful requests' latencies."""
        return percentile(self.latencies, fraction) * 1000

    @property
    def server_cpu_ms(self) -> float:
        return self.server_cpu * 1000 / max(1, self.requests)


Attempt = Callable[[], Awaitable[bool | None]]


def get_ok(client: httpx.AsyncClient, path: str) -> Attempt:
    """One GET of ``path``: True when it answered 200."""

    async def attempt() -> bool:
        try:
            response = await client.get(path)
        except httpx.HTTPError:
            return False
        return response.status_code == 200

    return attempt


async def drive(
    attempt: Attempt, concurrency: int, duration: float | None, server_pids: list[int]
) -> Measurement:
    """``concurrency`` clients make ``attempt`` back to back for ``duration`` seconds
    (or, with None, until ``attempt`` says there is nothing left by returning None)."""
    latencies: list[float] = []
    errors = 0

    async def one_client(deadline: float) -> None:
        nonlocal errors
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            ok = await attempt()
            if ok is None:
                return
            if ok:
                latencies.append(time.perf_counter() - started)
            else:
                errors += 1

    server_before = cpu_seconds(server_pids)
    client_before = time.process_time()
    machine_before = machine_busy_seconds()
    started = time.perf_counter()
    deadline = math.inf if duration is None else started + duration
    await asyncio.gather(*(one_client(deadline) for _ in range(concurrency)))
    seconds = time.perf_counter() - started
    return Measurement(
        requests=len(latencies),
        errors=errors,
        seconds=seconds,
        latencies=latencies,
        server_cpu=cpu_seconds(server_pids) - server_before,
        client_cpu=time.process_time() - client_before,
        machine_cpu=machine_busy_seconds() - machine_before,
    )


# --------------------------------------------------------------------------- figures


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (``fraction`` 0.5 for the median); NaN when empty."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    index = max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


def slope(points: Sequence[tuple[float, float]]) -> float:
    """Least-squares slope of ``(x, y)`` points; NaN with fewer than two distinct x."""
    if len(points) < 2:
        return math.nan
    mean_x = sum(x for x, _ in points) / len(points)
    mean_y = sum(y for _, y in points) / len(points)
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    if not spread:
        return math.nan
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / spread


def mib(kib: int | float | None) -> str:
    return "?" if kib is None else f"{kib / 1024:.1f}"


# --------------------------------------------------------------------------- report


def cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def nproc() -> int:
    return len(os.sched_getaffinity(0))


def versions(*names: str) -> str:
    from importlib.metadata import version

    return ", ".join(f"{name} {version(name)}" for name in names or ("django", "granian", "httpx"))


def command_line(script: str, argv: Sequence[str]) -> str:
    """How this run was started, for the report: ``.venv/bin/python bench/x.py ...``."""
    python = Path(sys.executable)
    with contextlib.suppress(ValueError):
        python = python.relative_to(Path.cwd())
    return " ".join([str(python), script, *argv])


def publish(
    section: str,
    failed: int,
    write: bool,
    start_mark: str,
    end_mark: str,
    heading: Callable[[], str] | None = None,
) -> int:
    """Prints a benchmark's report and, with ``write``, puts it into BENCHMARKS.md, unless
    ``failed`` requests failed (then the figures are not valid). Returns the exit status."""
    print()
    print(section)
    if failed:
        print(f"{failed} requests failed: these figures are not valid.", file=sys.stderr)
        if write:
            print(f"{BENCHMARKS_MD.name} was left as it was.", file=sys.stderr)
        return 1
    if write:
        write_section(section, start_mark, end_mark, heading)
    return 0


def write_section(
    section: str, start_mark: str, end_mark: str, heading: Callable[[], str] | None = None
) -> None:
    """Puts ``section`` between the markers in BENCHMARKS.md (at the end, after
    ``heading()``, when the markers are not there yet)."""
    text = BENCHMARKS_MD.read_text(encoding="utf-8") if BENCHMARKS_MD.exists() else ""
    block = f"{start_mark}\n{section}{end_mark}"
    pattern = re.compile(re.escape(start_mark) + r".*?" + re.escape(end_mark), re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _: block, text, count=1)
    else:
        intro = heading() if heading else ""
        text = text.rstrip("\n") + ("\n\n" if text else "") + intro + block + "\n"
    BENCHMARKS_MD.write_text(text, encoding="utf-8")
    print(f"Wrote the results into {BENCHMARKS_MD.relative_to(ROOT)}.")
