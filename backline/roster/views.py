"""Roster pages: agencies, people and their roles, invitations.

Coordinators manage their whole region; agency administrators their own agency.
Everything is looked up through ``visible_to`` or ``manageable_agencies``, so a
manager from elsewhere gets 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from backline.accounts import grants
from backline.accounts.access import COORDINATOR, MEMBER, ROSTER_MANAGER, MemberRequest
from backline.accounts.models import Agency, Invitation, Membership, Region, RoleChange, User
from backline.accounts.reauth import confirm_access
from backline.accounts.roles import Role
from backline.lib import clock
from backline.privacy import audit
from backline.privacy.access import PUBLIC, access
from backline.privacy.actions import describe
from backline.roster import invitations
from backline.roster.forms import AcceptInvitationForm, AddRoleForm, AgencyForm, InvitationForm

PERSON_VIEWED = describe("roster.person.viewed", gettext_lazy("opened your roster page"))
OWN_ROLES = gettext_lazy(
    "Nobody changes their own roles. Ask another coordinator or administrator of your team."
)


@access(ROSTER_MANAGER)
def agencies(request: MemberRequest) -> HttpResponse:
    manager = request.user
    listed = manager.manageable_agencies().select_related("region")
    return render(
        request,
        "roster/agencies.html",
        {"agencies": listed, "can_add": bool(manager.regions_with(Role.COORDINATOR))},
    )


@access(COORDINATOR)
def agency_new(request: MemberRequest) -> HttpResponse:
    manager = request.user
    regions = manager.regions_with(Role.COORDINATOR)
    region = next((r for r in regions if str(r.pk) == request.POST.get("region")), regions[0])
    # the region is known before validation, so the unique name per region is checked
    form = AgencyForm(request.POST or None, instance=Agency(region=region))
    if request.method == "POST" and form.is_valid():
        agency = form.save()
        messages.success(request, _("%(agency)s was added.") % {"agency": agency})
        return redirect("roster:agencies")
    return render(request, "roster/agency_form.html", {"form": form, "regions": regions})


@access(ROSTER_MANAGER)
def agency_edit(request: MemberRequest, pk: int) -> HttpResponse:
    agency = get_object_or_404(request.user.manageable_agencies(), pk=pk)
    form = AgencyForm(request.POST or None, instance=agency)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("%(agency)s was saved.") % {"agency": agency})
        return redirect("roster:agencies")
    return render(request, "roster/agency_form.html", {"form": form, "agency": agency})


@access(ROSTER_MANAGER)
def people(request: MemberRequest) -> HttpResponse:
    manager = request.user
    query = request.GET.get("q", "").strip()
    listed = (
        User.objects.visible_to(manager)
        .prefetch_related(
            Prefetch("memberships", queryset=Membership.objects.select_related("agency"))
        )
        .order_by("full_name", "pk")
    )
    if query:
        listed = listed.filter(
            Q(full_name__icontains=query)
            | Q(preferred_name__icontains=query)
            | Q(email__icontains=query)
        )
    page = Paginator(listed, 25).get_page(request.GET.get("page"))
    partial = request.headers.get("HX-Request") == "true"
    template = "roster/people_table.html" if partial else "roster/people.html"
    return render(request, template, {"page": page, "query": query})


def _visible_person(request: MemberRequest, pk: int) -> User:
    return get_object_or_404(User.objects.visible_to(request.user), pk=pk)


@access(ROSTER_MANAGER)
def person(request: MemberRequest, pk: int) -> HttpResponse:
    manager = request.user
    shown = _visible_person(request, pk)
    own = shown == manager
    if not own:
        audit.record(manager, PERSON_VIEWED, subject=shown, obj=shown)
    manageable = set(manager.manageable_agencies().values_list("pk", flat=True))
    memberships = [
        (
            m,
            not own
            and m.agency is not None
            and m.agency.pk in manageable
            and m.role in manager.grantable_roles(m.agency),
        )
        for m in shown.memberships.select_related("agency", "region")
    ]
    return render(
        request,
        "roster/person.html",
        {
            "person": shown,
            "memberships": memberships,
            "form": None if own else AddRoleForm(manager=manager, person=shown),
        },
    )


def _refuse_own_roles(request: MemberRequest, shown: User) -> bool:
    """Nobody gives themselves a role or takes one of their own away: say so."""
    if shown != request.user:
        return False
    messages.error(request, OWN_ROLES)
    return True


@require_POST
@access(ROSTER_MANAGER)
def role_add(request: MemberRequest, pk: int) -> HttpResponse:
    manager = request.user
    shown = _visible_person(request, pk)
    if _refuse_own_roles(request, shown):
        return redirect("roster:person", pk=shown.pk)
    form = AddRoleForm(request.POST, manager=manager, person=shown)
    if form.is_valid():
        confirm_access(request)
        grants.grant(shown, form.cleaned_data["agency"], form.cleaned_data["role"], by=manager)
        messages.success(request, _("The role was added. The whole team can see this change."))
    else:
        for error in form.errors.values():
            messages.error(request, " ".join(str(e) for e in error))
    return redirect("roster:person", pk=shown.pk)


@require_POST
@access(ROSTER_MANAGER)
def role_remove(request: MemberRequest, pk: int, membership_pk: int) -> HttpResponse:
    manager = request.user
    shown = _visible_person(request, pk)
    if _refuse_own_roles(request, shown):
        return redirect("roster:person", pk=shown.pk)
    confirm_access(request)
    with transaction.atomic():
        membership = get_object_or_404(
            Membership.objects.select_for_update(of=("self",)).select_related(
                "agency", "region", "user"
            ),
            pk=membership_pk,
            user=shown,
            agency__in=manager.manageable_agencies(),
        )
        if membership.agency is None or membership.role not in manager.grantable_roles(
            membership.agency
        ):
            messages.error(request, _("You may not remove this role."))
        elif membership.role == Role.COORDINATOR and not _other_coordinators(membership):
            messages.error(request, _("A region must keep at least one coordinator."))
        else:
            grants.remove(membership, by=manager)
            messages.success(
                request, _("The role was removed. The whole team can see this change.")
            )
    return redirect("roster:person", pk=shown.pk)


def _other_coordinators(membership: Membership) -> bool:
    """Whether the region keeps a coordinator without ``membership``. The region is
    locked first, so two coordinators removing each other at once leave one."""
    Region.objects.select_for_update().get(pk=membership.region_id)
    return (
        Membership.objects.filter(region=membership.region_id, role=Role.COORDINATOR)
        .exclude(pk=membership.pk)
        .exists()
    )


@require_POST
@access(ROSTER_MANAGER)
def person_active(request: MemberRequest, pk: int) -> HttpResponse:
    manager = request.user
    shown = _visible_person(request, pk)
    if shown == manager:
        messages.error(request, _("You cannot deactivate your own account."))
    else:
        confirm_access(request)
        shown.is_active = request.POST.get("active") == "yes"
        shown.save(update_fields=["is_active"])
        if shown.is_active:
            messages.success(request, _("%(person)s can sign in again.") % {"person": shown})
        else:
            messages.success(request, _("%(person)s can no longer sign in.") % {"person": shown})
    return redirect("roster:person", pk=shown.pk)


@access(MEMBER)
def roster_changes(request: MemberRequest) -> HttpResponse:
    """Every role given or taken away in the viewer's teams, for every member to read."""
    changes = RoleChange.objects.visible_to(request.user).select_related("agency", "region")
    page = Paginator(changes, 50).get_page(request.GET.get("page"))
    return render(request, "roster/changes.html", {"page": page})


@access(ROSTER_MANAGER)
def invitation_list(request: MemberRequest) -> HttpResponse:
    manager = request.user
    form = InvitationForm(request.POST or None, manager=manager)
    if request.method == "POST" and form.is_valid():
        confirm_access(request)
        _invitation, link = invitations.invite(request, manager, **form.cleaned_data)
        messages.success(
            request,
            _("Invitation sent to %(email)s. You can also give them this link: %(link)s")
            % {"email": form.cleaned_data["email"], "link": link},
        )
        return redirect("roster:invitations")
    listed = Invitation.objects.visible_to(manager).select_related("agency", "invited_by")
    page = Paginator(listed, 25).get_page(request.GET.get("page"))
    return render(request, "roster/invitations.html", {"form": form, "page": page})


@require_POST
@access(ROSTER_MANAGER)
def invitation_revoke(request: MemberRequest, pk: int) -> HttpResponse:
    invitation = get_object_or_404(Invitation.objects.visible_to(request.user), pk=pk)
    revoked = Invitation.objects.filter(
        pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=clock.now())
    if revoked:
        messages.success(
            request, _("The invitation to %(email)s was withdrawn.") % {"email": invitation.email}
        )
    else:
        messages.error(request, _("This invitation was already used or withdrawn."))
    return redirect("roster:invitations")


@access(PUBLIC)
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    invitation = invitations.find(token)
    if invitation is None:
        return render(
            request,
            "roster/invitation_unusable.html",
            {
                "reason": _("This invitation link is not valid. Check that you copied all of it."),
            },
            status=404,
        )
    try:
        invitations.ensure_usable(invitation)
    except invitations.InvitationUnusable as unusable:
        return render(
            request, "roster/invitation_unusable.html", {"reason": unusable.reason}, status=410
        )
    if request.user.is_authenticated:
        return render(
            request,
            "roster/invitation_unusable.html",
            {
                "reason": _("You are signed in. Sign out first to accept an invitation."),
            },
            status=409,
        )
    form = AcceptInvitationForm(
        request.POST or None, email=invitation.email, initial={"full_name": invitation.full_name}
    )
    if request.method == "POST" and form.is_valid():
        person = invitations.NewPerson(
            full_name=form.cleaned_data["full_name"],
            preferred_name=form.cleaned_data["preferred_name"],
            password=form.cleaned_data["password1"],
        )
        try:
            user = invitations.accept(invitation, person)
        except invitations.InvitationUnusable as unusable:
            return render(
                request, "roster/invitation_unusable.html", {"reason": unusable.reason}, status=410
            )
        login(request, user)
        messages.success(request, _("Welcome to Backline."))
        return redirect("home")
    context: dict[str, Any] = {"form": form, "invitation": invitation}
    return render(request, "roster/accept_invitation.html", context)
