"""The development mailbox: e-mail Backline sent, read back from ``data/mail/``.

Only where Django's file-based e-mail backend is configured (development without
SMTP, with debug on or off as in `make run`); everywhere else the page does not exist.
Each person sees only the mail sent to them (their account's address and their
verified e-mail contact methods), so that nobody reads another person's
password-reset link there; a visitor is asked to sign in.
"""

from __future__ import annotations

import email
from dataclasses import dataclass
from email.message import Message
from email.policy import default
from email.utils import getaddresses
from pathlib import Path

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from backline.accounts.models import User
from backline.notify.models import Channel, ContactMethod
from backline.privacy.access import Rule, access

SEPARATOR = b"\n" + b"-" * 79 + b"\n"
SHOWN = 50

DEVELOPMENT_MAIL = Rule(
    "development with file-based e-mail",
    lambda request: (
        not settings.PRODUCTION and settings.EMAIL_BACKEND.endswith("filebased.EmailBackend")
    ),
    needs_login=False,
)


@dataclass(frozen=True)
class Letter:
    to: str
    subject: str
    date: str
    body: str
    attachments: tuple[str, ...] = ()


def addresses_of(user: User) -> set[str]:
    """Where mail for ``user`` goes: the account's address and every verified e-mail
    contact method (an unverified one may be anybody's address)."""
    methods = ContactMethod.objects.filter(
        user_id=user.pk, channel=Channel.EMAIL, verified_at__isnull=False
    )
    found = {user.email, *(method.value for method in methods)}  # values are sealed
    return {address.strip().lower() for address in found if address}


def _recipients(message: Message) -> set[str]:
    headers = [str(value) for name in ("To", "Cc") for value in message.get_all(name, [])]
    return {address.lower() for _, address in getaddresses(headers) if address}


def _letters(addresses: set[str]) -> list[Letter]:
    folder = Path(settings.EMAIL_FILE_PATH)
    files = sorted(folder.glob("*.log"), key=lambda f: f.stat().st_mtime, reverse=True)
    letters: list[Letter] = []
    for file in files:
        for raw in reversed(file.read_bytes().split(SEPARATOR)):
            if not raw.strip():
                continue
            message = email.message_from_bytes(raw.strip(), policy=default)
            if _recipients(message) & addresses:
                letters.append(_letter(message))
        if len(letters) >= SHOWN:
            break
    return letters[:SHOWN]


def _letter(message: Message) -> Letter:
    part = message.get_body(preferencelist=("plain",)) if hasattr(message, "get_body") else None
    body = part.get_content() if part is not None else str(message.get_payload())
    files = tuple(
        part.get_filename() or ""
        for part in message.walk()
        if part.get_content_disposition() == "attachment"
    )
    return Letter(str(message["To"]), str(message["Subject"]), str(message["Date"]), body, files)


@access(DEVELOPMENT_MAIL)
def mailbox(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return render(request, "web/dev_mail.html", {"letters": _letters(addresses_of(request.user))})
