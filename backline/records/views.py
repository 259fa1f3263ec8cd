"""The peer's own records (file one, correct it for seven days), the coordinator's view of
the team's records and its settings, and the page every member reads about what their
team keeps.

Coordinators see records without the peer's name unless the team turned that on; when it
is on, each time a coordinator reads who filed records is audited, for those peers to see.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backline.accounts.access import COORDINATOR, MEMBER, MemberRequest, role
from backline.accounts.models import Region, User
from backline.accounts.roles import Role
from backline.lib import clock, tokens
from backline.privacy import audit
from backline.privacy.access import access
from backline.privacy.actions import describe
from backline.records import reminders
from backline.records.forms import RecordForm, RecordSettingsForm
from backline.records.models import (
    EDIT_DAYS,
    ContactRecord,
    ContactType,
    RecordChannel,
    RecordMode,
    RecordSettings,
    Referral,
    settings_of,
)

PEER = role(Role.PEER)
PER_PAGE = 50
FILERS_SEEN = describe(
    "records.filer.viewed",
    gettext_lazy("saw that you filed contact records (as a coordinator of your team)"),
)


def today_of(user: User) -> date:
    """Today, where the person works."""
    return clock.now().astimezone(user.time_zone).date()


def _peer_team(user: User) -> Region:
    """The team a peer files records for: their (first) peer role's region."""
    for membership in user.all_memberships:
        if membership.role == Role.PEER:
            return membership.region
    raise Http404


def _prefilled(request: MemberRequest, today: date) -> dict[str, Any]:
    """What the form starts with: today, and what the link says is already known."""
    initial: dict[str, Any] = {"date": today}
    kind = request.GET.get("type", "")
    if kind in ContactType.values:
        initial["contact_type"] = kind
    channel = request.GET.get("channel", "")
    if channel in RecordChannel.values:
        initial["channel"] = channel
    referral = request.GET.get("referral", "")
    if referral in Referral.values:
        initial["referral"] = referral  # a category, never which resource
    return initial


@access(PEER)
def mine(request: MemberRequest) -> HttpResponse:
    """The peer's own records, newest first; those still open to correction say until when."""
    peer = request.user
    team = settings_of(_peer_team(peer))
    page = Paginator(ContactRecord.objects.visible_to(peer).filed_by(peer), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "records/mine.html",
        {"page": page, "team": team, "today": today_of(peer), "edit_days": EDIT_DAYS},
    )


@access(PEER)
def new(request: MemberRequest) -> HttpResponse:
    peer = request.user
    region = _peer_team(peer)
    team = settings_of(region)
    today = today_of(peer)
    if team.mode == RecordMode.NONE:
        return render(request, "records/form.html", {"team": team, "form": None})
    form = RecordForm(
        request.POST or None,
        instance=ContactRecord(region=region, peer=peer, filed_on=today),
        initial=_prefilled(request, today),
        team=team,
        today=today,
    )
    if request.method == "POST" and form.is_valid():
        record = form.save(commit=False)
        record.once_digest = tokens.digest(
            tokens.keyed("record", peer.pk, form.cleaned_data["once"])
        )
        try:
            with transaction.atomic():
                record.save()
        except IntegrityError:
            if not ContactRecord.objects.filter(once_digest=record.once_digest).exists():
                raise
            messages.info(request, _("This record was already saved. Thank you."))
            return redirect("records:mine")
        if record.contact_type == ContactType.REQUEST:
            reminders.filed(request.session, peer)
        messages.success(request, _("Saved. Thank you for being there."))
        return redirect("records:mine")
    status = 400 if form.errors else 200
    return render(request, "records/form.html", {"team": team, "form": form}, status=status)


@access(PEER)
def edit(request: MemberRequest, pk: int) -> HttpResponse:
    """A correction, while the record is not final; after that, it says so and keeps it."""
    peer = request.user
    record = get_object_or_404(ContactRecord.objects.visible_to(peer).filed_by(peer), pk=pk)
    today = today_of(peer)
    context: dict[str, Any] = {
        "record": record,
        "team": settings_of(record.region),
        "edit_days": EDIT_DAYS,
    }
    if record.is_final(today):
        refused = request.method == "POST"
        context |= {"form": None, "refused": refused}
        return render(request, "records/edit.html", context, status=409 if refused else 200)
    form = RecordForm(
        request.POST or None,
        instance=record,
        team=context["team"],
        today=max(today, record.filed_on),
        new=False,
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your correction is saved."))
        return redirect("records:mine")
    if request.method == "POST":
        record.refresh_from_db()
    status = 400 if form.errors else 200
    return render(request, "records/edit.html", context | {"form": form}, status=status)


def _summary(records: QuerySet[ContactRecord]) -> list[tuple[str, int]]:
    """How many records of each contact type, in one query."""
    counted = dict(records.order_by().values_list("contact_type").annotate(n=Count("pk")))
    return [(str(label), counted[kind]) for kind, label in ContactType.choices if kind in counted]


@access(COORDINATOR)
def team(request: MemberRequest) -> HttpResponse:
    """The records of the coordinator's teams, and each team's record settings."""
    coordinator = request.user
    regions = coordinator.regions_with(Role.COORDINATOR)
    sections: list[dict[str, Any]] = []
    for region in regions:
        settings = settings_of(region)
        posted = request.method == "POST" and request.POST.get("region") == str(region.pk)
        form = RecordSettingsForm(
            request.POST if posted else None, instance=settings, prefix=f"team{region.pk}"
        )
        if posted and form.is_valid():
            form.save()
            messages.success(
                request, _("Saved. Every member of %(team)s can read it.") % {"team": region}
            )
            return redirect("records:team")
        of_team = ContactRecord.objects.visible_to(coordinator).filter(region=region)
        listed = Paginator(of_team.select_related("peer"), PER_PAGE).get_page(
            request.GET.get("page")
        )
        records = list(listed)
        if settings.coordinators_see_peer:
            filers = {r.peer for r in records if r.peer is not None}
            audit.record_many(coordinator, FILERS_SEEN, [(peer, None) for peer in filers])
        sections.append(
            {
                "region": region,
                "settings": settings,
                "form": form,
                "page": listed,
                "records": records,
                "summary": _summary(of_team),
            }
        )
    status = 400 if any(s["form"].errors for s in sections) else 200
    return render(request, "records/team.html", {"sections": sections}, status=status)


@access(MEMBER)
def privacy(request: MemberRequest) -> HttpResponse:
    """What each of the viewer's teams keeps after a contact, for every member to read."""
    regions = sorted({m.region for m in request.user.all_memberships}, key=lambda r: r.name)
    found = {s.region_id: s for s in RecordSettings.objects.filter(region__in=regions)}
    teams = [found.get(r.pk) or RecordSettings(region=r) for r in regions]
    return render(request, "records/privacy.html", {"teams": teams, "edit_days": EDIT_DAYS})
