"""The care pages: a peer's own load, for them alone, and the coordinators' load
balance, in counts per peer per quarter.

A peer's load page reads only their own rows. The load balance names peers (the roster
is not secret) beside counts, and nothing of any colleague they supported: no
requester, no request, no date finer than a quarter. Each coordinator's look at it is
recorded for every peer it shows, who can read so on "Who has seen my data".
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy

from backline.accounts import help_lines
from backline.accounts.access import COORDINATOR, MemberRequest, role
from backline.accounts.models import Membership, Region
from backline.accounts.roles import Role
from backline.care import load
from backline.lib import clock
from backline.oncall import waking
from backline.privacy import audit
from backline.privacy.access import access

PEER = role(Role.PEER)
BALANCE_VIEWED = audit.describe(
    "care.balance.viewed", gettext_lazy("saw your count of contacts and pages, per quarter")
)


def _who_can_help(regions: list[Region]) -> dict[str, Any]:
    """The teams' clinicians (by name and e-mail) and their agencies' EAP lines, or
    Backline's own line when none is set."""
    clinicians = sorted(
        {
            (m.user.display_name, m.user.email)
            for m in Membership.objects.filter(
                region__in=regions, role=Role.CLINICIAN, user__is_active=True
            ).select_related("user")
        }
    )
    lines = Membership.objects.filter(region__in=regions, agency__isnull=False).values_list(
        "agency__eap_line", flat=True
    )
    return {"clinicians": clinicians, "eap_lines": help_lines.or_backline_line(lines)}


@access(PEER)
def mine(request: MemberRequest) -> HttpResponse:
    user = request.user
    month, quarter = load.own_load(user, clock.now())
    regions = user.regions_with(Role.PEER)
    return render(
        request,
        "care/mine.html",
        {
            "month": month,
            "quarter": quarter,
            "high": load.is_high(month),
            "help": _who_can_help(regions),
            "night": (waking.NIGHT_STARTS, waking.NIGHT_ENDS),
        },
    )


@access(COORDINATOR)
def balance(request: MemberRequest) -> HttpResponse:
    user = request.user
    now = clock.now()
    teams: list[dict[str, Any]] = []
    for region in user.regions_with(Role.COORDINATOR):
        shown, rows = load.balance(region.pk, now, user.time_zone)
        teams.append({"region": region, "quarters": shown, "rows": rows})
    listed = [row.peer for team in teams for row in team["rows"]]
    audit.record_many(user, BALANCE_VIEWED, [(peer, None) for peer in listed])
    return render(
        request,
        "care/balance.html",
        {"teams": teams, "through": load.counted_through(now, user.time_zone)},
    )
