"""The pages of check-ins: the peer's plans, the colleague's nudge and settings, and the
coordinator's counts. A plan is reached only through ``Plan.objects.visible_to`` (its
peer), a nudge only by its colleague; everyone else meets the same 404."""

from __future__ import annotations

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from backline.accounts.access import COORDINATOR, MEMBER, MemberRequest, role
from backline.accounts.models import User
from backline.accounts.roles import Role
from backline.checkins import answers, handover, taps
from backline.checkins.forms import ContinueForm, LaterForm, PlanForm
from backline.checkins.models import Nudge, OptOut, Plan, schedule
from backline.lib import clock, confirm
from backline.privacy import audit
from backline.privacy.access import access
from backline.privacy.actions import describe

PEER = role(Role.PEER)
PLANNED = describe("checkins.planned", gettext_lazy("planned check-ins with you"))


@access(PEER)
def plans(request: MemberRequest) -> HttpResponse:
    mine = Plan.objects.visible_to(request.user).select_related("colleague")
    return render(request, "checkins/plans.html", {"plans": mine})


@access(PEER)
def plan_new(request: MemberRequest) -> HttpResponse:
    form = PlanForm(request.POST or None, peer=request.user)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            plan = form.save(commit=False)
            schedule(plan, clock.now())
            plan.save()
            audit.record(request.user, PLANNED, subject=plan.colleague, obj=plan)
        messages.success(
            request,
            _("Planned. Backline reminds you an hour before each check-in."),
        )
        return redirect("checkins:plans")
    return render(request, "checkins/plan_form.html", {"form": form})


@require_POST
@access(PEER)
def plan_delete(request: MemberRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(Plan.objects.visible_to(request.user), pk=pk)
    if confirm.confirmed(request):
        plan.delete()
        messages.success(request, _("The check-in plan is deleted. Nothing more is sent."))
    return redirect("checkins:plans")


def _nudge(request: MemberRequest, token: str) -> Nudge:
    return get_object_or_404(
        Nudge.objects.select_related("plan__peer", "plan__region"),
        link_id=token,
        colleague=request.user,
    )


@access(MEMBER)
def nudge(request: MemberRequest, token: str) -> HttpResponse:
    found = _nudge(request, token)
    refusal = ""
    try:
        answers.check(found)
    except answers.Refused as refused:
        refusal = str(refused)
    return render(
        request,
        "checkins/nudge.html",
        {"nudge": found, "refusal": refusal, "later_form": LaterForm()},
    )


def _refused(request: MemberRequest, refused: answers.Refused, token: str) -> HttpResponse:
    messages.info(request, str(refused))
    return redirect("checkins:nudge", token=token)


@require_POST
@access(MEMBER)
def nudge_good(request: MemberRequest, token: str) -> HttpResponse:
    try:
        answers.good(_nudge(request, token))
    except answers.Refused as refused:
        return _refused(request, refused, token)
    messages.success(request, _("Thank you for letting your peer know. Take care."))
    return redirect("home")


@access(MEMBER)
@csrf_exempt  # the key stands in for the CSRF token: only the push that carried it has it
@require_POST
def nudge_good_tap(request: MemberRequest, token: str, key: str) -> HttpResponse:
    """What a push notification's "I'm good" posts to, from the service worker."""
    said = taps.good(token, request.user.pk, key)
    if said is None:
        raise Http404
    return JsonResponse(
        {"outcome": "answered", "title": _("Backline"), "body": said, "url": reverse("home")}
    )


@require_POST
@access(MEMBER)
def nudge_talk(request: MemberRequest, token: str) -> HttpResponse:
    try:
        made = answers.talk(_nudge(request, token))
    except answers.Refused as refused:
        return _refused(request, refused, token)
    messages.success(request, _("Your peer is being asked to reach you."))
    return redirect("support:request", ref=made.public_id)


@require_POST
@access(MEMBER)
def nudge_later(request: MemberRequest, token: str) -> HttpResponse:
    found = _nudge(request, token)
    form = LaterForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose when to be asked again, then tap “Not now”."))
        return redirect("checkins:nudge", token=token)
    try:
        until = answers.later(found, form.cleaned_data["until"])
    except answers.Refused as refused:
        return _refused(request, refused, token)
    local = until.astimezone(request.user.time_zone)
    messages.success(
        request,
        _("All right. Backline asks again on %(when)s.")
        % {"when": date_format(local, "SHORT_DATETIME_FORMAT")},
    )
    return redirect("home")


def _opt_out(colleague_id: int, peer_id: int | None) -> None:
    """No more check-ins for the colleague (from one peer, or from anyone): the plans
    they concern end, and their peers' lists no longer show them."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                OptOut.objects.create(colleague_id=colleague_id, peer_id=peer_id)
        except IntegrityError:
            pass  # already opted out: a double tap
        ended = Plan.objects.filter(colleague_id=colleague_id)
        if peer_id is not None:
            ended = ended.filter(peer_id=peer_id)
        ended.delete()


@require_POST
@access(MEMBER)
def nudge_opt_out(request: MemberRequest, token: str) -> HttpResponse:
    found = _nudge(request, token)
    if not confirm.confirmed(request):
        return redirect("checkins:nudge", token=token)
    peer_id = found.plan.peer_id if found.plan is not None else None
    if peer_id is None:
        messages.info(request, _("This check-in has ended already. Nothing was changed."))
        return redirect("checkins:settings")
    _opt_out(request.user.pk, peer_id)
    messages.success(request, _("This peer's check-ins have stopped. You can change that here."))
    return redirect("checkins:settings")


def _checking_in(colleague: User) -> list[User]:
    """The peers whose check-ins have reached the colleague and go on; a plan that has
    sent nothing yet is for its first nudge to announce."""
    return list(
        User.objects.filter(checkin_plans__colleague=colleague, checkin_plans__nudges__isnull=False)
        .distinct()
        .order_by("full_name", "pk")
    )


@access(MEMBER)
def settings(request: MemberRequest) -> HttpResponse:
    me = request.user
    opt_outs = OptOut.objects.filter(colleague=me).select_related("peer")
    waiting = [
        (plan, ContinueForm(peers=handover.peers_for(plan), prefix=f"plan{plan.pk}"))
        for plan in Plan.objects.filter(colleague=me, peer__isnull=True)
    ]
    return render(
        request,
        "checkins/settings.html",
        {
            "all_off": any(o.peer_id is None for o in opt_outs),
            "from_peers": [o for o in opt_outs if o.peer_id is not None],
            "checking_in": _checking_in(me),
            "waiting": waiting,
        },
    )


@require_POST
@access(MEMBER)
def opt_out_all(request: MemberRequest) -> HttpResponse:
    if confirm.confirmed(request):
        _opt_out(request.user.pk, None)
        messages.success(request, _("You will receive no check-ins. You can turn them back on."))
    return redirect("checkins:settings")


@require_POST
@access(MEMBER)
def opt_out_peer(request: MemberRequest) -> HttpResponse:
    """Stop one peer's check-ins, from the settings page."""
    chosen = {str(peer.pk): peer for peer in _checking_in(request.user)}.get(
        request.POST.get("peer", "")
    )
    if chosen is None:
        messages.info(request, _("Those check-ins have ended already. Nothing was changed."))
    elif confirm.confirmed(request):
        _opt_out(request.user.pk, chosen.pk)
        messages.success(
            request, _("This peer's check-ins have stopped. You can change that here.")
        )
    return redirect("checkins:settings")


@require_POST
@access(MEMBER)
def opt_in_all(request: MemberRequest) -> HttpResponse:
    OptOut.objects.filter(colleague=request.user, peer__isnull=True).delete()
    messages.success(request, _("Peers of your team may plan check-ins with you again."))
    return redirect("checkins:settings")


@require_POST
@access(MEMBER)
def opt_out_remove(request: MemberRequest, pk: int) -> HttpResponse:
    get_object_or_404(OptOut, pk=pk, colleague=request.user, peer__isnull=False).delete()
    messages.success(request, _("This peer may plan check-ins with you again."))
    return redirect("checkins:settings")


def _waiting_plan(request: MemberRequest, pk: int) -> Plan | None:
    """The colleague's handed-over plan, or None (and a message) once it was answered."""
    plan = get_object_or_404(Plan, pk=pk, colleague=request.user, handed_over_at__isnull=False)
    if plan.peer_id is not None:
        messages.info(request, _("These check-ins already continue. Nothing was changed."))
        return None
    return plan


@require_POST
@access(MEMBER)
def handed_over_continue(request: MemberRequest, pk: int) -> HttpResponse:
    plan = _waiting_plan(request, pk)
    if plan is None:
        return redirect("checkins:settings")
    form = ContinueForm(request.POST, peers=handover.peers_for(plan), prefix=f"plan{plan.pk}")
    if not form.is_valid():
        messages.error(request, _("Choose a peer of your team from the list."))
    elif handover.continue_with(plan, form.cleaned_data["peer"]):
        messages.success(request, _("Thank you. Your check-ins continue with this peer."))
    return redirect("checkins:settings")


@require_POST
@access(MEMBER)
def handed_over_end(request: MemberRequest, pk: int) -> HttpResponse:
    plan = _waiting_plan(request, pk)
    if plan is not None and confirm.confirmed(request):
        plan.delete()
        messages.success(request, _("Those check-ins have ended. Take care."))
    return redirect("checkins:settings")


@access(COORDINATOR)
def team(request: MemberRequest) -> HttpResponse:
    regions = [r.pk for r in request.user.regions_with(Role.COORDINATOR)]
    return render(request, "checkins/team.html", {"counts": handover.counts(regions)})
