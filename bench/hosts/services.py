"""The processes on the drill's hosts: the SMTP sink, granian as ``make run`` serves
Backline, and the paging engine; each in its own process group, its output in a log."""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench.common import BASELINE_PATH, ROOT, process_tree, stop, wait_until_ready
from bench.hosts.network import Host

WEB_PORT = 8000
SMTP_PORT = 2525
# as scripts/run.sh (`make run`) serves: one worker, four blocking threads
WORKERS = 1
BLOCKING_THREADS = 4


@dataclass
class Service:
    role: str  # "web", "engine", "mail"
    host: Host
    process: subprocess.Popen[bytes]
    log: Path

    def pids(self) -> list[int]:
        return process_tree(self.process.pid)

    def stop(self) -> None:
        stop(self.process)

    def error_lines(self) -> list[str]:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return [line for line in text.splitlines() if "Traceback" in line or "ERROR" in line]


def _launch(role: str, host: Host, argv: list[str], environ: dict[str, str], logs: Path) -> Service:
    log = logs / f"{host.name}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            host.command(argv), cwd=ROOT, env=environ, stdout=output,
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    return Service(role, host, process, log)


def _wait_for_line(service: Service, text: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while text not in service.log.read_text(errors="replace"):
        if service.process.poll() is not None or time.monotonic() > deadline:
            sys.stderr.write(service.log.read_text(errors="replace"))
            raise SystemExit(f"{service.role} on {service.host.name} did not start")
        time.sleep(0.1)


def mail(host: Host, environ: dict[str, str], logs: Path, record: Path) -> Service:
    argv = [sys.executable, "-m", "bench.hosts.mail", host.address, str(SMTP_PORT), str(record)]
    service = _launch("mail", host, argv, environ, logs)
    _wait_for_line(service, "SMTP sink on")
    return service


def web(host: Host, environ: dict[str, str], logs: Path) -> Service:
    argv = [
        sys.executable, "-m", "granian", "--interface", "wsgi", "--host", host.address,
        "--port", str(WEB_PORT), "--workers", str(WORKERS), "--blocking-threads",
        str(BLOCKING_THREADS), "--no-ws", "--log-level", "warning", "backline.wsgi:application",
    ]  # fmt: skip
    service = _launch("web", host, argv, environ, logs)
    wait_until_ready(service.process, url(host) + BASELINE_PATH, service.log)
    return service


def engine(host: Host, environ: dict[str, str], logs: Path) -> Service:
    service = _launch("engine", host, [sys.executable, "manage.py", "engine"], environ, logs)
    _wait_for_line(service, "running")
    return service


def url(host: Host) -> str:
    return f"http://{host.address}:{WEB_PORT}"
