"""The provider's delivery reports for texts and calls (Twilio-compatible callbacks).

Public, since the provider cannot sign in, and refused unless ``X-Twilio-Signature``
proves the provider sent it: HMAC-SHA1 with the account's auth token over the URL the
provider was given (``BACKLINE_PUBLIC_URL`` + path) and the posted fields. A refused or
malformed report changes nothing. A text or call that finally failed is failed over to
the person's next contact method.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from backline.lib import clock
from backline.notify import outbox
from backline.notify.models import Channel, OutgoingMessage, Status
from backline.notify.sms import provider
from backline.privacy.access import PUBLIC, access

log = logging.getLogger(__name__)

DELIVERED = {"delivered", "completed"}
FAILED = {"failed", "undelivered", "busy", "no-answer", "canceled"}
UNDER_WAY = {
    "accepted",
    "scheduled",
    "queued",
    "sending",
    "sent",
    "receiving",
    "received",
    "read",
    "partially_delivered",
    "initiated",
    "ringing",
    "in-progress",
}


@access(PUBLIC)
@csrf_exempt
@require_POST
def status_callback(request: HttpRequest) -> HttpResponse:
    account = provider.configured()
    given = request.headers.get("X-Twilio-Signature", "")
    params = {key: request.POST[key] for key in request.POST}
    url = settings.BACKLINE_PUBLIC_URL.rstrip("/") + request.get_full_path()
    if account is None or not given:
        log.warning("delivery report refused: %s", "no provider" if account is None else "unsigned")
        return HttpResponseForbidden()
    if not provider.signature_is_valid(account.auth_token, url, params, given):
        log.warning("delivery report refused: bad signature")
        return HttpResponseForbidden()
    if any(len(values) != 1 for _key, values in request.POST.lists()):
        return HttpResponseBadRequest()
    sid = params.get("MessageSid") or params.get("CallSid") or ""
    status = (params.get("MessageStatus") or params.get("CallStatus") or "").lower()
    if not sid or len(sid) > 120 or status not in DELIVERED | FAILED | UNDER_WAY:
        log.warning("delivery report refused: malformed (%r, %r)", sid[:40], status[:40])
        return HttpResponseBadRequest()
    if status in UNDER_WAY:
        return HttpResponse(status=204)
    now = clock.now()
    with transaction.atomic():
        message = (
            OutgoingMessage.objects.select_for_update()
            .filter(provider_id=sid, channel__in=[Channel.SMS, Channel.VOICE])
            .first()
        )
        if message is None:
            log.info("delivery report for unknown id %s", sid[:40])
            return HttpResponse(status=204)
        mine = OutgoingMessage.objects.filter(pk=message.pk, status=Status.SENT)
        if status in DELIVERED:
            mine.update(status=Status.DELIVERED)
        else:
            code = params.get("ErrorCode", "")
            reason = f"provider reported {status}" + (f" (error {code[:20]})" if code else "")
            if mine.update(status=Status.FAILED, last_error=reason):
                outbox.fail_over(message, now)
    return HttpResponse(status=204)
