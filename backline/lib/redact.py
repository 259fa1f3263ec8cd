"""Secrets never reach a log: one logging filter, on every handler Backline configures.

Bearer tokens travel in URLs — a follow link, a page or alert link, an invitation, a
password-reset or e-mail confirmation key, a calendar feed, a push button's key — and
Django's request logger, ``runserver`` and an access log print URLs; whoever reads such
a line could follow or cancel a request, or sign in. The filter rewrites each record before any
handler formats it: its message with its arguments, and its traceback text. It also
hides every query-string value, e-mail address and international phone number.

Names and notes cannot be recognised in text: code must never log them.
"""

from __future__ import annotations

import logging
import re

REDACTED = "[redacted]"

# The path segment after each of these is a secret (see the URLconf; a test walks it).
SECRET_PATHS = (
    "/support/follow/",
    "/support/pages/",
    "/support/alerts/",
    "/invitation/",
    "/accounts/password/reset/key/",
    "/accounts/confirm-email/",
    "/oncall/calendar/",
    "/checkins/nudges/",
    "/take/",  # a page's push button: /support/pages/<token>/take/<key>/
    "/good/",  # a nudge's push button: /checkins/nudges/<token>/good/<key>/
)
_STOP = r"/\s?#&\"'<>"
_SECRET_SEGMENT = re.compile(
    "(" + "|".join(re.escape(prefix) for prefix in SECRET_PATHS) + f")[^{_STOP}]+"
)
_QUERY_VALUE = re.compile(f"([?&][^={_STOP}]+=)[^\\s&#\"'<>]+")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"\+\d[\d ().-]{6,}\d")


def redact(text: str) -> str:
    text = _SECRET_SEGMENT.sub(rf"\1{REDACTED}", text)
    text = _QUERY_VALUE.sub(rf"\1{REDACTED}", text)
    text = _EMAIL.sub("[e-mail]", text)
    return _PHONE.sub("[number]", text)


class RedactSecrets(logging.Filter):
    """Rewrites the record in place, so that every handler after it sees it redacted."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = ()
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True
