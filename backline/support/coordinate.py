"""A coordinator's page of one request: what the team has done for it, "page all
available peers again", and a call to the on-call peer.

Only coordinators of the request's team reach it, from their alert's link or the team's
list; everyone else meets the same 404. The requester stays "a colleague": the template
is given a summary built here, never the request, so it cannot show who asked, their
note, number or wishes; and nothing here lists, counts or hints at whom the wishes or
exclusions ruled out (docs/adr/0012-coordinator-page.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from backline.accounts.access import COORDINATOR, MemberRequest
from backline.accounts.models import User
from backline.lib import clock
from backline.notify.models import Channel, ContactMethod
from backline.oncall import resolve
from backline.privacy import audit
from backline.privacy.access import access
from backline.privacy.actions import describe
from backline.support import escalation, links, targets
from backline.support.models import (
    Event,
    EventKind,
    Page,
    PageKind,
    RequestStatus,
    SupportRequest,
)

PHONE_SEEN = describe(
    "support.peer_phone.seen",
    gettext_lazy("saw your phone number, to call you about a colleague's waiting request"),
)
# What the timeline shows. Never a skipped or narrowed step, nor a widening: beside the
# on-call schedule they would tell whom the requester left out, or what they wished.
SHOWN = (
    EventKind.PAGED,
    EventKind.REPAGED,
    EventKind.ALERTED,
    EventKind.EXHAUSTED,
    EventKind.ACKNOWLEDGED,
    EventKind.STARTED,
    EventKind.REOPENED,
    EventKind.CLOSED,
    EventKind.CANCELLED,
)
PHONES = (Channel.SMS, Channel.VOICE)


@dataclass(frozen=True)
class Summary:
    """All the page tells of the request itself."""

    ref: str
    status: str
    status_label: str
    urgency_label: str
    requested_at: datetime
    acknowledged_at: datetime | None
    closed_at: datetime | None

    @property
    def is_open(self) -> bool:
        return self.status == RequestStatus.OPEN


@dataclass(frozen=True)
class Entry:
    """One line of what the team has done: when, what, and how many peers were paged
    then. Not who: beside the on-call schedule, the names paged would show who was left
    out, and so an anonymous peer who asked, or whom the requester excluded."""

    at: datetime
    label: str
    kind: str
    paged: int


@dataclass(frozen=True)
class OnCall:
    """An on-call peer to phone, with their verified number (or none)."""

    name: str
    number: str


def _coordinated(user: User, ref: str) -> SupportRequest:
    found = SupportRequest.objects.coordinated_by(user).filter(public_id=ref).first()
    if found is None:
        raise Http404
    return found


def _summary(support_request: SupportRequest) -> Summary:
    return Summary(
        ref=support_request.public_id,
        status=support_request.status,
        status_label=support_request.get_status_display(),
        urgency_label=support_request.get_urgency_display(),
        requested_at=support_request.requested_at,
        acknowledged_at=support_request.acknowledged_at,
        closed_at=support_request.closed_at,
    )


def _timeline(support_request: SupportRequest) -> list[Entry]:
    """The request's events that tell nothing of its wishes, each page with its count."""
    return [
        Entry(
            event.at,
            event.get_kind_display(),
            event.kind,
            event.count if event.kind in (EventKind.PAGED, EventKind.REPAGED) else 0,
        )
        for event in Event.objects.filter(request=support_request, kind__in=SHOWN)
    ]


def _on_call(support_request: SupportRequest, viewer: User, now: datetime) -> list[OnCall]:
    """The peers on call now whom Backline paged for this request: only people the page
    already names as paged, so it tells nothing more, and a call never reaches someone
    the requester's wishes left out. Each number shown is audited as seen."""
    team = targets.Team.of(support_request.region_id)
    paged = set(
        Page.objects.filter(request=support_request, kind=PageKind.PEER).values_list(
            "peer_id", flat=True
        )
    )
    callable_ids = {
        peer_id
        for peer_id in resolve.on_call_now(support_request.region_id, now) & paged
        if peer_id != viewer.pk and targets.allows(support_request, team, peer_id)
    }
    phones: dict[int, ContactMethod] = {}
    for method in ContactMethod.objects.usable().filter(
        user_id__in=callable_ids, channel__in=PHONES
    ):
        phones.setdefault(method.user_id, method)
    peers = list(User.objects.filter(pk__in=callable_ids).order_by("full_name", "pk"))
    audit.record_many(
        viewer, PHONE_SEEN, [(peer, phones[peer.pk]) for peer in peers if peer.pk in phones]
    )
    return [
        OnCall(peer.display_name, phones[peer.pk].value if peer.pk in phones else "")
        for peer in peers
    ]


@access(COORDINATOR)
def alert(request: MemberRequest, token: str) -> HttpResponse:
    """Where a coordinator step's notification leads: to the request's coordinator page."""
    try:
        page = links.page_from_link(request.user, token, PageKind.COORDINATOR)
    except links.LinkExpired:
        context = {"list_url": reverse("support:team")}
        return render(request, "support/link_expired.html", context, status=410)
    return redirect("support:coordinate", ref=page.request.public_id)


@access(COORDINATOR)
def coordinate(request: MemberRequest, ref: str) -> HttpResponse:
    support_request = _coordinated(request.user, ref)
    summary = _summary(support_request)
    to_call = _on_call(support_request, request.user, clock.now()) if summary.is_open else []
    return render(
        request,
        "support/coordinate.html",
        {"summary": summary, "timeline": _timeline(support_request), "to_call": to_call},
    )


@require_POST
@access(COORDINATOR)
def page_again(request: MemberRequest, ref: str) -> HttpResponse:
    support_request = _coordinated(request.user, ref)
    outcome = escalation.page_again(support_request)
    if outcome is escalation.Again.PAGED:
        messages.success(request, _("The available peers were paged again."))
    elif outcome is escalation.Again.NOBODY:
        messages.info(
            request,
            _(
                "No peer is available to page right now. Backline keeps going through "
                "the steps; you can page again in a few minutes."
            ),
        )
    elif outcome is escalation.Again.JUST_DONE:
        messages.info(
            request,
            _("The available peers were paged again a moment ago, so nobody was paged twice."),
        )
    else:
        support_request.refresh_from_db(fields=["status"])
        if support_request.status in (RequestStatus.ACKNOWLEDGED, RequestStatus.STARTED):
            messages.info(request, _("A peer has already taken this request. Nobody was paged."))
        else:
            messages.info(request, _("This request has ended. Nobody was paged."))
    return redirect("support:coordinate", ref=ref)
