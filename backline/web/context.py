"""What every page's layout needs to know about the person viewing it."""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from backline.accounts.roles import Role
from backline.engine import health
from backline.notify.inapp.counts import unread_count
from backline.support.views import own_request_ref
from backline.web.dev_mail import DEVELOPMENT_MAIL


def navigation(request: HttpRequest) -> dict[str, Any]:
    # a page shown before the authentication middleware ran (an early error) has no user
    user = request.user if hasattr(request, "user") else None
    if user is None or not user.is_authenticated:
        return {
            "can_reach_out": False,
            "open_request_url": None,
            "can_manage": False,
            "dev_mail": False,
        }
    # the development mailbox shows a signed-in person their own mail
    dev_mail = {"dev_mail": DEVELOPMENT_MAIL.allows(request)}
    coordinator = user.has_role(Role.COORDINATOR)
    # coordinators are warned when the paging engine has stopped, or a phase of it keeps
    # failing (one query; nothing in it names anyone)
    engine = health.watch() if coordinator else None
    can_reach_out = user.has_role(Role.TELECOMMUNICATOR, Role.PEER)
    return {
        "can_reach_out": can_reach_out,
        # "Your request" in place of "Reach out" while the person has one that is active
        "open_request_url": _open_request_url(request) if can_reach_out else None,
        "can_manage": user.has_role(Role.COORDINATOR, Role.ADMINISTRATOR),
        "is_peer": user.has_role(Role.PEER),
        "is_coordinator": coordinator,
        "is_member": bool(user.all_memberships),
        "engine_stale": engine is not None and not engine.running,
        "engine_delay": engine.delay if engine else None,
        # the header's "Notifications (n)": one indexed COUNT
        "unread_notifications": unread_count(user.pk),
        **dev_mail,
    }


def _open_request_url(request: HttpRequest) -> str | None:
    ref = own_request_ref(request)
    return reverse("support:request", args=[ref]) if ref else None
