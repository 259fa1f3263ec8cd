"""The demo team's paging set-up: a weekly rotation whose current shift belongs to the
demo peer, a policy, verified e-mail for every peer and the coordinator, a verified
mobile number for the demo telecommunicator (offered in one tap on Reach out) and their
verified e-mail (where a hand-off card reaches them), and two peers who said "available
now"."""

from __future__ import annotations

from datetime import time, timedelta
from zoneinfo import ZoneInfo

from backline.accounts.models import Region, User
from backline.accounts.roles import Role
from backline.lib import clock
from backline.notify.models import Channel, ContactMethod
from backline.oncall.models import Availability, Rotation, RotationKind, RotationMember
from backline.support.models import EscalationPolicy, EscalationStep, StepTarget, TargetKind

ON_CALL_EMAIL = "peer@example.org"
REQUESTER_EMAIL = "telecom@example.org"
REQUESTER_PHONE = "+13195550142"
HANDOFF = time(8, 0)


def load(region: Region) -> list[User]:
    """The paging set-up; the team's peers, in their rotation's order."""
    now = clock.now()
    zone = region.agencies.values_list("time_zone", flat=True).first() or "UTC"
    peers = list(
        User.objects.filter(memberships__region=region, memberships__role=Role.PEER).order_by(
            "full_name"
        )
    )
    peers.sort(key=lambda peer: peer.email != ON_CALL_EMAIL)  # the demo peer goes first
    local = now.astimezone(ZoneInfo(zone))
    first_day = local.date() - timedelta(days=0 if local.time() >= HANDOFF else 1)
    rotation = Rotation.objects.create(
        region=region,
        name="Primary peer on call",
        kind=RotationKind.WEEKLY,
        time_zone=zone,
        starts_on=first_day,
        handoff_time=HANDOFF,
    )
    RotationMember.objects.bulk_create(
        RotationMember(rotation=rotation, user=peer, position=i) for i, peer in enumerate(peers)
    )
    policy = EscalationPolicy.objects.create(
        region=region, name="Standard", repeat=2, start_timeout_minutes=30, is_default=True
    )
    for order, (kind, delay, extra) in enumerate(
        [
            (TargetKind.ROTATION, 5, {"rotation": rotation}),
            (TargetKind.ALL_AVAILABLE, 5, {}),
            (TargetKind.COORDINATOR, 10, {}),
        ]
    ):
        step = EscalationStep.objects.create(policy=policy, order=order, delay_minutes=delay)
        StepTarget.objects.create(step=step, kind=kind, **extra)
    coordinators = User.objects.filter(
        memberships__region=region, memberships__role=Role.COORDINATOR
    )
    ContactMethod.objects.bulk_create(
        ContactMethod(
            user=person, channel=Channel.EMAIL, label="work", value=person.email, verified_at=now
        )
        for person in [*peers, *coordinators]
    )
    requester = User.objects.get(email=REQUESTER_EMAIL)
    ContactMethod.objects.create(
        user=requester, channel=Channel.SMS, label="mobile", value=REQUESTER_PHONE, verified_at=now
    )
    # where a peer's warm hand-off card reaches them, when they ask for one
    ContactMethod.objects.create(
        user=requester, channel=Channel.EMAIL, label="own", value=requester.email, verified_at=now
    )
    Availability.objects.bulk_create(
        Availability(user=peer, until=now + timedelta(hours=8)) for peer in peers[1:3]
    )
    return peers
