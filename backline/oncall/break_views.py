""" "I need a break": the peer's own page to take themselves out of paging until a date,
behind a confirm step, and to end the break early.

Only the peer sees that it is a break; everyone else sees "unavailable"
(``oncall.breaks``).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from backline.accounts.access import MemberRequest, role
from backline.accounts.roles import Role
from backline.lib import clock, confirm
from backline.oncall import breaks
from backline.oncall.forms import BreakForm
from backline.oncall.pages import show
from backline.privacy.access import access

PEER = role(Role.PEER)


@access(PEER)
def take_break(request: MemberRequest) -> HttpResponse:
    """GET: the page. POST: a valid form is shown back to confirm; with ``confirm=yes``
    the break starts. A day already past changes nothing and says so."""
    user = request.user
    now = clock.now()
    current = breaks.current(user, now)
    form = BreakForm(
        request.POST if request.method == "POST" else None, zone=user.time_zone, now=now
    )
    if request.method == "POST" and form.is_valid():
        until = form.cleaned_data["last_day"]
        if request.POST.get(confirm.FIELD) == confirm.YES:
            breaks.take(user, until, now)
            messages.success(request, _("Your break has started. Take good care of yourself."))
            return redirect("oncall:break")
        confirming = breaks.last_day(until, user.time_zone)
        return show(
            request,
            "oncall/break.html",
            {"form": form, "confirming": confirming, "current": current},
        )
    through = breaks.last_day(current.until, user.time_zone) if current else None
    return show(
        request, "oncall/break.html", {"form": form, "current": current, "through": through}
    )


@require_POST
@access(PEER)
def end_break(request: MemberRequest) -> HttpResponse:
    if not confirm.confirmed(request):
        return redirect("oncall:break")
    if breaks.end(request.user):
        messages.success(request, _("Welcome back. Backline can page you again from now."))
    else:
        messages.info(request, _("You were not on a break, so nothing changed."))
    return redirect("oncall:break")
