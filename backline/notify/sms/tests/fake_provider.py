"""A fake Twilio-compatible provider on loopback, for the real httpx client.

It answers each POST with the next scripted ``Reply`` (by default 201 with a new sid),
optionally after a delay, and records what it was sent. It honours ``Idempotency-Key``
as the providers that accept one do: a request with a key it has seen sends nothing
new and answers with the first one's sid. Like the real provider, it
also forwards a text someone sends to Backline's number (``text_in``): a signed POST
to Backline's inbound webhook, whose TwiML answer it reads as the texts it would send
back.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs
from xml.etree import ElementTree

import httpx
from pytest_django.fixtures import Settings

from backline.notify.tests.loopback import FakeHTTPService

# the account Backline's settings name in the SMS tests, and where it says it is served
ACCOUNT = "AC0123456789abcdef0123456789abcdef"
TOKEN = "test-auth-token"
PUBLIC_URL = "https://backline.example.org"


@contextmanager
def serving(settings: Settings) -> Iterator[FakeProvider]:
    """A fake provider, started, with the settings that point the SMS transport at it."""
    fake = FakeProvider().start()
    settings.BACKLINE_SMS_API_URL = fake.url
    settings.BACKLINE_SMS_ACCOUNT_SID = ACCOUNT
    settings.BACKLINE_SMS_AUTH_TOKEN = TOKEN
    settings.BACKLINE_SMS_FROM = "+15550109999"
    settings.BACKLINE_PUBLIC_URL = PUBLIC_URL
    try:
        yield fake
    finally:
        fake.stop()


@dataclass(frozen=True)
class Reply:
    status: int = 201
    body: Any = None  # a dict is sent as JSON; None means {"sid": <new sid>}
    delay: float = 0.0
    # a delivery report ("delivered", "undelivered", …) posted before the answer, as a
    # fast provider may: Backline has not saved the message's sid yet
    report: str = ""
    report_code: str = ""


@dataclass(frozen=True)
class Request:
    path: str
    form: dict[str, str]
    authorization: str
    idempotency_key: str = ""
    repeat: bool = False  # its key was seen before: nothing new was sent


@dataclass(frozen=True)
class Inbound:
    """What Backline answered a text forwarded to it."""

    status: int
    texts: list[str]  # what the provider would text back


def twilio_signature(auth_token: str, url: str, fields: dict[str, str]) -> str:
    """Signed as the provider signs (written here from its documentation, not taken
    from Backline's code, so a mistake there shows)."""
    data = url + "".join(key + fields[key] for key in sorted(fields))
    mac = hmac.new(auth_token.encode(), data.encode(), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode()


@dataclass
class FakeProvider(FakeHTTPService):
    replies: deque[Reply] = field(default_factory=deque)
    requests: list[Request] = field(default_factory=list)
    sids: dict[str, str] = field(default_factory=dict)  # by idempotency key
    _inbound_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def reply(self, *replies: Reply) -> None:
        self.replies.extend(replies)

    def texts_to(self, number: str) -> list[str]:
        """The bodies of the texts Backline sent to ``number``, oldest first: each once,
        however often it was asked for with the same key."""
        return [
            r.form["Body"]
            for r in self.requests
            if r.form.get("To") == number and r.path.endswith("/Messages.json") and not r.repeat
        ]

    def text_in(
        self,
        webhook: str,
        sender: str,
        body: str,
        *,
        account: str,
        auth_token: str,
        to: str,
        signature: str | None = None,
    ) -> Inbound:
        """``sender`` texts ``body`` to Backline's number ``to``: the provider posts it to
        ``webhook``, signed with ``auth_token`` (or with ``signature`` as given)."""
        fields = {
            "MessageSid": f"SMin{next(self._inbound_ids):028d}",
            "AccountSid": account,
            "From": sender,
            "To": to,
            "Body": body,
            "NumMedia": "0",
        }
        signed = twilio_signature(auth_token, webhook, fields) if signature is None else signature
        response = httpx.post(
            webhook, data=fields, headers={"X-Twilio-Signature": signed}, timeout=10.0
        )
        texts = []
        if response.status_code == 200:
            texts = [m.text or "" for m in ElementTree.fromstring(response.text).iter("Message")]
        return Inbound(response.status_code, texts)

    auth_token: str = ""  # what reports are signed with

    def report(self, callback: str, sid: str, status: str, code: str = "") -> int:
        """Post a signed delivery report to ``callback``; returns Backline's status."""
        fields = {"MessageSid": sid, "MessageStatus": status}
        if code:
            fields["ErrorCode"] = code
        signed = twilio_signature(self.auth_token, callback, fields)
        response = httpx.post(
            callback, data=fields, headers={"X-Twilio-Signature": signed}, timeout=10.0
        )
        return response.status_code

    def answer_post(self, request: BaseHTTPRequestHandler, body: bytes) -> None:
        form = {key: values[-1] for key, values in parse_qs(body.decode()).items()}
        key = request.headers.get("Idempotency-Key", "")
        repeat = bool(key) and key in self.sids
        authorization = request.headers.get("Authorization", "")
        self.requests.append(Request(request.path, form, authorization, key, repeat))
        reply = self.replies.popleft() if self.replies else Reply()
        kind = "SM" if request.path.endswith("/Messages.json") else "CA"
        sid = self.sids[key] if repeat else f"{kind}{len(self.requests):032d}"
        if key and reply.status < 300:
            self.sids.setdefault(key, sid)  # taken, even when the answer comes too late
        if reply.report:
            self.report(form["StatusCallback"], sid, reply.report, reply.report_code)
        if reply.delay:
            time.sleep(reply.delay)
        answer = reply.body if reply.body is not None else {"sid": sid, "status": "queued"}
        data = answer.encode() if isinstance(answer, str) else json.dumps(answer).encode()
        try:
            request.send_response(reply.status)
            request.send_header("Content-Type", "application/json")
            request.send_header("Content-Length", str(len(data)))
            request.end_headers()
            request.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (a timeout test)
