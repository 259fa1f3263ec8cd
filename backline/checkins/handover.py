"""A peer who leaves the team hands their check-in plans over.

When a peer's role ends (``accounts.grants.remove`` deletes the membership), their plans
in that team pause: the peer is emptied, nothing more is sent. The team's coordinators
are told how many, never for whom; each colleague is asked, in-app, whether another peer
of their team may continue, and chooses one or ends the plan.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.db.models.signals import post_delete

from backline.accounts.models import Membership, User
from backline.accounts.roles import Role
from backline.checkins import texts
from backline.checkins.models import OptOut, Plan, schedule
from backline.lib import clock
from backline.notify import outbox


def connect() -> None:
    post_delete.connect(_role_removed, sender=Membership, dispatch_uid="checkins.handover")


def _role_removed(sender: type[Membership], instance: Membership, **kwargs: Any) -> None:
    if instance.role == Role.PEER:
        hand_over(instance.user_id, instance.region_id)


def hand_over(peer_id: int, region_id: int) -> int:
    """Pause the peer's plans in the team; returns how many."""
    now = clock.now()
    plans = Plan.objects.filter(peer_id=peer_id, region_id=region_id)
    colleagues = set(plans.values_list("colleague_id", flat=True))
    count = plans.update(peer=None, handed_over_at=now, next_at=None, remind_at=None)
    if not count:
        return 0
    key = f"checkin:handover:{peer_id}:{region_id}:{now.timestamp()}"
    coordinators = Membership.objects.filter(
        region_id=region_id, role=Role.COORDINATOR
    ).values_list("user_id", flat=True)
    outbox.enqueue_many(
        [(c, partial(texts.handed_over, count)) for c in coordinators],
        key,
        key,
        now,
        inapp_only=True,
    )
    outbox.enqueue_many(
        [(c, texts.may_another_continue) for c in colleagues],
        key,
        f"{key}:ask",
        now,
        inapp_only=True,
    )
    return count


def peers_for(plan: Plan) -> list[User]:
    """Whom the colleague may choose to continue: the team's active peers, but themselves
    and the peers they asked not to check in with them."""
    stopped = OptOut.objects.filter(colleague_id=plan.colleague_id, peer__isnull=False)
    return list(
        User.objects.filter(
            is_active=True, memberships__region_id=plan.region_id, memberships__role=Role.PEER
        )
        .exclude(pk=plan.colleague_id)
        .exclude(pk__in=stopped.values("peer_id"))
        .order_by("full_name", "pk")
    )


def continue_with(plan: Plan, peer: User) -> bool:
    """The colleague chose ``peer`` to continue; False if the plan is no longer waiting."""
    now = clock.now()
    schedule(plan, now)
    with transaction.atomic():
        changed = Plan.objects.filter(pk=plan.pk, peer__isnull=True).update(
            peer=peer, next_index=plan.next_index, next_at=plan.next_at, remind_at=plan.remind_at
        )
        if changed:
            key = f"checkin:{plan.pk}:continued:{peer.pk}"
            outbox.enqueue(peer.pk, key, key, texts.continued, now, inapp_only=True)
    return bool(changed)


def counts(region_ids: list[int]) -> dict[str, int]:
    """What a coordinator sees of the team's check-ins: counts, never names."""
    totals = Plan.objects.filter(region_id__in=region_ids).aggregate(
        active=Count("pk", filter=Q(peer__isnull=False, next_at__isnull=False)),
        waiting=Count("pk", filter=Q(peer__isnull=True)),
        continued=Count("pk", filter=Q(peer__isnull=False, handed_over_at__isnull=False)),
    )
    return {name: int(value or 0) for name, value in totals.items()}
