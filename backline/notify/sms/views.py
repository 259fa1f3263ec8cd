"""What the provider posts back (Twilio-compatible webhooks): delivery reports for texts
and calls, and the texts people send in reply.

Public, since the provider cannot sign in, and refused unless ``X-Twilio-Signature``
proves the provider sent it: HMAC-SHA1 with the account's auth token over the URL the
provider was given (``BACKLINE_PUBLIC_URL`` + path) and the posted fields. A refused or
malformed post changes nothing. A text or call that finally failed is failed over to
the person's next contact method.

A reply is matched by its sender's number and code together (``sms.replies``), used
once, and handed to the action its text offered; it is answered with TwiML, which the
provider sends back as a text.
"""

from __future__ import annotations

import logging
from xml.sax.saxutils import escape

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from backline.lib import clock
from backline.notify import actions, outbox
from backline.notify.models import Channel, OutgoingMessage, Status
from backline.notify.sms import provider, replies
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


def _signed(request: HttpRequest, what: str) -> dict[str, str] | HttpResponse:
    """The posted fields when the provider signed them; otherwise the refusal."""
    account = provider.configured()
    given = request.headers.get("X-Twilio-Signature", "")
    params = {key: request.POST[key] for key in request.POST}
    url = settings.BACKLINE_PUBLIC_URL.rstrip("/") + request.get_full_path()
    if account is None or not given:
        log.warning("%s refused: %s", what, "no provider" if account is None else "unsigned")
        return HttpResponseForbidden()
    if not provider.signature_is_valid(account.auth_token, url, params, given):
        log.warning("%s refused: bad signature", what)
        return HttpResponseForbidden()
    if any(len(values) != 1 for _key, values in request.POST.lists()):
        return HttpResponseBadRequest()
    return params


@access(PUBLIC)
@csrf_exempt
@require_POST
def status_callback(request: HttpRequest) -> HttpResponse:
    params = _signed(request, "delivery report")
    if isinstance(params, HttpResponse):
        return params
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


def _answer(text: str) -> HttpResponse:
    """TwiML that has the provider text ``text`` back to the sender."""
    twiml = f"<Response><Message>{escape(text)}</Message></Response>"
    return HttpResponse(twiml, content_type="text/xml; charset=utf-8")


def _not_valid() -> str:
    return _("Backline: that code is not valid. Open the link in the page to respond.")


@access(PUBLIC)
@csrf_exempt
@require_POST
def inbound(request: HttpRequest) -> HttpResponse:
    """A text someone sent to Backline's number: a reply code, or anything else."""
    params = _signed(request, "inbound text")
    if isinstance(params, HttpResponse):
        return params
    number = params.get("From", "")
    code = replies.read_code(params.get("Body", "")[:200])
    if not number or code is None:
        return _answer(_not_valid())
    message = (
        OutgoingMessage.objects.filter(
            reply_digest=replies.digest(number, code),
            channel=Channel.SMS,
            replied_at__isnull=True,
        )
        .only("pk", "action", "recipient_id")
        .order_by("-created_at", "-pk")
        .first()
    )
    # the code is used up by a conditional update of its own, committed before the
    # action runs: the action (taking a request cancels its other texts) must not wait
    # on this row while another reply to the same request holds its own
    if message is None or not OutgoingMessage.objects.filter(
        pk=message.pk, replied_at__isnull=True
    ).update(replied_at=clock.now()):
        log.info("inbound text: no unused code matches")
        return _answer(_not_valid())
    found = actions.find(message.action)
    said = found[0].on_reply(found[1], message.recipient_id) if found else None
    return _answer(said or _not_valid())
