"""On-call pages.

Peers: who is on call now and next, their own shifts, "available now", quiet hours,
shift offers and swaps, and their private calendar link. Coordinators: rotations,
schedules and overrides. A coordinator's objects are looked up
through ``managed_by`` (their regions), so another region's get 404. The calendar feed
is public and authenticated by its token alone.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from backline.accounts.access import COORDINATOR, MemberRequest, role
from backline.accounts.models import Region, User
from backline.accounts.roles import Role
from backline.lib import clock, confirm, editing, ordering
from backline.oncall import coverage, ics, people, resolve, swaps, waking
from backline.oncall.forms import (
    AssignForm,
    AvailabilityForm,
    MemberForm,
    OfferForm,
    OverrideForm,
    QuietHoursForm,
    RotationForm,
    ScheduleForm,
    WindowForm,
)
from backline.oncall.models import (
    Availability,
    CalendarFeed,
    Override,
    QuietHours,
    Rotation,
    RotationMember,
    Schedule,
    ScheduleWindow,
    ShiftOffer,
)
from backline.privacy.access import PUBLIC, access

PEER = role(Role.PEER)
PEER_OR_COORDINATOR = role(Role.PEER, Role.COORDINATOR)
MY_SHIFTS_DAYS = 30
PREVIEW_DAYS = 14


def _render(
    request: MemberRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """Render, saying which time zone the page's times are in (the viewer's, which
    ``LocalTimeMiddleware`` made current)."""
    return render(request, template, {"zone": request.user.time_zone.key, **context}, status=status)


def _coordinated(request: MemberRequest) -> list[Region]:
    return request.user.regions_with(Role.COORDINATOR)


def _shift_row(
    shift: resolve.Shift, names: dict[int, User], horizon: datetime | None = None
) -> dict[str, Any]:
    return {
        "starts_at": shift.starts_at,
        "ends_at": shift.ends_at,
        "person": names.get(shift.user_id) if shift.user_id else None,
        "open_ended": horizon is not None and shift.ends_at >= horizon,
    }


# --- the "On call" page ---------------------------------------------------------------


def _teams(user: User, now: datetime) -> list[dict[str, Any]]:
    """Each team's rotations with the current and next shift, and schedules now."""
    rotations = list(Rotation.objects.visible_to(user).select_related("region"))
    schedules = list(Schedule.objects.visible_to(user).select_related("region"))
    farthest = max((resolve.look_ahead(r, now) for r in rotations), default=now)
    turns = resolve.load_turns(rotations, now, farthest)
    upcoming = {r.pk: resolve.now_and_next(r, now, turns[r.pk]) for r in rotations}
    schedule_now = {s.pk: resolve.schedule_on_call(s, now, turns) for s in schedules}
    ids = [s.user_id for shifts, _horizon in upcoming.values() for s in shifts]
    names = people.names([*ids, *schedule_now.values()])
    teams: dict[int, dict[str, Any]] = {}
    for m in user.all_memberships:
        if m.role in (Role.PEER, Role.COORDINATOR):
            teams.setdefault(m.region_id, {"region": m.region, "rotations": [], "schedules": []})
    for rotation in rotations:
        shifts, horizon = upcoming[rotation.pk]
        rows = [_shift_row(s, names, horizon) for s in shifts]
        teams[rotation.region_id]["rotations"].append(
            {
                "rotation": rotation,
                "current": rows[0] if rows else None,
                "next": rows[1] if len(rows) > 1 else None,
            }
        )
    for schedule in schedules:
        on_call = schedule_now[schedule.pk]
        teams[schedule.region_id]["schedules"].append(
            {"schedule": schedule, "person": names.get(on_call) if on_call else None}
        )
    return sorted(teams.values(), key=lambda t: t["region"].name)


def _my_shifts(user: User, now: datetime) -> list[dict[str, Any]]:
    end = now + timedelta(days=MY_SHIFTS_DAYS)
    rotations = list(Rotation.objects.filter(region__in=user.regions_with(Role.PEER)))
    return [
        {"rotation": rotation, "starts_at": shift.starts_at, "ends_at": shift.ends_at}
        for rotation, shift in resolve.shifts_of(user.pk, rotations, now, end)
    ]


def _home(request: MemberRequest, **forms: Any) -> HttpResponse:
    """The page; ``forms`` are bound forms that failed, shown with their errors."""
    user = request.user
    now = clock.now()
    zone = user.time_zone
    context: dict[str, Any] = {"teams": _teams(user, now), "now": now}
    if user.has_role(Role.PEER):
        quiet = QuietHours.objects.filter(user=user).first()
        context |= {
            "is_peer": True,
            "my_shifts": _my_shifts(user, now),
            "my_offers": ShiftOffer.objects.filter(offered_by=user, ends_at__gt=now)
            .select_related("rotation", "override__covered_by")
            .order_by("starts_at"),
            "open_offers": ShiftOffer.objects.open()
            .filter(rotation__region__in=user.regions_with(Role.PEER), ends_at__gt=now)
            .exclude(offered_by=user)
            .select_related("rotation", "offered_by")
            .order_by("starts_at"),
            "availability": Availability.objects.filter(user=user, until__gt=now).first(),
            "availability_form": forms.get("availability_form")
            or AvailabilityForm(zone=zone, now=now),
            "quiet_hours": quiet,
            "night": (waking.NIGHT_STARTS, waking.NIGHT_ENDS),
            "quiet_form": forms.get("quiet_form")
            or QuietHoursForm(
                instance=quiet,
                initial={} if quiet else {"time_zone": zone.key},
            ),
            "has_calendar": CalendarFeed.objects.filter(user=user).exists(),
        }
    regions = _coordinated(request)
    if regions:
        offers = list(
            ShiftOffer.objects.open()
            .managed_by(user)
            .filter(ends_at__gt=now)
            .select_related("rotation", "offered_by")
            .order_by("starts_at")
        )
        context |= {
            "assignable": [
                (
                    offer,
                    forms.get(f"assign_{offer.pk}")
                    or AssignForm(
                        region_id=offer.rotation.region_id,
                        offerer_id=offer.offered_by_id,
                        prefix=f"assign-{offer.pk}",
                    ),
                )
                for offer in offers
            ],
        }
    return _render(request, "oncall/home.html", context)


@access(PEER_OR_COORDINATOR)
def home(request: MemberRequest) -> HttpResponse:
    return _home(request)


@require_POST
@access(PEER)
def availability(request: MemberRequest) -> HttpResponse:
    user = request.user
    now = clock.now()
    if request.POST.get("action") == "off":
        Availability.objects.filter(user=user).delete()
        messages.success(request, _("You are no longer marked available."))
        return redirect("oncall:home")
    form = AvailabilityForm(request.POST, zone=user.time_zone, now=now)
    if not form.is_valid():
        return _home(request, availability_form=form)
    Availability.objects.update_or_create(
        user=user, defaults={"until": form.cleaned_data["until"], "set_at": now}
    )
    messages.success(request, _("You are marked available. Thank you."))
    return redirect("oncall:home")


@require_POST
@access(PEER)
def quiet_hours(request: MemberRequest) -> HttpResponse:
    user = request.user
    existing = QuietHours.objects.filter(user=user).first()
    if request.POST.get("action") == "remove":
        QuietHours.objects.filter(user=user).delete()
        messages.success(request, _("Your quiet hours are removed."))
        return redirect("oncall:home")
    form = QuietHoursForm(request.POST, instance=existing or QuietHours(user=user))
    if not form.is_valid():
        return _home(request, quiet_form=form)
    form.save()
    messages.success(request, _("Your quiet hours are saved."))
    return redirect("oncall:home")


# --- offers and swaps -------------------------------------------------------------------


@access(PEER)
def offer_new(request: MemberRequest) -> HttpResponse:
    user = request.user
    now = clock.now()
    if request.method == "POST":
        form = OfferForm(request.POST, offerer=user, now=now)
    else:
        form = OfferForm(
            offerer=user,
            now=now,
            initial={
                "rotation": request.GET.get("rotation"),
                "starts_at": request.GET.get("from"),
                "ends_at": request.GET.get("until"),
            },
        )
    valid = request.method == "POST" and form.is_valid()
    if valid:
        data = form.cleaned_data
        try:
            swaps.offer(data["rotation"], user, data["starts_at"], data["ends_at"], now)
        except swaps.Refused as refused:
            form.add_error(None, refused.reason)
        else:
            messages.success(request, _("Your offer is open: peers of your team can take it."))
            return redirect("oncall:home")
    return _render(request, "oncall/offer_form.html", {"form": form})


@require_POST
@access(PEER)
def offer_take(request: MemberRequest, pk: int) -> HttpResponse:
    offer = get_object_or_404(
        ShiftOffer.objects.filter(
            rotation__region__in=request.user.regions_with(Role.PEER)
        ).select_related("rotation"),
        pk=pk,
    )
    try:
        swaps.take(offer, request.user)
    except swaps.Refused as refused:
        messages.error(request, refused.reason)
    else:
        messages.success(request, _("The shift is yours. Thank you for covering."))
    return redirect("oncall:home")


@require_POST
@access(PEER)
def offer_withdraw(request: MemberRequest, pk: int) -> HttpResponse:
    offer = get_object_or_404(ShiftOffer, pk=pk, offered_by=request.user)
    if swaps.withdraw(offer, request.user):
        messages.success(request, _("Your offer is withdrawn."))
    else:
        messages.error(request, _("This offer was already taken or withdrawn."))
    return redirect("oncall:home")


@require_POST
@access(COORDINATOR)
def offer_assign(request: MemberRequest, pk: int) -> HttpResponse:
    offer = get_object_or_404(
        ShiftOffer.objects.managed_by(request.user).select_related("rotation"), pk=pk
    )
    form = AssignForm(
        request.POST,
        region_id=offer.rotation.region_id,
        offerer_id=offer.offered_by_id,
        prefix=f"assign-{offer.pk}",
    )
    if not form.is_valid():
        return _home(request, **{f"assign_{offer.pk}": form})
    try:
        swaps.take(offer, form.cleaned_data["taker"], by=request.user)
    except swaps.Refused as refused:
        messages.error(request, refused.reason)
    else:
        messages.success(
            request,
            _("%(person)s now covers this shift.") % {"person": form.cleaned_data["taker"]},
        )
    return redirect("oncall:home")


# --- the calendar subscription --------------------------------------------------------


@require_POST
@access(PEER)
def calendar(request: MemberRequest) -> HttpResponse:
    """Make (or remake) the private calendar link, and show it this once."""
    token = ics.issue(request.user)
    url = request.build_absolute_uri(reverse("oncall:calendar_feed", args=[token]))
    response = _render(
        request,
        "oncall/calendar_link.html",
        {"url": url, "webcal": "webcal://" + url.split("://", 1)[1]},
    )
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


@access(PUBLIC)
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    user = ics.owner(token)
    if user is None:
        raise Http404
    response = HttpResponse(ics.calendar(user), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="backline-on-call.ics"'
    # no caching of its own: the feed lists one named peer's shifts, so it is no-store
    # like every page (NoStoreMiddleware); with no validators, no-cache saved nothing
    response["Referrer-Policy"] = "no-referrer"
    return response


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
    return _render(request, "oncall/rotations.html", {"rotations": listed})


@access(COORDINATOR)
def rotation_new(request: MemberRequest) -> HttpResponse:
    region = editing.chosen_region(request, _coordinated(request))
    form = RotationForm(
        request.POST or None,
        instance=Rotation(region=region),
        initial={
            "time_zone": request.user.time_zone.key,
            "starts_on": clock.now().astimezone(request.user.time_zone).date(),
        },
    )
    if request.method == "POST" and form.is_valid():
        rotation = form.save()
        messages.success(
            request, _("%(name)s was added. Now add its members.") % {"name": rotation}
        )
        return redirect("oncall:rotation", pk=rotation.pk)
    return _render(
        request,
        "oncall/rotation_form.html",
        {"form": form, "regions": _coordinated(request), "region": region},
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
    members = list(rotation.members.select_related("user"))
    pageable = people.pageable(rotation.region_id)
    return _render(
        request,
        "oncall/rotation.html",
        {
            "rotation": rotation,
            "form": form or RotationForm(instance=rotation),
            "members": [(m, m.user_id in pageable) for m in members],
            "member_form": member_form or MemberForm(rotation=rotation),
            "preview": [_shift_row(s, names) for s in shifts],
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
    return _render(request, "oncall/schedules.html", {"schedules": listed})


@access(COORDINATOR)
def schedule_new(request: MemberRequest) -> HttpResponse:
    region = editing.chosen_region(request, _coordinated(request))
    form = ScheduleForm(
        request.POST or None,
        instance=Schedule(region=region),
        initial={"time_zone": request.user.time_zone.key},
    )
    if request.method == "POST" and form.is_valid():
        schedule = form.save()
        messages.success(
            request, _("%(name)s was added. Now add its windows.") % {"name": schedule}
        )
        return redirect("oncall:schedule", pk=schedule.pk)
    return _render(
        request,
        "oncall/schedule_form.html",
        {"form": form, "regions": _coordinated(request), "region": region},
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
    return _render(
        request,
        "oncall/schedule.html",
        {
            "schedule": schedule,
            "form": form or ScheduleForm(instance=schedule),
            "windows": windows,
            "window_form": window_form or WindowForm(schedule=schedule),
            "uncovered": coverage.weekly_uncovered(windows) if windows else None,
            "preview": [_shift_row(s, names) for s in shifts],
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
    form = OverrideForm(request.POST or None, regions=_coordinated(request), now=now)
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
    return _render(request, "oncall/overrides.html", {"form": form, "overrides": listed})


@require_POST
@access(COORDINATOR)
def override_delete(request: MemberRequest, pk: int) -> HttpResponse:
    override = get_object_or_404(Override.objects.managed_by(request.user), pk=pk)
    if not confirm.confirmed(request):
        return redirect("oncall:overrides")
    swaps.remove_override(override)
    messages.success(request, _("The override was removed."))
    return redirect("oncall:overrides")
