"""What the drill measured, from the clients' posts, the database and the SMTP sink's
record: requests accepted, requests without a page, duplicate sends, first-page
latency from the client's first press, and POST throughput."""

from __future__ import annotations

import heapq
import json
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.common import percentile
from bench.hosts.balancer import Post

SLOWEST = 8


def sink_records(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def first_arrivals(
    collected: dict[str, Any], records: Sequence[dict[str, Any]]
) -> dict[str, float]:
    """Request (public id): when the SMTP sink had its first e-mail, whichever step."""
    arrived: dict[str, float] = {}
    for record in records:
        arrived.setdefault(record["message_id"], record["at"])
    first: dict[str, float] = {}
    for email in collected["emails"]:
        at = arrived.get(email["provider_id"] or "")
        if at is not None:
            first[email["request"]] = min(first.get(email["request"], math.inf), at)
    return first


@dataclass(frozen=True)
class Window:
    """The requests whose first press fell between two moments of the burst."""

    name: str
    start: float
    end: float


@dataclass
class Burst:
    posts: list[Post]
    accepted: int
    failed: int  # POSTs no host accepted
    pressed_again: int  # POSTs that took more than one attempt
    without_page: int  # accepted requests with no Page row
    without_email: int  # accepted requests whose first e-mail never arrived
    emails: int  # e-mail rows of the burst's requests, every step
    deliveries: int  # e-mails of those rows that the SMTP sink had
    duplicates: int  # deliveries of a Message-ID the sink already had
    first_page: dict[str, list[float]]  # window name: seconds from first press to e-mail
    # the same, from the press that was answered (without the balancer's failing over)
    from_answered_press: dict[str, list[float]]
    post_seconds: list[float]  # first press to the answer that was accepted
    slowest: list[tuple[float, Post]]  # the slowest first pages, with their posts
    # first-page seconds of the requests one of whose e-mail rows took a second attempt
    # (the sink refuses nothing: rows a killed engine was sending, taken over)
    taken_over: list[float]


def burst(
    posts: list[Post],
    collected: dict[str, Any],
    records: Sequence[dict[str, Any]],
    windows: Sequence[Window],
) -> Burst:
    accepted = {p.pk: p for p in posts if p.pk is not None}
    paged = {page["request"] for page in collected["pages"]}
    first = first_arrivals(collected, records)
    ours = {e["provider_id"] for e in collected["emails"] if e["provider_id"]}
    delivered = Counter(r["message_id"] for r in records if r["message_id"] in ours)
    latency = {pk: first[pk] - post.sent for pk, post in accepted.items() if pk in first}
    answered = {
        pk: first[pk] - post.attempts[-1].started for pk, post in accepted.items() if pk in first
    }
    return Burst(
        posts=posts,
        accepted=len(accepted),
        failed=sum(p.pk is None for p in posts),
        pressed_again=sum(len(p.attempts) > 1 for p in posts),
        without_page=sum(pk not in paged for pk in accepted),
        without_email=sum(pk not in first for pk in accepted),
        emails=len(collected["emails"]),
        deliveries=sum(delivered.values()),
        duplicates=sum(count - 1 for count in delivered.values()),
        first_page={w.name: _within(w, latency, accepted) for w in windows},
        from_answered_press={w.name: _within(w, answered, accepted) for w in windows},
        post_seconds=[p.answered - p.sent for p in accepted.values()],
        slowest=heapq.nlargest(
            SLOWEST, ((s, accepted[pk]) for pk, s in latency.items()), key=lambda x: x[0]
        ),
        taken_over=sorted(
            latency[pk]
            for pk in {e["request"] for e in collected["emails"] if e["attempts"] > 1}
            if pk in latency
        ),
    )


def _within(window: Window, seconds: dict[str, float], posts: dict[str, Post]) -> list[float]:
    return [s for pk, s in seconds.items() if window.start <= posts[pk].sent < window.end]


@dataclass
class Throughput:
    hosts: list[str]
    posts: list[Post]
    seconds: float  # first press to last answer
    cpu: dict[str, float]  # role: CPU seconds used during the run
    machine_cpu: float  # CPU seconds of every process of the machine during the run
    wall: float  # the run's seconds, over which the CPU was measured
    load: float  # the machine's load average (1 minute) at the run's end

    @property
    def accepted(self) -> int:
        return sum(p.pk is not None for p in self.posts)

    @property
    def rate(self) -> float:
        return self.accepted / self.seconds if self.seconds else math.nan

    def latency(self, fraction: float) -> float:
        return percentile([p.answered - p.sent for p in self.posts if p.pk], fraction)
