"""The directory pages: every member searches their teams' directory, reads an entry
and its warm hand-off card; the teams' coordinators add, edit, verify and delete
entries, and import and export the directory as Open Referral HSDS 3.0.

Entries are read through ``visible_to`` (a member's teams) and changed through
``managed_by`` (a coordinator's teams), so another team's entry is a 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from backline.accounts import help_lines
from backline.accounts.access import COORDINATOR, MEMBER, MemberRequest
from backline.accounts.models import Region
from backline.accounts.roles import Role
from backline.directory import card as cards
from backline.directory import hours, search
from backline.directory.forms import ResourceForm
from backline.directory.hsds import export, imports
from backline.directory.hsds.upload import UploadLimit
from backline.directory.models import Resource
from backline.lib import clock, editing
from backline.privacy.access import access


def _coordinated(request: MemberRequest) -> list[Region]:
    return request.user.regions_with(Role.COORDINATOR)


@access(MEMBER)
def directory(request: MemberRequest) -> HttpResponse:
    now = clock.now()
    mine = Resource.objects.visible_to(request.user)
    form = search.SearchForm(request.GET or None, languages=search.languages_of(mine))
    chosen = form.cleaned_data if form.is_valid() else {}
    found = search.with_details(search.find(request.user, chosen, now))
    page = Paginator(found, search.PAGE_SIZE).get_page(request.GET.get("page"))
    today = clock.now().astimezone(request.user.time_zone).date()
    query = request.GET.copy()
    query.pop("page", None)
    carried = cards.Context.of(request.GET)
    if chosen.get("language"):
        carried = cards.Context(carried.for_, chosen["language"])
    return render(
        request,
        "directory/directory.html",
        {
            "form": form,
            "page": page,
            "results": [(r, hours.is_open(r, now), r.is_stale(today)) for r in page],
            "query": query.urlencode(),
            "searched": bool(chosen) and any(chosen.values()),
            "can_edit": bool(_coordinated(request)),
            "carried": carried,
        },
    )


@access(MEMBER)
def resource(request: MemberRequest, pk: int) -> HttpResponse:
    shown = get_object_or_404(search.with_details(Resource.objects.visible_to(request.user)), pk=pk)
    today = clock.now().astimezone(request.user.time_zone).date()
    can_edit = shown.region in _coordinated(request)
    return render(
        request,
        "directory/resource.html",
        {
            "resource": shown,
            "open_now": hours.is_open(shown, clock.now()),
            "stale": shown.is_stale(today),
            "can_edit": can_edit,
            "carried": cards.Context.of(request.GET),
        },
    )


@access(MEMBER)
def card(request: MemberRequest, pk: int) -> HttpResponse:
    """The warm hand-off card: on screen, printed, and whatever the apps above offer to
    do with it (``card.OFFERS``: e-mail it)."""
    shown = get_object_or_404(search.with_details(Resource.objects.visible_to(request.user)), pk=pk)
    carried = cards.Context.of(request.GET)
    offered = [offer(request, shown, carried) for offer in cards.OFFERS]
    return render(
        request,
        "directory/card.html",
        {
            "card": cards.card_of(shown, request.user.time_zone, clock.now(), carried.language),
            "carried": carried,
            "sends": [send for each in offered for send in each.sends],
            "notes": [note for each in offered for note in each.notes],
            "eap_lines": help_lines.eap_lines(request.user),
        },
    )


def _managed(request: MemberRequest, pk: int) -> Resource:
    return get_object_or_404(
        Resource.objects.managed_by(request.user).select_related("organization", "region"), pk=pk
    )


@access(COORDINATOR)
def resource_new(request: MemberRequest) -> HttpResponse:
    return editing.add(
        request,
        _coordinated(request),
        ResourceForm,
        {"time_zone": request.user.time_zone.key},
        _("%(name)s was added to the directory."),
        "directory:resource",
        "directory/resource_form.html",
    )


def _edit_page(
    request: MemberRequest, shown: Resource, form: ResourceForm | None = None
) -> HttpResponse:
    return render(
        request,
        "directory/resource_edit.html",
        {"resource": shown, "form": form or ResourceForm(instance=shown)},
    )


@access(COORDINATOR)
def resource_edit(request: MemberRequest, pk: int) -> HttpResponse:
    shown = _managed(request, pk)
    return editing.edit(request, shown, ResourceForm, _edit_page, "directory:resource")


@require_POST
@access(COORDINATOR)
def resource_verify(request: MemberRequest, pk: int) -> HttpResponse:
    shown = _managed(request, pk)
    shown.verified_on = clock.now().astimezone(request.user.time_zone).date()
    shown.verified_by = request.user.email
    shown.save(update_fields=["verified_on", "verified_by"])
    messages.success(request, _("%(name)s is marked as verified today.") % {"name": shown})
    return redirect("directory:resource", pk=shown.pk)


@require_POST
@access(COORDINATOR)
def resource_delete(request: MemberRequest, pk: int) -> HttpResponse:
    shown = _managed(request, pk)
    return editing.delete_unless(
        request, shown, None, "directory:resource_edit", "directory:directory"
    )


def _import_page(request: MemberRequest, status: int = 200, **context: Any) -> HttpResponse:
    regions = _coordinated(request)
    return render(
        request,
        "directory/import.html",
        {
            "regions": regions,
            "region": editing.chosen_region(request, regions),
            "limit": imports.MAX_UPLOAD_MB,
            **context,
        },
        status=status,
    )


@access(COORDINATOR)
@csrf_exempt  # the upload's limit must be set before CSRF reads the form; _import checks it
def import_directory(request: MemberRequest) -> HttpResponse:
    limit = UploadLimit(request, imports.MAX_UPLOAD_MB * imports.MB)
    request.upload_handlers.insert(0, limit)
    return _import(request, limit)


@csrf_protect
def _import(request: MemberRequest, limit: UploadLimit) -> HttpResponse:
    if request.method != "POST":
        return _import_page(request)
    region = editing.chosen_region(request, _coordinated(request))
    uploads = request.FILES.getlist("files")
    if limit.too_large:
        return _import_page(request, 400, problems=[imports.too_large(limit.size)])
    if not uploads:
        return _import_page(request, 400, empty=True)
    try:
        done = imports.import_files(imports.unpack(uploads), region)
    except imports.Refused as refused:
        return _import_page(request, 400, problems=refused.problems)
    imported = ngettext(
        "Imported: %(services)d service, into the directory of %(team)s.",
        "Imported: %(services)d services, into the directory of %(team)s.",
        done.services,
    )
    messages.success(request, imported % {"services": done.services, "team": region})
    return redirect("directory:directory")


@access(COORDINATOR)
def export_directory(request: MemberRequest) -> HttpResponse:
    region = editing.chosen_region(request, _coordinated(request))
    response = HttpResponse(export.zipped(region), content_type="application/zip")
    name = f"{region.slug}-directory-hsds.zip"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
