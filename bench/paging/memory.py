"""The memory of the engine(s) and of granian's workers, sampled from ``/proc`` through
a phase of the benchmark, and its table in the report."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bench.common import MemorySampler, ProcessMemory, mib
from bench.paging.figures import GOAL_MIB, NONE, met, row, slope_per_minute
from bench.paging.servers import DATABASES


@dataclass
class Memory:
    """What the samplers saw through one phase."""

    processes: list[ProcessMemory] = field(default_factory=list)
    peaks: dict[int, int] = field(default_factory=dict)  # pid: KiB
    history: dict[int, list[tuple[float, float]]] = field(default_factory=dict)  # (s, MiB)


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

    def stop(self) -> Memory:
        for sampler in self.samplers:
            sampler.stop()
        return Memory(self.processes, self.peaks(), self.history())

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


def goal(burst: Memory, soak: Memory | None) -> str:
    """The goal's cell: the highest peak of the engine and of each web worker."""
    soak_peaks = soak.peaks if soak else {}
    peaks: dict[str, list[int]] = {"engine": [], "worker": []}
    for memory in burst.processes:
        if memory.role in peaks:
            peaks[memory.role].append(
                max(burst.peaks.get(memory.pid, 0), soak_peaks.get(memory.pid, 0))
            )
    engine, workers = max(peaks["engine"], default=0), peaks["worker"]
    ok = engine <= GOAL_MIB * 1024 and all(w <= GOAL_MIB * 1024 for w in workers)
    return (
        f"engine {mib(engine)}; workers " + ", ".join(mib(w) for w in workers) + f" MiB, {met(ok)}"
    )


def section(runs: Sequence[tuple[str, Memory, Memory | None]]) -> list[str]:
    """The memory table: for each database, what the burst's and the soak's samplers saw."""
    lines = [
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
    for kind, burst, soak in runs:
        for memory in sorted(burst.processes, key=lambda m: (m.role != "engine", m.pid)):
            if memory.role != "main":  # granian's main process serves nothing
                lines.append(_process_row(DATABASES[kind], memory, burst, soak))
    return lines


def _process_row(database: str, memory: ProcessMemory, burst: Memory, soak: Memory | None) -> str:
    history = soak.history.get(memory.pid, []) if soak else []
    half = [(t, m) for t, m in history if t >= history[-1][0] / 2]
    soaked = soak is not None and any(p.pid == memory.pid for p in soak.processes)
    return row(
        database,
        "engine" if memory.role == "engine" else "web worker",
        mib(memory.start_rss_kib),
        mib(memory.setup_peak_kib),
        mib(memory.load_start_rss_kib),
        mib(burst.peaks.get(memory.pid)),
        f"{history[0][1]:.1f}" if history else NONE,
        f"{history[-1][1]:.1f}" if history else NONE,
        mib(soak.peaks.get(memory.pid)) if soak and soaked else NONE,
        slope_per_minute(history),
        slope_per_minute(half),
    )
