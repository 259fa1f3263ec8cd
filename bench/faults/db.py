"""The Django side of the fault drill: builds its teams and reads the outcome back. Run
in its own process against the drill's database::

    python -m bench.faults.db setup TEAMS TELECOMS_PER_TEAM PASSWORD
    python -m bench.faults.db collect SINCE EMAIL...

Each command prints one JSON object. ``setup`` makes, for each team (a region): an
agency, telecommunicators, one peer with a verified e-mail contact method (the address
is the peer's sign-in address), and the team's default policy of one step that pages
that peer and then waits an hour, so that during a drill every page is a first page and
each request has exactly one page e-mail. ``collect`` reads the requests that the people
named by EMAIL made since SINCE (ISO 8601), with their pages and every e-mail outbox row
of each request: its address, link, status and attempts.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from typing import Any

import django

STEP_DELAY_MINUTES = 60  # longer than any drill: no second step fires
TIME_ZONE = "America/Chicago"


def setup(teams: int, telecoms_per_team: int, password: str) -> dict[str, Any]:
    from allauth.account.models import EmailAddress
    from django.db import transaction

    from backline.accounts.models import Agency, Membership, Region, User
    from backline.accounts.roles import Role
    from backline.lib import clock
    from backline.notify.models import Channel, ContactMethod
    from backline.support.models import EscalationPolicy, EscalationStep, StepTarget, TargetKind

    probe = User()
    probe.set_password(password)  # hashed once: Argon2 costs time and memory on purpose
    telecoms: list[tuple[str, int]] = []
    with transaction.atomic():
        for team in range(teams):
            region = Region.objects.create(name=f"Drill team {team:03d}", slug=f"drill-{team:03d}")
            agency = Agency.objects.create(
                region=region, name=f"Drill {team:03d} 911", state="IA", time_zone=TIME_ZONE
            )
            emails = [f"tc{team:03d}-{n:03d}@drill.test" for n in range(telecoms_per_team)]
            peer_email = f"peer{team:03d}@drill.test"
            users = User.objects.bulk_create(
                User(email=email, full_name=email.split("@")[0], password=probe.password)
                for email in [*emails, peer_email]
            )
            *callers, peer = users
            roles = [(user, Role.TELECOMMUNICATOR) for user in users] + [(peer, Role.PEER)]
            Membership.objects.bulk_create(
                Membership(user=user, region=region, agency=agency, role=role)
                for user, role in roles
            )
            EmailAddress.objects.bulk_create(
                EmailAddress(user=user, email=user.email, verified=True, primary=True)
                for user in users
            )
            ContactMethod.objects.create(
                user=peer,
                channel=Channel.EMAIL,
                label="work",
                value=peer.email,
                verified_at=clock.now(),
            )
            policy = EscalationPolicy.objects.create(
                region=region, name="Drill", repeat=0, is_default=True
            )
            step = EscalationStep.objects.create(
                policy=policy, order=0, delay_minutes=STEP_DELAY_MINUTES
            )
            StepTarget.objects.create(step=step, kind=TargetKind.USER, user=peer)
            telecoms += [(caller.email, team) for caller in callers]
    return {"telecoms": telecoms}


def collect(since: datetime, emails: list[str]) -> dict[str, Any]:
    from backline.notify.models import Channel, OutgoingMessage
    from backline.support.models import Page, SupportRequest

    def iso(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    requests = list(
        SupportRequest.objects.filter(requester__email__in=emails, requested_at__gte=since)
        .select_related("requester")
        .order_by("pk")
    )
    paged = set(
        Page.objects.filter(request__in=requests).values_list("request_id", flat=True).distinct()
    )
    group_of = {f"support-request:{r.pk}": r.public_id for r in requests}
    rows = (
        OutgoingMessage.objects.filter(group_key__in=list(group_of), channel=Channel.EMAIL)
        .select_related("contact_method")
        .order_by("pk")
    )
    return {
        "requests": [
            {
                "id": r.public_id,
                "requester": r.requester.email if r.requester else "",
                "status": r.status,
                "requested_at": iso(r.requested_at),
                "paged": r.pk in paged,
            }
            for r in requests
        ],
        "emails": [
            {
                "row": m.pk,
                "request": group_of[m.group_key],
                # read through the sealed field, as the outbox reads it to send
                "address": m.contact_method.value if m.contact_method else "",
                "link": m.link,
                "status": m.status,
                "attempts": m.attempts,
                "provider_id": m.provider_id,
                "sent_at": iso(m.sent_at),
                "error": m.last_error,
                "fallback_of": m.fallback_of_id,
            }
            for m in rows
        ],
    }


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] not in {"setup", "collect"}:
        print(__doc__, file=sys.stderr)
        return 2
    django.setup()
    if argv[0] == "setup":
        result = setup(int(argv[1]), int(argv[2]), argv[3])
    else:
        result = collect(datetime.fromisoformat(argv[1]), argv[2:])
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
