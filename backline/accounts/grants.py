"""Giving and taking away roles: the one way a membership begins or ends.

Each change is written, in the same transaction, as a ``RoleChange`` that the whole team
reads on its roster-changes page, and as an audit entry about the person, shown on their
"Who has seen my data" page. Nobody changes their own roles: ``grant`` and ``remove``
refuse it, and the database refuses such a ``RoleChange``.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy

from backline.accounts.models import Agency, Membership, RoleChange, RoleChangeKind, User
from backline.lib import clock
from backline.privacy import audit
from backline.privacy.actions import describe

ROLE_GRANTED = describe("accounts.role.granted", gettext_lazy("gave you a role"))
ROLE_REMOVED = describe("accounts.role.removed", gettext_lazy("took away one of your roles"))
BACKLINE = "Backline"  # who made a change that no person made (the demo data)


class OwnRoles(Exception):
    """Someone tried to give themselves a role or take away one of their own."""


def grant(person: User, agency: Agency, role: str, *, by: User | None) -> Membership:
    """Give ``person`` the ``role`` at ``agency``; ``by`` is who does it (``None``:
    Backline itself, for demo data)."""
    _refuse_own(person, by)
    with transaction.atomic():
        membership = Membership.objects.create(
            user=person, region_id=agency.region_id, agency=agency, role=role
        )
        _record(membership, RoleChangeKind.GRANTED, by)
    return membership


def remove(membership: Membership, *, by: User) -> None:
    """Take the role of ``membership`` away from its person."""
    _refuse_own(membership.user, by)
    with transaction.atomic():
        _record(membership, RoleChangeKind.REMOVED, by)
        membership.delete()


def _refuse_own(person: User, by: User | None) -> None:
    if by is not None and by.pk == person.pk:
        raise OwnRoles(f"{by} may not change their own roles")


def _record(membership: Membership, kind: RoleChangeKind, by: User | None) -> None:
    person = membership.user
    granted = kind == RoleChangeKind.GRANTED
    recorded = RoleChange.objects.create(
        # a grant is dated like its membership, which later rules read as its start
        at=membership.created_at if granted else clock.now(),
        region_id=membership.region_id,
        agency=membership.agency,
        person_id=person.pk,
        person_label=str(person),
        role=membership.role,
        kind=kind,
        by_id=by.pk if by is not None else None,
        by_label=str(by) if by is not None else BACKLINE,
    )
    audit.record(by, ROLE_GRANTED if granted else ROLE_REMOVED, subject=person, obj=recorded)
