"""The Django side of ``bench/paging.py``: builds its teams, counts queries, and reads
the outcome back. Run in its own process against the benchmark's database::

    python -m bench.paging_db setup TEAMS TELECOMS_PER_TEAM PASSWORD
    python -m bench.paging_db queries EMAIL
    python -m bench.paging_db collect PUBLIC_ID...

Each command prints one JSON object. ``setup`` makes, for each team (a region): an
agency, telecommunicators (no second factor needed), two or three peers and a
coordinator with a verified e-mail address each, a weekly rotation of the peers whose
current shift belongs to the first, every other peer "available now", and the team's
default escalation policy: (1) the rotation's on-call peer, 1 minute; (2) all available
peers, 1 minute; (3) the coordinator, 1 minute.

``queries`` counts the database queries of one Reach out POST (Django's test client,
signed in as EMAIL), and of the engine's tick that sends its page (with a transport
that only records), then cancels the request; the server being timed carries no
counting code. ``collect`` reads the requests named by public id with their escalation
state, pages, events and e-mail outbox rows.
"""

from __future__ import annotations

import json
import secrets
import sys
from datetime import time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import django

STEP_DELAY_MINUTES = 1
TIME_ZONE = "America/Chicago"
HANDOFF = time(8, 0)


def setup(teams: int, telecoms_per_team: int, password: str) -> dict[str, Any]:
    from django.db import transaction

    from backline.accounts import addresses
    from backline.accounts.models import Agency, Membership, Region, User
    from backline.accounts.roles import Role
    from backline.lib import clock
    from backline.notify.models import Channel, ContactMethod
    from backline.oncall.models import Availability, Rotation, RotationKind, RotationMember
    from backline.support.models import (
        EscalationPolicy,
        EscalationStep,
        StepTarget,
        TargetKind,
    )

    now = clock.now()
    probe = User()
    probe.set_password(password)
    password_hash = probe.password  # hashed once: Argon2 on purpose costs time and memory

    def person(email: str, name: str, region: Region, agency: Agency, *roles: Role) -> User:
        user = User.objects.create(email=email, full_name=name, password=password_hash)
        Membership.objects.bulk_create(
            Membership(user=user, region=region, agency=agency, role=role) for role in roles
        )
        addresses.record_verified(user)
        return user

    telecoms: list[list[Any]] = []
    counts = {"peers": 0, "available": 0, "coordinators": 0}
    local = now.astimezone(ZoneInfo(TIME_ZONE))
    first_day = local.date() - timedelta(days=0 if local.time() >= HANDOFF else 1)
    with transaction.atomic():
        for team in range(teams):
            region = Region.objects.create(name=f"Bench Team {team:03d}", slug=f"bench-{team:03d}")
            agency = Agency.objects.create(
                region=region, name=f"Bench {team:03d} 911", state="IA", time_zone=TIME_ZONE
            )
            for number in range(telecoms_per_team):
                email = f"tc{team:03d}-{number:03d}@bench.test"
                person(email, f"Caller {team}-{number}", region, agency, Role.TELECOMMUNICATOR)
                telecoms.append([email, team])
            peers = [
                person(
                    f"peer{team:03d}-{number}@bench.test",
                    f"Peer {team}-{number}",
                    region,
                    agency,
                    Role.TELECOMMUNICATOR,
                    Role.PEER,
                )
                for number in range(2 + team % 2)
            ]
            coordinator = person(
                f"coord{team:03d}@bench.test", f"Coordinator {team}", region, agency,
                Role.COORDINATOR,
            )  # fmt: skip
            ContactMethod.objects.bulk_create(
                ContactMethod(
                    user=someone,
                    channel=Channel.EMAIL,
                    label="work",
                    value=someone.email,
                    verified_at=now,
                )
                for someone in [*peers, coordinator]
            )
            rotation = Rotation.objects.create(
                region=region,
                name="Primary peer on call",
                kind=RotationKind.WEEKLY,
                time_zone=TIME_ZONE,
                starts_on=first_day,
                handoff_time=HANDOFF,
            )
            RotationMember.objects.bulk_create(
                RotationMember(rotation=rotation, user=peer, position=i)
                for i, peer in enumerate(peers)
            )
            Availability.objects.bulk_create(
                Availability(user=peer, until=now + timedelta(hours=12)) for peer in peers[1:]
            )
            policy = EscalationPolicy.objects.create(
                region=region, name="Bench", repeat=0, start_timeout_minutes=30, is_default=True
            )
            for order, (kind, extra) in enumerate(
                [
                    (TargetKind.ROTATION, {"rotation": rotation}),
                    (TargetKind.ALL_AVAILABLE, {}),
                    (TargetKind.COORDINATOR, {}),
                ]
            ):
                step = EscalationStep.objects.create(
                    policy=policy, order=order, delay_minutes=STEP_DELAY_MINUTES
                )
                StepTarget.objects.create(step=step, kind=kind, **extra)
            counts["peers"] += len(peers)
            counts["available"] += len(peers) - 1
            counts["coordinators"] += 1
    return {"telecoms": telecoms, **counts, "step_delay_minutes": STEP_DELAY_MINUTES}


class RecordingTransport:
    def __init__(self) -> None:
        self.sent = 0

    def send(self, message: Any, address: str) -> str:
        self.sent += 1
        return f"<counted-{self.sent}@bench>"


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

    def iso(value: Any) -> str | None:
        return value.isoformat() if value else None

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
    pages = Page.objects.filter(request_id__in=pks).values(
        "request_id", "step_index", "loop_count", "paged_at"
    )
    events = Event.objects.filter(request_id__in=pks).values(
        "request_id", "kind", "step_index", "at"
    )
    keys = {f"support-request:{pk}": ref_of[pk] for pk in pks}
    emails = OutgoingMessage.objects.filter(
        group_key__in=list(keys), channel=Channel.EMAIL
    ).values(
        "group_key", "idempotency_key", "status", "attempts", "created_at", "sent_at",
        "provider_id", "last_error",
    )  # fmt: skip
    return {
        "requests": [
            {
                "pk": r["public_id"],
                "region": r["region_id"],
                "requested_at": iso(r["requested_at"]),
                "status": r["status"],
                "closed_at": iso(r["closed_at"]),
                "state": {
                    "step_index": states[r["pk"]]["step_index"],
                    "loop_count": states[r["pk"]]["loop_count"],
                    "next_escalation_at": iso(states[r["pk"]]["next_escalation_at"]),
                }
                if r["pk"] in states
                else None,
            }
            for r in requests
        ],
        "pages": [
            {
                "request": ref_of[p["request_id"]],
                "step": p["step_index"],
                "loop": p["loop_count"],
                "at": iso(p["paged_at"]),
            }
            for p in pages
        ],
        "events": [
            {
                "request": ref_of[e["request_id"]],
                "kind": e["kind"],
                "step": e["step_index"],
                "at": iso(e["at"]),
            }
            for e in events
        ],
        "emails": [
            {
                "request": keys[m["group_key"]],
                "key": m["idempotency_key"],
                "status": m["status"],
                "attempts": m["attempts"],
                "created_at": iso(m["created_at"]),
                "sent_at": iso(m["sent_at"]),
                "provider_id": m["provider_id"],
                "error": m["last_error"],
            }
            for m in emails
        ],
    }


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"setup", "queries", "collect"}:
        print(__doc__, file=sys.stderr)
        return 2
    django.setup()
    command, args = argv[0], argv[1:]
    if command == "setup":
        result = setup(int(args[0]), int(args[1]), args[2])
    elif command == "queries":
        result = queries(args[0])
    else:
        result = collect(args)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
