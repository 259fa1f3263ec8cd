"""The drill's child processes: each in a session of its own, so that the drill alone
decides when one stops (a Ctrl-C at the terminal reaches only the drill, which then
stops them all), started again as often as a scenario wants.

``on_signals_unwind`` turns SIGTERM and SIGHUP into ``KeyboardInterrupt`` as SIGINT
already is, once, so that every ``finally`` and context manager of the drill runs and
nothing is left behind: not a process, not the PostgreSQL cluster.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType

from bench.common import spawn, stop


class Child:
    """A command that runs, is stopped or killed, and runs again: ``start`` waits until
    ``ready`` shows in its output, which goes to ``log`` (appended, across restarts)."""

    def __init__(
        self, name: str, command: list[str], environ: dict[str, str], log: Path, ready: str
    ) -> None:
        self.name = name
        self.command = command
        self.environ = environ
        self.log = log
        self.ready = ready
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    @property
    def pid(self) -> int:
        assert self.process is not None, f"{self.name} was never started"
        return self.process.pid

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self, timeout: float = 120) -> Child:
        assert not self.alive(), f"{self.name} is running already"
        offset = self.log.stat().st_size if self.log.exists() else 0
        with self.log.open("ab") as output:
            self.process = spawn(self.command, self.environ, output)
        self.starts += 1
        deadline = time.monotonic() + timeout
        while self.ready not in self._output_since(offset):
            if self.process.poll() is not None or time.monotonic() > deadline:
                sys.stderr.write(self._output_since(offset))
                self.stop()
                raise SystemExit(f"{self.name} did not start: {' '.join(self.command)}")
            time.sleep(0.05)
        return self

    def _output_since(self, offset: int) -> str:
        with self.log.open("rb") as output:
            output.seek(offset)
            return output.read().decode(errors="replace")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """Stops it and its children (``sig``, then SIGKILL after 15 s); it may be dead."""
        if self.process is not None:
            stop(self.process, sig)

    def kill(self) -> None:
        """SIGKILL, as a crash or the kernel's OOM killer would: no clean-up at all."""
        self.stop(signal.SIGKILL)


def on_signals_unwind() -> None:
    def unwind(signum: int, frame: FrameType | None) -> None:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)  # let the clean-up finish
        print(f"\n{signal.Signals(signum).name}: stopping and cleaning up", file=sys.stderr)
        raise KeyboardInterrupt

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, unwind)
