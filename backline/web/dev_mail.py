"""The development mailbox: e-mail Backline sent, read back from ``data/mail/``.

Only where Django's file-based e-mail backend is configured (development, without
SMTP); everywhere else the page does not exist.
"""

from __future__ import annotations

import email
from dataclasses import dataclass
from email.message import Message
from email.policy import default
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from backline.privacy.access import Rule, access

SEPARATOR = b"\n" + b"-" * 79 + b"\n"
SHOWN = 50

DEVELOPMENT_MAIL = Rule(
    "development with file-based e-mail",
    lambda request: settings.DEBUG and settings.EMAIL_BACKEND.endswith("filebased.EmailBackend"),
    needs_login=False,
)


@dataclass(frozen=True)
class Letter:
    to: str
    subject: str
    date: str
    body: str


def _letters() -> list[Letter]:
    folder = Path(settings.EMAIL_FILE_PATH)
    files = sorted(folder.glob("*.log"), key=lambda f: f.stat().st_mtime, reverse=True)
    letters: list[Letter] = []
    for file in files:
        for raw in reversed(file.read_bytes().split(SEPARATOR)):
            if raw.strip():
                letters.append(_letter(email.message_from_bytes(raw.strip(), policy=default)))
        if len(letters) >= SHOWN:
            break
    return letters[:SHOWN]


def _letter(message: Message) -> Letter:
    part = message.get_body(preferencelist=("plain",)) if hasattr(message, "get_body") else None
    body = part.get_content() if part is not None else str(message.get_payload())
    return Letter(str(message["To"]), str(message["Subject"]), str(message["Date"]), body)


@access(DEVELOPMENT_MAIL)
def mailbox(request: HttpRequest) -> HttpResponse:
    return render(request, "web/dev_mail.html", {"letters": _letters()})
