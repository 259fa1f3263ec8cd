"""Turning on browser notifications: the service worker, and storing a subscription.

A subscription counts as verified the moment it is stored. Unlike an address or a
number, nobody types it: the browser creates it through the Push API, after the person
granted permission on this device, and hands it to a page that is signed in as them.
It cannot point at someone else, and the push service accepts it only with the keys
that this browser holds. A test push is one tap away on the contact methods page.
"""

from __future__ import annotations

import json
from functools import cache

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from backline.accounts.access import MemberRequest
from backline.lib import clock
from backline.notify.forms import MAX_METHODS_PER_PERSON
from backline.notify.models import Channel, ContactMethod
from backline.notify.push import subscription
from backline.privacy.access import PUBLIC, SIGNED_IN, access

WORKER = "notify/service-worker.js"
MAX_BODY = 4096


@cache
def _worker_source() -> bytes:
    found = finders.find(WORKER)
    if not found or isinstance(found, list):
        raise FileNotFoundError(WORKER)
    with open(found, "rb") as source:
        return source.read()


def _endpoint(stored: str) -> str:
    try:
        return str(json.loads(stored).get("endpoint", ""))
    except (ValueError, AttributeError):
        return ""


@access(PUBLIC)
@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, served so that its scope may be the whole site."""
    response = HttpResponse(_worker_source(), content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response


@access(SIGNED_IN)
@require_POST
def subscribe(request: MemberRequest) -> HttpResponse:
    """Store ``{"subscription": PushSubscription.toJSON(), "label": "..."}``."""
    if len(request.body) > MAX_BODY:
        return JsonResponse({"error": "too long"}, status=400)
    try:
        data = json.loads(request.body)
        if not isinstance(data, dict):
            raise subscription.Invalid("not an object")
        found = subscription.from_data(data.get("subscription"))
    except (ValueError, UnicodeDecodeError) as exc:  # Invalid is a ValueError
        return JsonResponse({"error": str(exc)}, status=400)
    label = str(data.get("label") or "").strip()[:60] or _("This browser")
    now = clock.now()
    mine = ContactMethod.objects.visible_to(request.user).filter(channel=Channel.PUSH)
    for method in mine:
        if _endpoint(method.value) == found.endpoint:
            method.value = found.as_json()
            method.label = label
            method.disabled = False
            method.verified_at = method.verified_at or now
            method.save(update_fields=["value", "label", "disabled", "verified_at"])
            return JsonResponse({"id": method.pk}, status=200)
    if ContactMethod.objects.visible_to(request.user).count() >= MAX_METHODS_PER_PERSON:
        return JsonResponse({"error": _("Remove a contact method first.")}, status=409)
    method = ContactMethod.objects.create(
        user=request.user,
        channel=Channel.PUSH,
        label=label,
        value=found.as_json(),
        verified_at=now,
    )
    return JsonResponse({"id": method.pk}, status=201)
