"""Coordinators' pages: rotations and their members, schedules (which pick a rotation by
the time of week) and their windows, and overrides (a peer covering a rotation for a
while).

A coordinator's objects are looked up through ``managed_by`` (their regions), so
another region's get 404. Each rotation and schedule page previews the shifts to come,
overrides included.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from backline.accounts.access import COORDINATOR, MemberRequest
from backline.lib import clock, confirm, editing, ordering
from backline.oncall import breaks, coverage, people, resolve, swaps
from backline.oncall.forms import MemberForm, OverrideForm, RotationForm, ScheduleForm, WindowForm
from backline.oncall.models import (
    Override,
    Rotation,
    RotationMember,
    Schedule,
    ScheduleWindow,
)
from backline.oncall.pages import coordinated, shift_row, show
from backline.privacy.access import access

PREVIEW_DAYS = 14


# --- rotations ------------------------------------------------------------------------


def _rotation(request: MemberRequest, pk: int, lock: bool = False) -> Rotation:
    rotations = Rotation.objects.managed_by(request.user).select_related("region")
    if lock:
        rotations = rotations.select_for_update(of=("self",))
    return get_object_or_404(rotations, pk=pk)


@access(COORDINATOR)
def rotations(request: MemberRequest) -> HttpResponse:
    listed = (
        Rotation.objects.managed_by(request.user)
        .select_related("region")
        .annotate(member_count=Count("members"))
        .order_by("region__name", "name")
    )
    return show(request, "oncall/rotations.html", {"rotations": listed})


@access(COORDINATOR)
def rotation_new(request: MemberRequest) -> HttpResponse:
    zone = request.user.time_zone
    return editing.add(
        request,
        coordinated(request),
        RotationForm,
        {"time_zone": zone.key, "starts_on": clock.now().astimezone(zone).date()},
        _("%(name)s was added. Now add its members."),
        "oncall:rotation",
        "oncall/rotation_form.html",
    )


def _rotation_page(
    request: MemberRequest,
    rotation: Rotation,
    form: RotationForm | None = None,
    member_form: MemberForm | None = None,
    status: int = 200,
) -> HttpResponse:
    now = clock.now()
    shifts = resolve.timeline(rotation, now, now + timedelta(days=PREVIEW_DAYS))
    names = people.names(s.user_id for s in shifts)
    away = breaks.away(names, now, now + timedelta(days=PREVIEW_DAYS))
    members = list(rotation.members.select_related("user"))
    pageable = people.pageable(rotation.region_id)
    return show(
        request,
        "oncall/rotation.html",
        {
            "rotation": rotation,
            "form": form or RotationForm(instance=rotation),
            "members": [(m, m.user_id in pageable) for m in members],
            "member_form": member_form or MemberForm(rotation=rotation),
            "preview": [shift_row(s, names, away=away) for s in shifts],
            "preview_days": PREVIEW_DAYS,
        },
        status=status,
    )


@access(COORDINATOR)
def rotation(request: MemberRequest, pk: int) -> HttpResponse:
    return editing.edit(
        request, _rotation(request, pk), RotationForm, _rotation_page, "oncall:rotation"
    )


@require_POST
@access(COORDINATOR)
def rotation_delete(request: MemberRequest, pk: int) -> HttpResponse:
    shown = _rotation(request, pk)
    refusal = _(
        "%(name)s is used by an escalation policy or a schedule. Remove it there first."
    ) % {"name": shown}
    return editing.delete_unless_used(
        request, shown, refusal, "oncall:rotation", "oncall:rotations", shown.windows.exists()
    )


@require_POST
@access(COORDINATOR)
def member_add(request: MemberRequest, pk: int) -> HttpResponse:
    shown = _rotation(request, pk)
    form = MemberForm(request.POST, rotation=shown)
    if not form.is_valid():
        return _rotation_page(request, shown, member_form=form)
    try:
        with transaction.atomic():
            _rotation(request, pk, lock=True)  # one change to the order at a time
            RotationMember.objects.create(
                rotation=shown,
                user=form.cleaned_data["user"],
                position=ordering.next_position(shown.members.all(), "position"),
            )
    except IntegrityError:
        messages.error(request, _("The rotation changed meanwhile. Please try again."))
    else:
        messages.success(
            request, _("%(person)s was added.") % {"person": form.cleaned_data["user"]}
        )
    return redirect("oncall:rotation", pk=shown.pk)


@require_POST
@access(COORDINATOR)
def member_remove(request: MemberRequest, pk: int, member_pk: int) -> HttpResponse:
    with transaction.atomic():
        shown = _rotation(request, pk, lock=True)
        member = get_object_or_404(
            RotationMember.objects.select_related("user"), pk=member_pk, rotation=shown
        )
        member.delete()
        ordering.close_up(shown.members.all(), "position", member.position)
    messages.success(request, _("%(person)s was removed.") % {"person": member.user})
    return redirect("oncall:rotation", pk=shown.pk)


@require_POST
@access(COORDINATOR)
def member_move(request: MemberRequest, pk: int, member_pk: int) -> HttpResponse:
    with transaction.atomic():
        shown = _rotation(request, pk, lock=True)
        member = get_object_or_404(RotationMember, pk=member_pk, rotation=shown)
        ordering.swap(shown.members.all(), "position", member, request.POST.get("direction"))
    return redirect("oncall:rotation", pk=shown.pk)


# --- schedules ------------------------------------------------------------------------


def _schedule(request: MemberRequest, pk: int) -> Schedule:
    return get_object_or_404(
        Schedule.objects.managed_by(request.user).select_related("region"), pk=pk
    )


@access(COORDINATOR)
def schedules(request: MemberRequest) -> HttpResponse:
    listed = (
        Schedule.objects.managed_by(request.user)
        .select_related("region")
        .annotate(window_count=Count("windows"))
        .order_by("region__name", "name")
    )
    return show(request, "oncall/schedules.html", {"schedules": listed})


@access(COORDINATOR)
def schedule_new(request: MemberRequest) -> HttpResponse:
    return editing.add(
        request,
        coordinated(request),
        ScheduleForm,
        {"time_zone": request.user.time_zone.key},
        _("%(name)s was added. Now add its windows."),
        "oncall:schedule",
        "oncall/schedule_form.html",
    )


def _schedule_page(
    request: MemberRequest,
    schedule: Schedule,
    form: ScheduleForm | None = None,
    window_form: WindowForm | None = None,
) -> HttpResponse:
    now = clock.now()
    windows = list(schedule.windows.select_related("rotation"))
    shifts = resolve.schedule_timeline(schedule, now, now + timedelta(days=PREVIEW_DAYS))
    names = people.names(s.user_id for s in shifts)
    away = breaks.away(names, now, now + timedelta(days=PREVIEW_DAYS))
    return show(
        request,
        "oncall/schedule.html",
        {
            "schedule": schedule,
            "form": form or ScheduleForm(instance=schedule),
            "windows": windows,
            "window_form": window_form or WindowForm(schedule=schedule),
            "uncovered": coverage.weekly_uncovered(windows) if windows else None,
            "preview": [shift_row(s, names, away=away) for s in shifts],
            "preview_days": PREVIEW_DAYS,
        },
    )


@access(COORDINATOR)
def schedule(request: MemberRequest, pk: int) -> HttpResponse:
    return editing.edit(
        request, _schedule(request, pk), ScheduleForm, _schedule_page, "oncall:schedule"
    )


@require_POST
@access(COORDINATOR)
def schedule_delete(request: MemberRequest, pk: int) -> HttpResponse:
    shown = _schedule(request, pk)
    refusal = _("%(name)s is used by an escalation policy. Remove it there first.") % {
        "name": shown
    }
    return editing.delete_unless_used(
        request, shown, refusal, "oncall:schedule", "oncall:schedules"
    )


@require_POST
@access(COORDINATOR)
def window_add(request: MemberRequest, pk: int) -> HttpResponse:
    shown = _schedule(request, pk)
    form = WindowForm(request.POST, schedule=shown)
    if not form.is_valid():
        return _schedule_page(request, shown, window_form=form)
    window = form.save(commit=False)
    window.order = ordering.next_position(shown.windows.all(), "order")
    window.save()
    messages.success(request, _("The window was added."))
    return redirect("oncall:schedule", pk=shown.pk)


@require_POST
@access(COORDINATOR)
def window_remove(request: MemberRequest, pk: int, window_pk: int) -> HttpResponse:
    shown = _schedule(request, pk)
    get_object_or_404(ScheduleWindow, pk=window_pk, schedule=shown).delete()
    messages.success(request, _("The window was removed."))
    return redirect("oncall:schedule", pk=shown.pk)


# --- overrides ------------------------------------------------------------------------


@access(COORDINATOR)
def overrides(request: MemberRequest) -> HttpResponse:
    user = request.user
    now = clock.now()
    form = OverrideForm(request.POST or None, regions=coordinated(request), now=now)
    valid = request.method == "POST" and form.is_valid()
    if valid:
        override = form.save(commit=False)
        override.created_by = user
        override.created_at = now
        override.save()
        messages.success(
            request,
            _("%(person)s covers %(rotation)s for that time.")
            % {"person": override.covered_by, "rotation": override.rotation},
        )
        return redirect("oncall:overrides")
    listed = (
        Override.objects.managed_by(user)
        .filter(ends_at__gt=now)
        .select_related("rotation", "covered_by", "replaces", "created_by")
        .order_by("starts_at")
    )
    return show(request, "oncall/overrides.html", {"form": form, "overrides": listed})


@require_POST
@access(COORDINATOR)
def override_delete(request: MemberRequest, pk: int) -> HttpResponse:
    override = get_object_or_404(Override.objects.managed_by(request.user), pk=pk)
    if not confirm.confirmed(request):
        return redirect("oncall:overrides")
    swaps.remove_override(override)
    messages.success(request, _("The override was removed."))
    return redirect("oncall:overrides")
