"""What the provider posts back (Twilio-compatible webhooks): delivery reports for texts
and calls, and the texts people send in reply.

Public, since the provider cannot sign in, and refused unless ``X-Twilio-Signature``
proves the provider sent it: HMAC-SHA1 with the account's auth token over the URL the
provider was given (``BACKLINE_PUBLIC_URL`` + path) and the posted fields. A delivery
report's URL also names its outbox row, with Backline's own signature
(``sms.reports``). A refused or malformed post changes nothing. A text or call that
failed is retried and failed over as a failed send is (``outbox``).

A reply is matched by its sender's number and code together (``sms.replies``), used
once, and handed to the action its text offered; it is answered with TwiML, which the
provider sends back as a text.
"""

from __future__ import annotations

import logging
from datetime import datetime
from xml.sax.saxutils import escape

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from backline.lib import clock
from backline.notify import actions, languages, outbox
from backline.notify.models import Channel, OutgoingMessage, Status
from backline.notify.sms import provider, replies, reports
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
def status_callback(request: HttpRequest, pk: int, signature: str) -> HttpResponse:
    """A delivery report for the outbox row its URL names. It may come before the row's
    own send has finished (the provider's id is not saved yet): it counts all the same."""
    params = _signed(request, "delivery report")
    if isinstance(params, HttpResponse):
        return params
    if not reports.is_genuine(pk, signature):
        log.warning("delivery report refused: the message's signature does not match")
        return HttpResponseForbidden()
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
            .filter(pk=pk, channel__in=reports.CHANNELS)
            .first()
        )
        if message is None:
            log.info("delivery report for unknown message %s", pk)
        elif message.provider_id and message.provider_id != sid:
            # an earlier attempt of a message sent again: the last attempt's report decides
            log.info("delivery report for an earlier attempt of message %s", pk)
        elif status in DELIVERED:
            _delivered(message, sid, now)
        else:
            error = provider.reported(status, params.get("ErrorCode", ""))
            outbox.report_failed(message, error, now)
    return HttpResponse(status=204)


def _delivered(message: OutgoingMessage, sid: str, now: datetime) -> None:
    mine = OutgoingMessage.objects.filter(pk=message.pk)
    mine.filter(status=Status.SENT).update(status=Status.DELIVERED)
    # reported before its send was recorded, or after an attempt thought lost
    mine.filter(status__in=[Status.SENDING, Status.PENDING]).update(
        status=Status.DELIVERED, sent_at=now, sending_deadline=None, claimed_by="", provider_id=sid
    )


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
    # in the language of the person replying, whom the provider's request does not name
    with translation.override(languages.of_person(message.recipient_id)):
        said = found[0].on_reply(found[1], message.recipient_id) if found else None
        return _answer(said or _not_valid())
