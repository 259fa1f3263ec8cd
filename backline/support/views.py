"""Reach out, follow a request, and answer one.

The requester sees their own request; only the peer who took it sees who asked (every
such read is audited); other peers see "a colleague"; coordinators see the counts, and
what the team did for each request (support/coordinate.py), never who asked.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from backline.accounts import help_lines
from backline.accounts.access import COORDINATOR, TELECOMMUNICATOR, MemberRequest, role
from backline.accounts.models import Region, User
from backline.accounts.roles import Role
from backline.lib import clock, confirm, tokens
from backline.notify.templatetags.phones import phone
from backline.oncall import resolve
from backline.privacy import audit
from backline.privacy.access import PUBLIC, SIGNED_IN, access
from backline.privacy.actions import describe
from backline.records import reminders
from backline.support import answers, escalation, lifecycle, links, snapshot, targets
from backline.support.forms import (
    ANOTHER_NUMBER,
    ExclusionForm,
    HowToReachForm,
    ReachOutForm,
    TakeForm,
    TeamSettingsForm,
    own_phones,
)
from backline.support.models import (
    Exclusion,
    PageKind,
    RequestStatus,
    SupportRequest,
    TeamSettings,
)

log = logging.getLogger(__name__)

PEER = role(Role.PEER)
REQUEST_VIEWED = describe(
    "support.request.viewed",
    gettext_lazy("read your request for support (as the peer who took it)"),
)


def _home_region(user: User) -> Region:
    """The team a telecommunicator reaches: their (first) agency's region."""
    for membership in user.all_memberships:
        if membership.role in (Role.TELECOMMUNICATOR, Role.PEER) and membership.agency:
            return membership.region
    raise Http404


def _sent(support_request: SupportRequest, follow_token: str | None) -> HttpResponse:
    """Post/redirect/get: a named request's page, or an anonymous one's follow page."""
    if follow_token:
        return redirect("support:follow", token=follow_token)
    return redirect("support:request", ref=support_request.public_id)


OWN_REQUEST = "backline_own_request"


def own_request_ref(request: HttpRequest) -> str | None:
    """The public id of the signed-in person's active request, if they have one (at most
    one: one indexed query), read once per request: the page and the header's link to
    it both ask."""
    if not hasattr(request, OWN_REQUEST):
        user = request.user
        ref = None
        if user.is_authenticated:
            ref = next(iter(_active_of(user).values_list("public_id", flat=True)), None)
        setattr(request, OWN_REQUEST, ref)
    found: str | None = getattr(request, OWN_REQUEST)
    return found


def own_request(request: MemberRequest) -> SupportRequest | None:
    """The signed-in person's active request, with what its status card shows; the
    header's link to it then needs no query of its own."""
    user = request.user
    own = next(iter(_active_of(user).select_related("region", "acknowledged_by")), None)
    if own is not None:
        own.requester = user
    setattr(request, OWN_REQUEST, own.public_id if own else None)
    return own


def _active_of(user: User) -> QuerySet[SupportRequest]:
    """The person's active request, as a query of at most one row (the database allows
    one active request per person): no ORDER BY to build."""
    return SupportRequest.objects.active().filter(requester=user).order_by()[:1]


@access(TELECOMMUNICATOR)
def reach_out(request: MemberRequest) -> HttpResponse:
    user = request.user
    form = ReachOutForm(request.POST or None, requester=user)
    # a valid form sent by someone with a request open meets the database's rule of one
    # active request per person (AlreadyOpen below): only the other cases ask first
    valid = request.method == "POST" and form.is_valid()
    active = None if valid else own_request_ref(request)
    if active:
        messages.info(request, _("You already have a request open. Here it is."))
        return redirect("support:request", ref=active)
    region = _home_region(user)
    not_sent = False
    if valid:
        data = form.cleaned_data
        ask = escalation.Ask(
            urgency=data["urgency"],
            contact=data["contact"],
            anonymous=data["anonymous"],
            outside_agency=data["outside_agency"],
            preferred_peer=data["preferred_peer"],
            note=data["note"],
            callback_number=data["number"],
            place=data["place"],
            once=data["once"],
        )
        try:
            created, follow_token = escalation.reach_out(user, region, ask)
        except escalation.AlreadySent as already:
            messages.info(request, _("Your request was already sent. Here it is."))
            return _sent(already.request, already.follow_token)
        except escalation.AlreadyOpen:
            messages.info(request, _("You already have a request open. Here it is."))
            ref = own_request_ref(request)
            return redirect("support:request", ref=ref) if ref else redirect("home")
        except snapshot.Unreadable as exc:
            # nothing was written: the page says so, and the same form may be sent again
            log.error(
                "region %s: reach out refused, its snapshot is unreadable: %s", region.pk, exc
            )
            not_sent = True
        else:
            return _sent(created, follow_token)
    available = len(resolve.available_now(region.pk, clock.now()))
    context = {"form": form, "available": available, "not_sent": not_sent}
    return render(request, "support/reach_out.html", context, status=503 if not_sent else 200)


def _reach_number(support_request: SupportRequest) -> str:
    """The number the requester is reached on, as their page shows it. An anonymous
    request's page names it by its last digits only: its link may be left in a shared
    console's history, and the number would tell who asked."""
    number = support_request.callback_number
    if support_request.anonymous:
        return _("the number ending in %(digits)s") % {"digits": number[-4:]}
    return phone(number)


def _status_context(support_request: SupportRequest, viewer: User | None = None) -> dict[str, Any]:
    region = support_request.region
    taker = viewer if viewer and support_request.acknowledged_by_id == viewer.pk else None
    return {
        "support_request": support_request,
        "reach_number": _reach_number(support_request),
        "taker": support_request.acknowledged_by,
        "eap_lines": help_lines.or_backline_line(a.eap_line for a in region.agencies.all()),
        "is_taker": taker is not None,
        "shows_requester": taker is not None
        and targets.taker_sees_requester(support_request, taker),
    }


def _own_context(support_request: SupportRequest) -> dict[str, Any]:
    """Where a signed-in requester's choices post."""
    ref = support_request.public_id
    return {
        "widen_url": reverse("support:widen", args=[ref]),
        "wait_url": reverse("support:wait", args=[ref]),
        "cancel_url": reverse("support:cancel", args=[ref]),
        "contact_url": reverse("support:contact", args=[ref]),
    }


def _contact_form(
    request: HttpRequest, support_request: SupportRequest, data: QueryDict | None = None
) -> HowToReachForm:
    """How to reach me, as it stands, to change while waiting. The signed-in person's own
    verified phones are offered (on an anonymous follow page too: it is their browser)."""
    phones = own_phones(request.user) if request.user.is_authenticated else []
    number = support_request.callback_number
    chosen = next((pk for pk, own in phones if own == number), None)
    hidden = support_request.anonymous and not chosen  # kept, but not shown again
    initial = {
        "contact": support_request.contact,
        "phone": chosen or ANOTHER_NUMBER,
        "callback_number": "" if chosen or hidden else number,
        "place": support_request.place,
    }
    kept = _reach_number(support_request) if hidden and number else ""
    return HowToReachForm(
        data,
        phones=phones,
        kept=(number, kept) if kept else None,
        anonymous=support_request.anonymous,
        initial=initial,
        prefix="reach",
    )


def _change_contact(
    request: HttpRequest, support_request: SupportRequest, form: HowToReachForm
) -> bool:
    """Apply a valid change of how to reach the requester; False when the form is not."""
    if not form.is_valid():
        return False
    data = form.cleaned_data
    if lifecycle.change_contact(support_request, data["contact"], data["number"], data["place"]):
        messages.success(request, _("Saved. The peer will reach you this way."))
    else:
        messages.info(request, _("This request is no longer waiting, so nothing was changed."))
    return True


@access(SIGNED_IN)
def request_detail(request: MemberRequest, ref: str) -> HttpResponse:
    support_request = (
        SupportRequest.objects.visible_to(request.user)
        .select_related("region", "acknowledged_by", "requester", "preferred_peer")
        .filter(public_id=ref)
        .first()
    )
    if support_request is None:
        raise Http404
    context = _status_context(support_request, request.user) | _own_context(support_request)
    if not context["is_taker"]:
        context["contact_form"] = _contact_form(request, support_request)
    if context["shows_requester"] and support_request.requester_id:
        audit.record(
            request.user, REQUEST_VIEWED, subject=support_request.requester, obj=support_request
        )
    # the live status is the requester's; the taker's page does not poll
    partial = request.headers.get("HX-Request") == "true" and not context["is_taker"]
    template = "support/status.html" if partial else "support/request.html"
    return render(request, template, context)


def _own(request: MemberRequest, ref: str) -> SupportRequest:
    return get_object_or_404(SupportRequest, public_id=ref, requester=request.user)


@require_POST
@access(SIGNED_IN)
def request_cancel(request: MemberRequest, ref: str) -> HttpResponse:
    support_request = _own(request, ref)
    if not confirm.confirmed(request):
        return redirect("support:request", ref=ref)
    if lifecycle.cancel(support_request):
        messages.success(request, _("Your request is cancelled. You can reach out again any time."))
    else:
        messages.info(request, _("This request had already ended."))
    return redirect("home")


def _widen(support_request: SupportRequest, request: HttpRequest) -> None:
    if escalation.widen(support_request):
        messages.success(request, _("Backline is now paging any peer of your team."))
    else:
        messages.info(request, _("This request is no longer waiting for a peer."))


def _wait(support_request: SupportRequest, request: HttpRequest) -> None:
    if escalation.keep_waiting(support_request):
        messages.success(request, _("Backline keeps paging only the peers you asked for."))
    else:
        messages.info(request, _("This request is no longer waiting for a peer."))


@require_POST
@access(SIGNED_IN)
def request_contact(request: MemberRequest, ref: str) -> HttpResponse:
    support_request = _own(request, ref)
    form = _contact_form(request, support_request, request.POST)
    if _change_contact(request, support_request, form):
        return redirect("support:request", ref=ref)
    context = _status_context(support_request, request.user) | _own_context(support_request)
    return render(request, "support/request.html", context | {"contact_form": form}, status=400)


@require_POST
@access(SIGNED_IN)
def request_widen(request: MemberRequest, ref: str) -> HttpResponse:
    _widen(_own(request, ref), request)
    return redirect("support:request", ref=ref)


@require_POST
@access(SIGNED_IN)
def request_wait(request: MemberRequest, ref: str) -> HttpResponse:
    _wait(_own(request, ref), request)
    return redirect("support:request", ref=ref)


def _follow(token: str) -> SupportRequest:
    found = (
        SupportRequest.objects.filter(follow_token_digest=tokens.digest(token), anonymous=True)
        .select_related("region", "acknowledged_by")
        .first()
    )
    if found is None:
        raise Http404
    return found


def _follow_context(request: HttpRequest, token: str) -> dict[str, Any]:
    return {
        "token": token,
        "widen_url": reverse("support:follow_widen", args=[token]),
        "wait_url": reverse("support:follow_wait", args=[token]),
        "cancel_url": reverse("support:follow_cancel", args=[token]),
        "contact_url": reverse("support:follow_contact", args=[token]),
        "follow_url": request.build_absolute_uri(reverse("support:follow", args=[token])),
        # no app manifest here: "add to home screen" must keep this address, not the app's
        "keep_this_address": True,
    }


def _render_follow(
    request: HttpRequest, support_request: SupportRequest, context: dict[str, Any], status: int
) -> HttpResponse:
    partial = request.headers.get("HX-Request") == "true"
    template = "support/status.html" if partial else "support/follow.html"
    taker = support_request.acknowledged_by
    zone = timezone.get_current_timezone()
    if not request.user.is_authenticated:
        # a visitor reads the time the peer gave in the peer's zone, else the team's
        agency = support_request.region.agencies.order_by("pk").first()
        if taker is not None:
            zone = taker.time_zone
        elif agency is not None:
            zone = ZoneInfo(agency.time_zone)
    with timezone.override(zone):
        response = render(request, template, context, status=status)
    # the site's Referrer-Policy (same-origin) already keeps the token from other sites;
    # "no-referrer" would make the browser send "Origin: null" and fail the CSRF check
    response["Cache-Control"] = "no-store"
    return response


@access(PUBLIC)
def follow(request: HttpRequest, token: str) -> HttpResponse:
    """An anonymous request's private page: its status, how to be reached, its link."""
    support_request = _follow(token)
    context = (
        _status_context(support_request)
        | _follow_context(request, token)
        | {"contact_form": _contact_form(request, support_request)}
    )
    return _render_follow(request, support_request, context, 200)


@require_POST
@access(PUBLIC)
def follow_contact(request: HttpRequest, token: str) -> HttpResponse:
    support_request = _follow(token)
    form = _contact_form(request, support_request, request.POST)
    if _change_contact(request, support_request, form):
        return redirect("support:follow", token=token)
    context = _status_context(support_request) | _follow_context(request, token)
    return _render_follow(request, support_request, context | {"contact_form": form}, 400)


@require_POST
@access(PUBLIC)
def follow_cancel(request: HttpRequest, token: str) -> HttpResponse:
    support_request = _follow(token)
    if confirm.confirmed(request):
        if lifecycle.cancel(support_request):
            messages.success(request, _("Your request is cancelled."))
        else:
            messages.info(request, _("This request had already ended."))
    return redirect("support:follow", token=token)


@require_POST
@access(PUBLIC)
def follow_widen(request: HttpRequest, token: str) -> HttpResponse:
    _widen(_follow(token), request)
    return redirect("support:follow", token=token)


@require_POST
@access(PUBLIC)
def follow_wait(request: HttpRequest, token: str) -> HttpResponse:
    _wait(_follow(token), request)
    return redirect("support:follow", token=token)


@access(PEER)
def page_link(request: MemberRequest, token: str) -> HttpResponse:
    """Where a notification's link leads: sign-in is required, then one tap to take."""
    try:
        page = links.page_from_link(request.user, token, PageKind.PEER)
    except links.LinkExpired:
        return render(request, "support/link_expired.html", status=410)
    return _offer(request, page.request)


@access(PEER)
@csrf_exempt  # the key stands in for the CSRF token: only the push that carried it has it
@require_POST
def page_take(request: MemberRequest, token: str, key: str) -> HttpResponse:
    """What a push notification's "I'll take it" posts to, from the service worker."""
    if not answers.tap_key_is_valid(token, request.user.pk, key):
        raise Http404
    answer = answers.take(token, request.user.pk)
    if answer.outcome is answers.Outcome.NOT_VALID:
        raise Http404  # the same answer for everyone who may not
    return JsonResponse(answers.tap_result(answer))


def _offer(request: MemberRequest, support_request: SupportRequest) -> HttpResponse:
    if not targets.may_take(support_request, request.user):
        raise Http404
    if support_request.acknowledged_by_id == request.user.pk:
        return redirect("support:request", ref=support_request.public_id)
    return render(
        request,
        "support/offer.html",
        {
            "support_request": support_request,
            "taken": support_request.status != RequestStatus.OPEN,
            "form": TakeForm(urgency=support_request.urgency),
        },
    )


@access(PEER)
def open_requests(request: MemberRequest) -> HttpResponse:
    waiting = targets.offers_for(request.user)
    mine = targets.taken_by(request.user)
    return render(request, "support/open_requests.html", {"waiting": waiting, "mine": mine})


@access(PEER)
def offer(request: MemberRequest, ref: str) -> HttpResponse:
    return _offer(request, get_object_or_404(SupportRequest, public_id=ref))


@require_POST
@access(PEER)
def take(request: MemberRequest, ref: str) -> HttpResponse:
    support_request = get_object_or_404(SupportRequest, public_id=ref)
    if not targets.may_take(support_request, request.user):
        raise Http404  # the same answer for everyone who may not, before anything else
    form = TakeForm(request.POST, urgency=support_request.urgency)
    if support_request.acknowledged_by_id == request.user.pk:
        messages.info(request, _("You took this request already."))  # a second tap
        return redirect("support:request", ref=ref)
    if not form.is_valid():
        messages.error(request, _("Choose when you will reach out."))
        return redirect("support:offer", ref=ref)
    try:
        won = lifecycle.acknowledge(
            support_request, request.user, timedelta(minutes=form.cleaned_data["coming_in"])
        )
    except lifecycle.NotAllowed as exc:
        raise Http404 from exc
    if not won:
        messages.info(request, _("Another peer already took this request. Thank you."))
        return redirect("support:open")
    messages.success(request, _("You took the request. Reach out now."))
    return redirect("support:request", ref=ref)


def _taker_action(
    action: Callable[[SupportRequest, User], bool],
    done: Promise,
    refused: Promise,
    confirmed: bool = False,
    then: Callable[[MemberRequest, SupportRequest], str | None] | None = None,
) -> Callable[[MemberRequest, str], HttpResponse]:
    """A view for the taker's ``action``; with ``confirmed``, only from its confirm step;
    once it changed the request, ``then`` may name where the taker goes next."""

    @require_POST
    @access(PEER)
    def view(request: MemberRequest, ref: str) -> HttpResponse:
        support_request = get_object_or_404(
            SupportRequest.objects.visible_to(request.user), public_id=ref
        )
        if confirmed and not confirm.confirmed(request):
            return redirect("support:request", ref=ref)
        try:
            changed = action(support_request, request.user)
        except lifecycle.NotAllowed as exc:
            raise Http404 from exc
        if changed:
            messages.success(request, str(done))
            following = then(request, support_request) if then else None
            if following:
                return redirect(following)
        else:
            messages.info(request, str(refused))
        return redirect("support:request", ref=ref)

    return view


request_start = _taker_action(
    lifecycle.start,
    gettext_lazy("Marked as started."),
    gettext_lazy("This request cannot be started now."),
)


def _offer_record(request: MemberRequest, support_request: SupportRequest) -> str | None:
    """The record form, filled in with what is known; never the request's id."""
    return reminders.after_close(
        request.session, request.user, support_request.region, support_request.contact
    )


request_close = _taker_action(
    lifecycle.close,
    gettext_lazy("Closed. Thank you for being there."),
    gettext_lazy("This request had already ended."),
    confirmed=True,
    then=_offer_record,
)


@access(TELECOMMUNICATOR)
def exclusions(request: MemberRequest) -> HttpResponse:
    """The people a telecommunicator never wants paged for them; private to its owner."""
    form = ExclusionForm(request.POST or None, owner=request.user)
    if request.method == "POST" and form.is_valid():
        Exclusion.objects.get_or_create(owner=request.user, excluded=form.cleaned_data["excluded"])
        messages.success(
            request,
            _("%(person)s will never be paged for you.")
            % {"person": form.cleaned_data["excluded"]},
        )
        return redirect("support:exclusions")
    listed = Exclusion.objects.filter(owner=request.user).select_related("excluded")
    return render(request, "support/exclusions.html", {"form": form, "exclusions": listed})


@require_POST
@access(TELECOMMUNICATOR)
def exclusion_remove(request: MemberRequest, pk: int) -> HttpResponse:
    get_object_or_404(Exclusion, pk=pk, owner=request.user).delete()
    messages.success(request, _("Removed from your list."))
    return redirect("support:exclusions")


@access(COORDINATOR)
def team(request: MemberRequest) -> HttpResponse:
    """The coordinator's view: the open requests and how many wait, never who asked;
    and the team's follow-up window."""
    regions = request.user.regions_with(Role.COORDINATOR)
    active = SupportRequest.objects.filter(region__in=regions)
    forms = []
    for region in regions:
        instance = TeamSettings.objects.filter(region=region).first() or TeamSettings(region=region)
        posted = request.method == "POST" and request.POST.get("region") == str(region.pk)
        form = TeamSettingsForm(
            request.POST if posted else None, instance=instance, prefix=f"team{region.pk}"
        )
        if posted and form.is_valid():
            with transaction.atomic():
                form.save()
                lifecycle.hold_to_window(region.pk)
            messages.success(
                request, _("Saved. Every peer of %(team)s sees it.") % {"team": region}
            )
            return redirect("support:team")
        forms.append((region, form))
    return render(
        request,
        "support/team.html",
        {
            "open_count": active.filter(status=RequestStatus.OPEN).count(),
            "unanswered_count": active.filter(
                status=RequestStatus.OPEN, exhausted_at__isnull=False
            ).count(),
            "taken_count": active.filter(
                status__in=[RequestStatus.ACKNOWLEDGED, RequestStatus.STARTED]
            ).count(),
            "settings_forms": forms,
            # each leads to its coordinator page (support/coordinate.py): "a colleague"
            "requests": SupportRequest.objects.coordinated_by(request.user)
            .active()
            .order_by("requested_at"),
        },
    )


def requester_status(support_request: SupportRequest) -> dict[str, Any]:
    """What the status card (``support/status.html``) needs on another page of the
    requester's own, such as home: the same as on their request's page, and the URL its
    live updates come from."""
    return (
        _status_context(support_request, support_request.requester)
        | _own_context(support_request)
        | {"status_url": reverse("support:request", args=[support_request.public_id])}
    )
