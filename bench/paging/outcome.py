"""What became of the benchmark's requests: read back from the database
(``python -m bench.paging.db collect``) and matched with what the SMTP sink received."""

from __future__ import annotations

import datetime
import json
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bench.common import run_quietly
from bench.paging.people import Post

Collected = dict[str, Any]  # requests, pages, events and e-mails; see bench/paging/db.py
Received = list[dict[str, Any]]  # the SMTP sink's records; see bench/smtp_sink.py


def collect(environ: dict[str, str], pks: Sequence[str]) -> Collected:
    if not pks:
        return {"requests": [], "pages": [], "events": [], "emails": []}
    output = run_quietly([sys.executable, "-m", "bench.paging.db", "collect", *pks], environ)
    data: Collected = json.loads(output)
    wanted = set(pks)
    data["requests"] = [r for r in data["requests"] if r["pk"] in wanted]
    for key in ("pages", "events", "emails"):
        data[key] = [item for item in data[key] if item["request"] in wanted]
    return data


def seconds_of(text: str | None) -> float:
    return datetime.datetime.fromisoformat(text).timestamp() if text else math.nan


def first_arrivals(collected: Collected, received: Received, step: int) -> dict[str, float]:
    """Per request, when the SMTP sink had the first e-mail of ``step`` (of loop 0)."""
    arrived = {r["message_id"]: r["at"] for r in received}
    first: dict[str, float] = {}
    for email in collected["emails"]:
        if (email["step"], email["loop"]) == (step, 0) and email["provider_id"] in arrived:
            at = arrived[email["provider_id"]]
            first[email["request"]] = min(first.get(email["request"], math.inf), at)
    return first


@dataclass
class Delivery:
    """First pages of a set of requests: from ``requested_at``, and from the click, to
    the first e-mail."""

    accepted: int
    smtp: list[float]  # seconds from requested_at to the SMTP server's receipt of the first e-mail
    from_click: list[float]  # the same, from the client's sending of the POST
    from_response: list[float]  # the same, from the client's receipt of the POST's answer
    to_response: list[float]  # from ``requested_at`` to the client's receipt of the answer
    sent_at: list[float]  # seconds to the first e-mail row's ``sent_at``
    without_page: int  # no Page row at all
    without_email: int  # no e-mail arrived
    committed_over: float  # seconds from the first to the last ``requested_at``
    emails: int
    retried: int  # e-mail rows with more than one attempt
    not_sent: int  # e-mail rows of the first step not "sent"


def delivery(collected: Collected, received: Received, posts: Sequence[Post] = ()) -> Delivery:
    first_smtp = first_arrivals(collected, received, 0)
    first_emails = [e for e in collected["emails"] if (e["step"], e["loop"]) == (0, 0)]
    first_sent: dict[str, float] = {}
    for email in first_emails:
        if email["sent_at"]:
            at = seconds_of(email["sent_at"])
            first_sent[email["request"]] = min(first_sent.get(email["request"], math.inf), at)
    requested = {r["pk"]: seconds_of(r["requested_at"]) for r in collected["requests"]}
    paged = {p["request"] for p in collected["pages"]}
    mailed = [p for p in posts if p.pk is not None and p.pk in first_smtp]
    return Delivery(
        accepted=len(requested),
        smtp=[first_smtp[pk] - at for pk, at in requested.items() if pk in first_smtp],
        from_click=[first_smtp[p.pk] - p.sent for p in mailed if p.pk],
        from_response=[first_smtp[p.pk] - p.answered for p in mailed if p.pk],
        to_response=[p.answered - requested[p.pk] for p in posts if p.pk in requested],
        sent_at=[first_sent[pk] - at for pk, at in requested.items() if pk in first_sent],
        without_page=sum(pk not in paged for pk in requested),
        without_email=sum(pk not in first_smtp for pk in requested),
        committed_over=(max(requested.values()) - min(requested.values())) if requested else 0,
        emails=len(first_emails),
        retried=sum(e["attempts"] > 1 for e in first_emails),
        not_sent=sum(e["status"] != "sent" for e in first_emails),
    )


@dataclass
class Lateness:
    step: int  # 0-based step index of the policy
    due: int  # requests for which the step was due
    fired: int  # of which the step fired (an event: paged, alerted or skipped)
    recorded: list[float]  # Event.at - deadline
    delivered: list[float]  # first e-mail of the step at the SMTP server - deadline


def lateness(collected: Collected, received: Received, step: int, delay_minutes: int) -> Lateness:
    """How late step ``step`` (of loop 0) fired after its deadline, for every request
    that was still open at the deadline."""
    deadline = {}
    for request in collected["requests"]:
        due = seconds_of(request["requested_at"]) + step * delay_minutes * 60
        if not request["closed_at"] or seconds_of(request["closed_at"]) > due:
            deadline[request["pk"]] = due
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
    first_mail = first_arrivals(collected, received, step)
    return Lateness(
        step=step,
        due=len(deadline),
        fired=len(fired),
        recorded=[at - deadline[pk] for pk, at in fired.items()],
        delivered=[at - deadline[pk] for pk, at in first_mail.items() if pk in deadline],
    )


def states_on_time(collected: Collected, delay_minutes: int) -> tuple[int, int]:
    """(open requests at step 1, of which ``next_escalation_at`` = requested_at + delay)."""
    at_step, exact = 0, 0
    for request in collected["requests"]:
        state = request["state"]
        if state and state["step_index"] == 1 and state["loop_count"] == 0:
            at_step += 1
            expected = seconds_of(request["requested_at"]) + delay_minutes * 60
            exact += abs(seconds_of(state["next_escalation_at"]) - expected) < 0.001
    return at_step, exact
