"""The drill's results as a section of BENCHMARKS.md (between its hosts markers)."""

from __future__ import annotations

import argparse
import datetime
import math
import platform
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bench.common import cpu_model, nproc, percentile, versions
from bench.hosts import services

if TYPE_CHECKING:
    from bench.hosts.drill import Run

GOAL_SECONDS = 1.0
NONE = "-"


def _s(value: float) -> str:
    return NONE if math.isnan(value) else f"{value:.3f}"


def _met(ok: bool) -> str:
    return "met" if ok else "**missed**"


def _at(run: Run, moment: float) -> str:
    return f"{moment - run.burst_started:.1f} s"


def section(run: Run, options: argparse.Namespace, command: str, load: Sequence[float]) -> str:
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    burst = run.burst
    down = burst.first_page["while a host was down"]
    p99_down = percentile(down, 0.99)
    lines = [
        f"Measured {now} with `{command}` (as root).",
        "",
        f"- Machine: {nproc()} CPUs ({cpu_model()}) for every host, the clients and whatever "
        f"else ran on it; Python {platform.python_version()}, "
        f"{versions('django', 'granian', 'httpx', 'psycopg', 'aiosmtpd')}. Load average "
        "before the run: " + " ".join(f"{figure:.2f}" for figure in load) + ".",
        f"- Hosts: PostgreSQL on db; granian on web1 and web2 ({services.WORKERS} worker, "
        f"{services.BLOCKING_THREADS} blocking threads each, as `make run` serves); "
        "`manage.py engine` on engine1 and engine2; the SMTP sink on mail.",
        f"- People: {options.teams} teams, {run.people} signed-in telecommunicators, each "
        "reaching out once per run; each team's first step pages its on-call peer by e-mail.",
        "",
        "#### Goals",
        "",
        "| goal | result |",
        "|---|---|",
        f"| requests accepted | {burst.accepted} of {len(burst.posts)} "
        f"({burst.pressed_again} needed a second press) |",
        f"| requests without a page: 0 | {burst.without_page} "
        f"({burst.without_email} without an e-mail), "
        f"{_met(burst.without_page == 0 and burst.accepted == len(burst.posts))} |",
        f"| duplicate sends: 0 | {burst.duplicates} "
        f"(of {burst.deliveries} e-mails delivered), {_met(burst.duplicates == 0)} |",
        f"| first page p99 ≤ 1 s while a host is down | {_s(p99_down)} s over {len(down)} "
        f"requests, {_met(bool(down) and p99_down <= GOAL_SECONDS)} |",
    ]
    if len(run.throughput) == 2:
        one, two = run.throughput
        lines.append(
            f"| throughput, two web hosts ÷ one | {one.rate:.1f} → {two.rate:.1f} POST/s, "
            f"{two.rate / one.rate:.2f} times |"
        )
    lines += [
        "",
        "#### The burst",
        "",
        f"{len(burst.posts)} Reach out POSTs by as many telecommunicators, planned evenly "
        f"over {options.burst_seconds:g} s, in turn to the web hosts the balancer held up. "
        "What happened, in seconds from the burst's start:",
        "",
    ]
    timeline = [(fault.done_at, fault.what) for fault in run.faults]
    timeline += [
        (change.at, f"the balancer {'put' if change.up else 'took'} {change.host} "
         f"{'back' if change.up else 'out'} ({change.why})")
        for change in run.changes
    ]  # fmt: skip
    lines += [f"- {_at(run, at)}: {what}" for at, what in sorted(timeline)]
    lines += [
        "",
        "First page: seconds from the client's first press (the POST leaving the client) to "
        "the SMTP sink having the request's first e-mail, by when the press was made; and, "
        "for the requests pressed again, from the press that was answered (the part that "
        "is Backline's, without the balancer's wait for a host that did not answer).",
        "",
        "| requests pressed | n | p50 | p95 | p99 | max | from the answered press: p99 | max |",
        "|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for window in run.windows:
        values = burst.first_page[window.name]
        answered = burst.from_answered_press[window.name]
        lines.append(
            f"| {window.name} | {len(values)} | {_s(percentile(values, 0.5))} "
            f"| {_s(percentile(values, 0.95))} | {_s(percentile(values, 0.99))} "
            f"| {_s(max(values, default=math.nan))} | {_s(percentile(answered, 0.99))} "
            f"| {_s(max(answered, default=math.nan))} |"
        )
    lines += [
        "",
        f"The {len(burst.slowest)} slowest first pages: when the press was made, the seconds "
        "to the first e-mail, and each press (host, outcome, seconds it took):",
        "",
    ]
    lines += [
        f"- {_at(run, post.sent)}: {seconds:.3f} s; "
        + ", ".join(f"{a.host} {a.outcome} {a.seconds:.3f} s" for a in post.attempts)
        for seconds, post in burst.slowest
    ]
    posted = burst.post_seconds
    taken_over = ", ".join(f"{seconds:.3f}" for seconds in burst.taken_over) or NONE
    lines += [
        "",
        f"Requests with an e-mail row that took a second attempt (the rows an engine was "
        f"sending when it was killed, taken over by the other): {len(burst.taken_over)}; "
        f"seconds from their press to their first e-mail: {taken_over}.",
        "",
        f"The press to its accepted answer: p50 {_s(percentile(posted, 0.5))} s, p99 "
        f"{_s(percentile(posted, 0.99))} s, max {_s(max(posted, default=math.nan))} s. "
        f"{burst.failed} POSTs got no answer; {run.killed} process(es) were killed. "
        f"E-mail rows of the burst's requests (every step that fell due): {burst.emails}; "
        f"the drill found every first e-mail {run.waited:.0f} s after the burst's last "
        "answer. Error lines in the hosts' logs: "
        + ", ".join(f"{host} {count}" for host, count in run.errors.items())
        + ".",
    ]
    if run.throughput:
        lines += [
            "",
            "#### Throughput: one web host, then two",
            "",
            f"Every telecommunicator reaches out once, {options.concurrency} clients back to "
            "back, through the balancer to the web hosts named; both engines send the pages "
            "meanwhile. CPU seconds used during the run, by role; the busy share of the "
            f"machine's {nproc()} CPUs (by every process on it), and its load average at the "
            "run's end.",
            "",
            "| web hosts | accepted | seconds | POST/s | POST p50 s | p99 s | web CPU "
            "| web CPU ms/POST | engine CPU | database CPU | machine busy | load average |",
            "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
        ]
        for t in run.throughput:
            busy = t.machine_cpu / (t.wall * nproc()) if t.wall else math.nan
            lines.append(
                f"| {' + '.join(t.hosts)} | {t.accepted} | {t.seconds:.1f} | {t.rate:.1f} "
                f"| {_s(t.latency(0.5))} | {_s(t.latency(0.99))} | {t.cpu['web']:.1f} "
                f"| {t.cpu['web'] * 1000 / max(1, t.accepted):.1f} "
                f"| {t.cpu['engine']:.1f} | {t.cpu['database']:.1f} | {busy:.0%} "
                f"| {t.load:.1f} |"
            )
    return "\n".join(lines) + "\n"
