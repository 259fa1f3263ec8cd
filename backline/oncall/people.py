"""Who belongs to a peer team for on-call purposes, and the time zone a person reads in."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from backline.accounts.models import User
from backline.accounts.roles import Role


def peers(region_ids: Iterable[int]) -> QuerySet[User]:
    """Active peer supporters of these regions, by name."""
    return (
        User.objects.filter(
            is_active=True, memberships__region_id__in=list(region_ids), memberships__role=Role.PEER
        )
        .distinct()
        .order_by("full_name", "pk")
    )


def pageable(region_id: int) -> set[int]:
    """Whom a step can page in a region: its active peers and coordinators."""
    return set(
        User.objects.filter(
            is_active=True,
            memberships__region_id=region_id,
            memberships__role__in=[Role.PEER, Role.COORDINATOR],
        ).values_list("pk", flat=True)
    )


def is_peer(user_id: int | None, region_id: int) -> bool:
    return user_id is not None and peers([region_id]).filter(pk=user_id).exists()


def names(user_ids: Iterable[int | None]) -> dict[int, User]:
    """People by id, read at once, for pages that show many shifts."""
    wanted = {i for i in user_ids if i is not None}
    return {u.pk: u for u in User.objects.filter(pk__in=wanted)} if wanted else {}
