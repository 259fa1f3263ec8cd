"""Engines as real processes (``manage.py engine``) against the test database, and a
wait for what they do."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent.parent


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT']}/{db['NAME']}"
    return f"sqlite:///{db['NAME']}"


def engine_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BACKLINE_")}
    env.update(
        DATABASE_URL=database_url(),
        BACKLINE_FIELD_KEYS=",".join(settings.BACKLINE_FIELD_KEYS),
        BACKLINE_DATA_DIR=str(settings.DATA_DIR),
        BACKLINE_SENDING_DEADLINE_SECONDS="2",
        DJANGO_SECRET_KEY=settings.SECRET_KEY,
    )
    env.update(extra)
    return env


class Engine:
    def __init__(self, **env: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "engine", "--poll", "0.1"],
            cwd=ROOT,
            env=engine_env(**env),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 10) -> str:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        output, _ = self.process.communicate(timeout=timeout)
        return output


def eventually(check: Callable[[], bool], timeout: float = 15, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what or check}")
