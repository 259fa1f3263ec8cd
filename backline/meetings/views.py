"""The pages of sessions. A session is reached only through ``Meeting.objects.visible_to``
(its invitees, facilitators and organiser); who answered what is shown to its
facilitators alone, each time written to the audit log of the people shown."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from backline.accounts.access import MEMBER, MemberRequest, role
from backline.accounts.models import Region
from backline.accounts.roles import Role
from backline.lib import clock, confirm
from backline.meetings import changes, seats
from backline.meetings.forms import MeetingForm
from backline.meetings.models import Answer, Invitee, Meeting
from backline.privacy import audit
from backline.privacy.access import access
from backline.privacy.actions import describe

ORGANISER = role(Role.COORDINATOR, Role.PEER)
SAW_ANSWERS = describe(
    "meetings.answers.viewed", gettext_lazy("saw your answer to a session's invitation")
)
RECENT = timedelta(days=14)  # past sessions stay listed this long, for their records


def _team(request: MemberRequest) -> Region:
    """The team a person schedules for: where they coordinate, else where they are a peer."""
    for wanted in (Role.COORDINATOR, Role.PEER):
        for membership in request.user.all_memberships:
            if membership.role == wanted:
                return membership.region
    raise Http404


def _visible(request: MemberRequest, pk: int) -> Meeting:
    return get_object_or_404(Meeting.objects.visible_to(request.user), pk=pk)


def _managed(request: MemberRequest, pk: int) -> Meeting:
    meeting = _visible(request, pk)
    if not meeting.managed_by(request.user):
        raise Http404
    return meeting


@access(MEMBER)
def sessions(request: MemberRequest) -> HttpResponse:
    now = clock.now()
    mine = (
        Meeting.objects.visible_to(request.user)
        .filter(ends_at__gt=now - RECENT)
        .annotate(seats_taken=Count("invitees", filter=Q(invitees__answer=Answer.YES)))
    )
    answers = dict(
        Invitee.objects.filter(person=request.user, meeting__in=mine).values_list(
            "meeting_id", "answer"
        )
    )
    rows = [(m, Answer(answers[m.pk]).label if m.pk in answers else "") for m in mine]
    return render(
        request,
        "meetings/list.html",
        {
            "upcoming": [r for r in rows if r[0].ends_at > now],
            "past": [r for r in rows if r[0].ends_at <= now],
            "may_schedule": request.user.has_role(Role.COORDINATOR, Role.PEER),
        },
    )


@access(ORGANISER)
def new(request: MemberRequest) -> HttpResponse:
    form = MeetingForm(request.POST or None, region=_team(request), organiser=request.user)
    if request.method == "POST" and form.is_valid():
        meeting = changes.schedule(form, clock.now())
        messages.success(request, _("Scheduled. The invitations are on their way."))
        return redirect("meetings:detail", pk=meeting.pk)
    return render(request, "meetings/form.html", {"form": form, "meeting": None})


@access(MEMBER)
def detail(request: MemberRequest, pk: int) -> HttpResponse:
    meeting = _visible(request, pk)
    now = clock.now()
    invitees = list(meeting.invitees.select_related("person"))
    mine = next((i for i in invitees if i.person_id == request.user.pk), None)
    count = {a: sum(1 for i in invitees if i.answer == a) for a in Answer.values}
    facilitating = meeting.facilitated_by(request.user)
    answered: list[tuple[object, list[Invitee]]] = []
    if facilitating:
        for value, label in Answer.choices:
            group = [i for i in invitees if i.answer == value]
            if value == Answer.WAITING_LIST:
                group.sort(key=lambda i: (i.waiting_since, i.pk))
            if group:
                answered.append((label, group))
        audit.record_many(request.user, SAW_ANSWERS, [(i.person, meeting) for i in invitees])
    record_link = ""
    if facilitating and meeting.starts_at <= now and not meeting.cancelled:
        kind = {"type": "group_session", "channel": "video" if meeting.video_link else "in_person"}
        record_link = f"{reverse('records:new')}?{urlencode(kind)}"
    return render(
        request,
        "meetings/detail.html",
        {
            "meeting": meeting,
            "facilitators": list(meeting.facilitators.all()),
            "mine": mine,
            "coming": count[Answer.YES],
            "maybe": count[Answer.MAYBE],
            "waiting": count[Answer.WAITING_LIST],
            "free": max(meeting.capacity - count[Answer.YES], 0),
            "open": not meeting.cancelled and meeting.ends_at > now,
            "manages": meeting.managed_by(request.user),
            "answered": answered,
            "record_link": record_link,
            "Answer": Answer,
        },
    )


def _seen(request: MemberRequest) -> int:
    try:
        return int(request.POST.get("sequence", ""))
    except ValueError:
        return -1  # a form made by hand: treated as stale


@require_POST
@access(MEMBER)
def answer(request: MemberRequest, pk: int) -> HttpResponse:
    meeting = _visible(request, pk)
    said = request.POST.get("answer", "")
    if not meeting.invitees.filter(person=request.user).exists():
        raise Http404  # a facilitator or an organiser who is not invited
    if said not in {Answer.YES, Answer.MAYBE, Answer.NO, Answer.WAITING_LIST}:
        messages.info(request, _("Choose one of the answers. Nothing was changed."))
        return redirect("meetings:detail", pk=pk)
    try:
        told = seats.answer(meeting.pk, request.user, said, _seen(request), clock.now())
    except seats.Full as full:
        messages.info(request, str(full))
        return redirect(f"{reverse('meetings:detail', args=[pk])}#waiting-list")
    except seats.Refused as refused:
        messages.info(request, str(refused))
        return redirect("meetings:detail", pk=pk)
    messages.success(request, told)
    return redirect("meetings:detail", pk=pk)


@access(ORGANISER)
def edit(request: MemberRequest, pk: int) -> HttpResponse:
    meeting = _managed(request, pk)
    form = MeetingForm(
        request.POST or None, instance=meeting, region=meeting.region, organiser=request.user
    )
    if request.method == "POST" and form.is_valid():
        try:
            changes.change(form, _seen(request), clock.now())
        except changes.TooFewSeats as few:
            form.add_error("capacity", str(few))
        except seats.Refused as refused:
            messages.info(request, str(refused))
            return redirect("meetings:detail", pk=pk)
        else:
            messages.success(request, _("Saved. Everyone invited is told, with the new time."))
            return redirect("meetings:detail", pk=pk)
    return render(request, "meetings/form.html", {"form": form, "meeting": meeting})


@require_POST
@access(ORGANISER)
def cancel(request: MemberRequest, pk: int) -> HttpResponse:
    meeting = _managed(request, pk)
    if confirm.confirmed(request):
        try:
            changes.cancel(meeting.pk, clock.now())
        except seats.Refused as refused:
            messages.info(request, str(refused))
        else:
            messages.success(request, _("Cancelled. Everyone invited is told."))
    return redirect("meetings:detail", pk=pk)
