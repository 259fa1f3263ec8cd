"""The "On call" page and what is done from it.

Peers see who is on call now and next, their own shifts, and set "available now" and
quiet hours; they offer shifts, take their team's offers, and make their private
calendar link. Coordinators see the same page, with the offers nobody took yet, which
they can give to a peer of the team. The calendar feed is public and authenticated by
its token alone.

The coordinators' own pages (rotations, schedules, overrides) are in
``oncall/rotation_views.py``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from backline.accounts.access import COORDINATOR, MEMBER, MemberRequest, role
from backline.accounts.models import User
from backline.accounts.roles import Role
from backline.lib import clock
from backline.oncall import breaks, ics, people, resolve, swaps, waking
from backline.oncall.forms import AssignForm, AvailabilityForm, OfferForm, QuietHoursForm
from backline.oncall.models import (
    Availability,
    CalendarFeed,
    QuietHours,
    Rotation,
    Schedule,
    ShiftOffer,
)
from backline.oncall.pages import coordinated, shift_row, show
from backline.privacy.access import PUBLIC, access

PEER = role(Role.PEER)
PEER_OR_COORDINATOR = role(Role.PEER, Role.COORDINATOR)
MY_SHIFTS_DAYS = 30


# --- the "On call" page ---------------------------------------------------------------


def _teams(user: User, now: datetime) -> list[dict[str, Any]]:
    """Each team's rotations with the current and next shift, and schedules now."""
    rotations = list(Rotation.objects.visible_to(user).select_related("region"))
    schedules = list(Schedule.objects.visible_to(user).select_related("region"))
    farthest = max((resolve.look_ahead(r, now) for r in rotations), default=now)
    turns = resolve.load_turns(rotations, now, farthest)
    upcoming = {r.pk: resolve.now_and_next(r, now, turns[r.pk]) for r in rotations}
    schedule_now = resolve.schedules_on_call(schedules, now, turns)
    ids = [s.user_id for shifts, _horizon in upcoming.values() for s in shifts]
    names = people.names([*ids, *schedule_now.values()])
    away = breaks.away(names, now, farthest)
    teams: dict[int, dict[str, Any]] = {}
    for m in user.all_memberships:
        if m.role in (Role.PEER, Role.COORDINATOR):
            teams.setdefault(m.region_id, {"region": m.region, "rotations": [], "schedules": []})
    for rotation in rotations:
        shifts, horizon = upcoming[rotation.pk]
        rows = [shift_row(s, names, horizon, away) for s in shifts]
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
        on_break = breaks.current(user, now)
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
            "on_break": on_break,
            "break_through": breaks.last_day(on_break.until, zone) if on_break else None,
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
    regions = coordinated(request)
    if regions:
        offers = list(
            ShiftOffer.objects.open()
            .managed_by(user)
            .filter(ends_at__gt=now)
            .select_related("rotation", "offered_by")
            .order_by("starts_at")
        )
        # each team's peers read once, for the lists of all its offers
        team_peers = {
            region_id: list(people.peers([region_id]))
            for region_id in {offer.rotation.region_id for offer in offers}
        }
        context |= {
            "assignable": [
                (
                    offer,
                    forms.get(f"assign_{offer.pk}")
                    or AssignForm(
                        peers=team_peers[offer.rotation.region_id],
                        offerer_id=offer.offered_by_id,
                        prefix=f"assign-{offer.pk}",
                    ),
                )
                for offer in offers
            ],
        }
    return show(request, "oncall/home.html", context)


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
    if breaks.current(user, now):
        messages.info(
            request, _("You are on a break, so nothing changed. End it first to be available.")
        )
        return redirect("oncall:break")
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
    return show(request, "oncall/offer_form.html", {"form": form})


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
        peers=list(people.peers([offer.rotation.region_id])),
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
@access(MEMBER)
def calendar(request: MemberRequest) -> HttpResponse:
    """Make (or remake) the private calendar link, and show it this once: every member's
    sessions, and a peer's shifts."""
    token = ics.issue(request.user)
    url = request.build_absolute_uri(reverse("oncall:calendar_feed", args=[token]))
    response = show(
        request,
        "oncall/calendar_link.html",
        {
            "url": url,
            "webcal": "webcal://" + url.split("://", 1)[1],
            "peer": request.user.has_role(Role.PEER),
        },
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
