"""The Django side of the paging benchmark (``bench/paging/``): builds its teams, counts
queries, and reads the outcome back. Run in its own process against the benchmark's
database::

    python -m bench.paging.db setup TEAMS TELECOMS_PER_TEAM PASSWORD
    python -m bench.paging.db queries EMAIL
    python -m bench.paging.db collect PUBLIC_ID...

Each command prints one JSON object. ``setup`` makes the teams (``bench/paging/teams.py``).

``queries`` counts the database queries of one Reach out POST (Django's test client,
signed in as EMAIL), and of the engine's tick that sends its page (with a transport
that only records), then cancels the request; the server being timed carries no
counting code. ``collect`` reads the requests named by public id with their escalation
state, pages, events and e-mail outbox rows; each e-mail carries the step and loop of
the page it was sent for, read from the ``Page`` row its link names.
"""

from __future__ import annotations

import json
import secrets
import sys
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import django

from backline.notify.transport import Envelope, Sent  # plain values: no Django set-up needed


class RecordingTransport:
    """Counts what it is given to send, and sends nothing."""

    def __init__(self) -> None:
        self.sent = 0

    def send(self, envelope: Envelope) -> Sent:
        self.sent += 1
        return Sent(provider_id=envelope.key)


def queries(email: str) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from backline.accounts.models import User
    from backline.engine.loop import tick
    from backline.notify import registry
    from backline.notify.models import Channel
    from backline.support import lifecycle
    from backline.support.models import SupportRequest

    user = User.objects.get(email=email)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    client.get("/support/reach-out/")  # warm caches, as bench.queries does
    tick()  # the engine's first tick (nothing due yet) warms its own caches
    with CaptureQueriesContext(connection) as post:
        form = {"urgency": "now", "contact": "call", "phone": "other"}
        form |= {"callback_number": "+13195550142", "once": secrets.token_urlsafe(32)}
        response = client.post("/support/reach-out/", form)
    if response.status_code != 302:
        raise SystemExit(f"the Reach out POST answered HTTP {response.status_code}")
    transport = RecordingTransport()
    previous = registry.register(Channel.EMAIL, transport)
    try:
        with CaptureQueriesContext(connection) as engine:
            result = tick()
    finally:
        registry.register(Channel.EMAIL, previous)
    request = SupportRequest.objects.get(requester=user, status="open")
    lifecycle.cancel(request)
    return {
        "post": len(post.captured_queries),
        "post_sql": [q["sql"][:160] for q in post.captured_queries],
        "tick": len(engine.captured_queries),
        "tick_sql": [q["sql"][:160] for q in engine.captured_queries],
        "tick_sent": result.done["deliver"],
        "tick_emails": transport.sent,
    }


def collect(refs: list[str]) -> dict[str, Any]:
    """Every request named by its public id, with its pages, events and e-mails; each
    keyed by the public id, as the benchmark knows requests from their URLs."""
    from backline.notify.models import Channel, OutgoingMessage
    from backline.support.models import EscalationState, Event, Page, SupportRequest

    requests = list(
        SupportRequest.objects.filter(public_id__in=refs)
        .order_by("pk")
        .values("pk", "public_id", "region_id", "requested_at", "status", "closed_at")
    )
    pks = [r["pk"] for r in requests]
    ref_of = {r["pk"]: r["public_id"] for r in requests}
    states = {
        s["request_id"]: s
        for s in EscalationState.objects.filter(request_id__in=pks).values(
            "request_id", "step_index", "loop_count", "next_escalation_at"
        )
    }
    pages = list(
        Page.objects.filter(request_id__in=pks).values(
            "request_id", "link_id", "step_index", "loop_count", "paged_at"
        )
    )
    events = Event.objects.filter(request_id__in=pks).values(
        "request_id", "kind", "step_index", "at"
    )
    keys = {f"support-request:{pk}": ref_of[pk] for pk in pks}
    emails = OutgoingMessage.objects.filter(
        group_key__in=list(keys), channel=Channel.EMAIL
    ).values(
        "group_key", "link", "status", "attempts", "created_at", "sent_at", "provider_id",
        "last_error",
    )  # fmt: skip
    page_of_link = {p["link_id"]: p for p in pages}
    return {
        "requests": [_request(r, states.get(r["pk"])) for r in requests],
        "pages": [_page(p, ref_of[p["request_id"]]) for p in pages],
        "events": [
            {
                "request": ref_of[e["request_id"]],
                "kind": e["kind"],
                "step": e["step_index"],
                "at": _iso(e["at"]),
            }
            for e in events
        ],
        "emails": [
            _email(m, keys[m["group_key"]], page_of_link.get(linked_page(m["link"]) or ""))
            for m in emails
        ],
    }


def linked_page(link: str) -> str | None:
    """The ``link_id`` of the page (or coordinator's alert) a notification links to."""
    from django.urls import Resolver404, resolve

    try:
        match = resolve(urlsplit(link).path)
    except Resolver404:
        return None
    if match.view_name not in {"support:page", "support:alert"}:
        return None
    return str(match.kwargs["token"])


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def _request(row: Mapping[str, Any], state: Mapping[str, Any] | None) -> dict[str, Any]:
    return {
        "pk": row["public_id"],
        "region": row["region_id"],
        "requested_at": _iso(row["requested_at"]),
        "status": row["status"],
        "closed_at": _iso(row["closed_at"]),
        "state": {
            "step_index": state["step_index"],
            "loop_count": state["loop_count"],
            "next_escalation_at": _iso(state["next_escalation_at"]),
        }
        if state
        else None,
    }


def _page(row: Mapping[str, Any], request: str) -> dict[str, Any]:
    return {
        "request": request,
        "step": row["step_index"],
        "loop": row["loop_count"],
        "at": _iso(row["paged_at"]),
    }


def _email(row: Mapping[str, Any], request: str, page: Mapping[str, Any] | None) -> dict[str, Any]:
    """An e-mail row, with the step and loop of its page (None for either when the
    e-mail is no page's, or its page was sent again outside the steps)."""
    return {
        "request": request,
        "step": page["step_index"] if page else None,
        "loop": page["loop_count"] if page else None,
        "status": row["status"],
        "attempts": row["attempts"],
        "created_at": _iso(row["created_at"]),
        "sent_at": _iso(row["sent_at"]),
        "provider_id": row["provider_id"],
        "error": row["last_error"],
    }


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"setup", "queries", "collect"}:
        print(__doc__, file=sys.stderr)
        return 2
    django.setup()
    command, args = argv[0], argv[1:]
    if command == "setup":
        from bench.paging import teams

        result = teams.setup(int(args[0]), int(args[1]), args[2])
    elif command == "queries":
        result = queries(args[0])
    else:
        result = collect(args)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
