"""The in-app notifications page, which refreshes itself, the header's unread count,
which every page refreshes, and marking messages read.

The list polls every few seconds (htmx). A poll carries a fingerprint of what the page
shows; while nothing changed the answer is 204 and htmx leaves the page alone, so focus
and screen readers are not disturbed every five seconds.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Count, Max, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from backline.accounts.access import MemberRequest
from backline.accounts.models import User
from backline.lib import clock
from backline.notify.inapp.counts import unread_count
from backline.notify.models import OutgoingMessage
from backline.privacy.access import SIGNED_IN, access

PER_PAGE = 30


def _fingerprint(user: User) -> tuple[str, int]:
    """What identifies the state of the list, and how many are unread."""
    state = (
        OutgoingMessage.objects.visible_to(user)
        .inbox()
        .aggregate(
            latest=Max("pk"),
            total=Count("pk"),
            unread=Count("pk", filter=Q(read_at__isnull=True, resolved_at__isnull=True)),
            resolved=Count("pk", filter=Q(resolved_at__isnull=False)),
        )
    )
    shown = f"{state['latest'] or 0}.{state['total']}.{state['unread']}.{state['resolved']}"
    return shown, state["unread"]


@access(SIGNED_IN)
def inbox(request: MemberRequest) -> HttpResponse:
    fingerprint, unread = _fingerprint(request.user)
    partial = request.headers.get("HX-Request") == "true"
    if partial and request.GET.get("seen") == fingerprint:
        return HttpResponse(status=204)
    page = Paginator(
        OutgoingMessage.objects.visible_to(request.user).inbox().order_by("-created_at", "-pk"),
        PER_PAGE,
    ).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "unread": unread,
        "fingerprint": fingerprint,
        "live": page.number == 1,
        "partial": partial,
    }
    template = "notify/inbox_list.html" if partial else "notify/inbox.html"
    response = render(request, template, context)
    response["Cache-Control"] = "no-store"
    return response


@access(SIGNED_IN)
def unread(request: MemberRequest) -> HttpResponse:
    """The header's unread count, which every page refreshes by itself."""
    return render(request, "notify/unread_count.html", {"count": unread_count(request.user.pk)})


@require_POST
@access(SIGNED_IN)
def mark_read(request: MemberRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(OutgoingMessage.objects.visible_to(request.user).inbox(), pk=pk)
    OutgoingMessage.objects.filter(pk=message.pk, read_at__isnull=True).update(read_at=clock.now())
    return redirect("notify:inbox")


@require_POST
@access(SIGNED_IN)
def mark_all_read(request: MemberRequest) -> HttpResponse:
    OutgoingMessage.objects.visible_to(request.user).unread().update(read_at=clock.now())
    return redirect("notify:inbox")
