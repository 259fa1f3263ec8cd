"""Pages every member reaches: home (one section per role), enrolment, privacy."""

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from backline.accounts import trust
from backline.accounts.access import MemberRequest
from backline.accounts.mfa import has_second_factor
from backline.accounts.models import Agency, Invitation, Membership, Region, RoleChange
from backline.accounts.roles import MFA_REQUIRED, Role
from backline.lib import clock
from backline.oncall import resolve
from backline.oncall.models import Availability, Rotation
from backline.privacy.access import PUBLIC, SIGNED_IN, access
from backline.privacy.models import AuditEntry
from backline.support import coverage, targets
from backline.support.views import own_request, requester_status

DUTY_DAYS = 30  # how far ahead home looks for a peer's shifts


@access(PUBLIC)
def landing(request: HttpRequest) -> HttpResponse:
    return redirect("home" if request.user.is_authenticated else "account_login")


@access(SIGNED_IN)
def home(request: MemberRequest) -> HttpResponse:
    user = request.user
    context: dict[str, Any] = {"roles": user.roles}
    coordinated = user.regions_with(Role.COORDINATOR)
    if coordinated:
        context["regions"] = _region_overviews(coordinated)
    administered = user.agencies_with(Role.ADMINISTRATOR)
    if administered:
        counts = dict(
            Membership.objects.filter(agency__in=administered)
            .values_list("agency")
            .annotate(people=Count("user", distinct=True))
        )
        context["agencies"] = [(agency, counts.get(agency.pk, 0)) for agency in administered]
    teams = {m.region for m in user.all_memberships}
    context["teams"] = sorted(teams, key=lambda region: region.name)
    now = clock.now()
    if user.has_role(Role.TELECOMMUNICATOR, Role.PEER):
        own = own_request(request)
        if own is not None:  # what is happening comes first: their request's status
            context |= requester_status(own) | {"own_request": own}
        # the security blanket: a number, never whose schedule it is
        context["available_peers"] = len(
            set().union(*(resolve.available_now(region.pk, now) for region in teams)) - {user.pk}
        )
    if user.has_role(Role.PEER):
        context |= {
            "duty": _duty(user, now),
            "waiting": targets.offers_for(user),  # only what they may take
            "mine": list(targets.taken_by(user)),
        }
    return render(request, "web/home.html", context)


def _duty(user: Any, now: datetime) -> dict[str, Any]:
    """Whether the peer is on call now and until when (in any of their teams'
    rotations), else when their next shift starts; and until when they said they are
    available."""
    horizon = now + timedelta(days=DUTY_DAYS)
    rotations = list(Rotation.objects.filter(region__in=user.regions_with(Role.PEER)))
    spans = resolve.on_call_spans(user.pk, rotations, now, horizon)
    current = spans[0] if spans and spans[0].starts_at <= now else None
    upcoming = next((span for span in spans if span.starts_at > now), None)
    available = Availability.objects.filter(user=user, until__gt=now).first()
    return {
        "until": current.ends_at if current else None,
        "open_ended": current is not None and current.ends_at >= horizon,
        "next": upcoming.starts_at if upcoming else None,
        "days": DUTY_DAYS,
        "available_until": available.until if available else None,
    }


def _count(rows: QuerySet[Any], region: str) -> Coalesce:
    """How many of ``rows`` belong to the outer query's region (``region`` leads from
    a row to its region): a subquery, so that every count is one query."""
    counted = rows.filter(**{region: OuterRef("pk")}).order_by().values(region)
    return Coalesce(Subquery(counted.annotate(n=Count("pk")).values("n")), 0)


def _region_overviews(regions: list[Region]) -> list[dict[str, Any]]:
    """Counts for the coordinator, of each of their teams: roles, agencies, invitations
    (one query for every team), and on-call coverage warnings."""
    roles = {
        f"role_{value}": _count(Membership.objects.filter(role=value), "region")
        for value in Role.values
    }
    counted = Region.objects.filter(pk__in=[region.pk for region in regions]).annotate(
        agency_count=_count(Agency.objects.all(), "region"),
        pending_invitations=_count(Invitation.objects.pending(), "agency__region"),
        **roles,
    )
    return [
        {
            "region": region,
            "agency_count": region.agency_count,
            "roles": [(label, getattr(region, f"role_{value}")) for value, label in Role.choices],
            "pending_invitations": region.pending_invitations,
            "coverage_warnings": len(coverage.region_warnings(region)),
        }
        for region in counted
    ]


@access(SIGNED_IN)
def security_setup(request: MemberRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "web/security_setup.html",
        {
            "required": bool(user.roles & MFA_REQUIRED),
            "enrolled": has_second_factor(user),
            "demo_relaxed": user.is_demo and settings.DEMO_MFA_RELAXED,
            "trusted_until": trust.trusted_until(request, user),
        },
    )


@require_POST
@access(SIGNED_IN)
def forget_this_browser(request: MemberRequest) -> HttpResponse:
    """This browser asks for the second factor again at the next sign-in, and its
    session ends as an untrusted one does, even if it was lengthened for being on call."""
    request.session.set_expiry(0)
    response = redirect("security_setup")
    trust.forget(response)
    messages.success(
        request, _("This browser is no longer trusted: the next sign-in here asks for your code.")
    )
    return response


@access(SIGNED_IN)
def who_has_seen_my_data(request: MemberRequest) -> HttpResponse:
    entries = AuditEntry.objects.visible_to(request.user)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "web/who_has_seen.html", {"page": page, "rows": _in_words(page)})


def _in_words(entries: Iterable[AuditEntry]) -> list[tuple[AuditEntry, str]]:
    """Each entry with what happened; a role change says which role, and where."""
    listed = list(entries)
    kind = RoleChange._meta.label_lower
    changes = {
        (kind, str(pk)): change
        for pk, change in RoleChange.objects.select_related("agency", "region")
        .in_bulk([int(e.object_id) for e in listed if e.object_type == kind])
        .items()
    }
    return [
        (
            entry,
            change.told_to_person
            if (change := changes.get((entry.object_type, entry.object_id)))
            else entry.description,
        )
        for entry in listed
    ]
