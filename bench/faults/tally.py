"""What a drill's burst came to, counted from three independent accounts: what each
person's browser was answered, what the database holds (``bench/faults/db.py``
``collect``), and what the mail server received (``bench/faults/sink.py``).

A *page e-mail* is one page's link: the drill's policy pages one peer once per request,
so each request should have exactly one. It is **delivered** when the mail server
received a message carrying that link, whatever the outbox recorded, and **lost** when
it was not while its request is still open (the drill closes none): either *given up*
(no outbox row for it waits any more) or *still waiting* when the drill stopped looking.

An outbox row is known at the mail server by its address and its link, not by its
``Message-ID``, so that a resend with a new ``Message-ID`` is seen as a resend: a row
the server received more than once was **resent**, and its copies either all carry the
first copy's ``Message-ID`` or not.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from bench.faults.people import ACCEPTED, Post

OPEN = "open"
WAITING = {"pending", "sending"}


@dataclass
class Tally:
    posts: Counter[str] = field(default_factory=Counter)  # outcome: how many POSTs
    samples: dict[str, str] = field(default_factory=dict)  # outcome: what one looked like
    refused_at: list[float] = field(default_factory=list)  # when each not accepted was sent
    requests: int = 0  # requests the database holds for the burst's people
    accepted_lost: int = 0  # accepted POSTs without their request, a page or an e-mail row
    refused_but_made: int = 0  # not accepted, yet the person has a new request
    pages: int = 0  # page e-mails (links) of the burst's requests
    delivered: int = 0
    given_up: int = 0
    still_waiting: int = 0
    undelivered_closed: int = 0  # not delivered, but the request is no longer open
    rows: int = 0  # e-mail outbox rows
    statuses: Counter[str] = field(default_factory=Counter)  # rows by final status
    attempts: Counter[int] = field(default_factory=Counter)  # rows by attempts made
    arrivals: int = 0  # messages the mail server received for these rows
    resent_rows: int = 0  # rows received more than once
    extra_copies: int = 0  # copies beyond each row's first
    resent_same_id: int = 0  # resent rows whose copies all carry the first Message-ID
    resent_other_id: int = 0  # resent rows with a copy under another Message-ID
    unanswered: int = 0  # messages whose sender vanished before the server's reply
    first_arrivals: list[float] = field(default_factory=list)  # each delivered page's first

    @property
    def lost(self) -> int:
        return self.given_up + self.still_waiting

    def last_delivery_after(self, moment: float) -> float:
        """Seconds from ``moment`` to the last first arrival (NaN when none came after)."""
        later = [at for at in self.first_arrivals if at >= moment]
        return max(later) - moment if later else math.nan

    def delivered_after(self, moment: float) -> int:
        return sum(at >= moment for at in self.first_arrivals)


def tally(posts: list[Post], collected: dict[str, Any], sink: list[dict[str, Any]]) -> Tally:
    result = Tally()
    for post in posts:
        result.posts[post.outcome] += 1
        if post.outcome != ACCEPTED:
            result.samples.setdefault(post.outcome, post.detail)
            result.refused_at.append(post.sent)
    requests = {r["id"]: r for r in collected["requests"]}
    result.requests = len(requests)
    rows_of: dict[str, list[dict[str, Any]]] = {}
    for row in collected["emails"]:
        rows_of.setdefault(row["request"], []).append(row)
    made_by = {r["requester"] for r in requests.values()}
    for post in posts:
        if post.outcome == ACCEPTED:
            request = requests.get(post.request or "")
            result.accepted_lost += not (
                request and request["paged"] and rows_of.get(request["id"])
            )
        else:
            result.refused_but_made += post.person.email in made_by

    received: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for record in sink:
        if "unanswered" in record:
            result.unanswered += 1
            continue
        for address in record["to"]:
            for link in record["links"]:
                received.setdefault((address, link), []).append(record)
    by_link: dict[str, list[dict[str, Any]]] = {}
    for row in collected["emails"]:
        by_link.setdefault(row["link"], []).append(row)
        result.rows += 1
        result.statuses[row["status"]] += 1
        result.attempts[row["attempts"]] += 1
    for key in {(row["address"], row["link"]) for row in collected["emails"]}:
        copies = sorted(received.get(key, []), key=lambda r: r["at"])
        result.arrivals += len(copies)
        if len(copies) > 1:
            result.resent_rows += 1
            result.extra_copies += len(copies) - 1
            same = all(c["message_id"] == copies[0]["message_id"] for c in copies)
            result.resent_same_id += same
            result.resent_other_id += not same
    arrived_by_link: dict[str, float] = {}
    for (_, link), copies in received.items():
        first = min(c["at"] for c in copies)
        arrived_by_link[link] = min(arrived_by_link.get(link, math.inf), first)
    for link, rows in by_link.items():
        result.pages += 1
        if link in arrived_by_link:
            result.delivered += 1
            result.first_arrivals.append(arrived_by_link[link])
        elif requests[rows[0]["request"]]["status"] != OPEN:
            result.undelivered_closed += 1
        elif any(row["status"] in WAITING for row in rows):
            result.still_waiting += 1
        else:
            result.given_up += 1
    return result
