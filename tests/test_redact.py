"""The logging filter that keeps secrets out of every log line (backline.lib.redact)."""

from __future__ import annotations

import io
import logging
import sys
from types import TracebackType

import pytest
from django.conf import settings
from django.urls import URLPattern, get_resolver, reverse

from backline.lib.redact import RedactSecrets, redact
from tests.test_access import walk

SECRET = "S3cretValue9"


@pytest.mark.parametrize(
    "url",
    [
        f"/support/follow/{SECRET}/",
        f"/support/follow/{SECRET}/cancel/",
        f"/support/pages/.eJw{SECRET}:1uX:{SECRET}/",
        f"/support/alerts/{SECRET}/",
        f"/support/pages/{SECRET}/take/{SECRET}/",
        f"/invitation/{SECRET}/",
        f"/accounts/password/reset/key/1-{SECRET}-x/",
        f"/accounts/confirm-email/{SECRET}/",
        f"/oncall/calendar/{SECRET}.ics",
        f"/accounts/oidc/harbor/login/callback/?code={SECRET}&state=x",
        f"/accounts/login/?next=%2Fsupport%2Fpages%2F{SECRET}%2F",
        f"https://backline.example/support/follow/{SECRET}/?from=mail#top",
    ],
)
def test_secrets_in_urls_are_redacted(url: str) -> None:
    line = redact(f'"GET {url} HTTP/1.1" 404 179')
    assert SECRET not in line
    assert line.startswith('"GET ') and line.endswith(' HTTP/1.1" 404 179')


def _parameters(pattern: URLPattern) -> set[str]:
    route = pattern.pattern
    return set(getattr(route, "converters", {})) | set(route.regex.groupindex)


def test_every_url_with_a_token_or_key_in_its_path_is_redacted(db: None) -> None:
    """A new URL carrying a secret fails here until redact.SECRET_PATHS knows it."""
    checked = []
    for name, pattern in walk(get_resolver().url_patterns):
        parameters = _parameters(pattern)
        if not parameters & {"token", "key"}:
            continue
        url = reverse(
            name, kwargs={p: SECRET if p in ("token", "key") else "1" for p in parameters}
        )
        assert SECRET not in redact(f"Not Found: {url}"), name
        checked.append(name)
    assert {"support:follow", "support:page", "support:page_take", "accept_invitation"} <= set(
        checked
    )
    assert {"oncall:calendar_feed", "account_reset_password_from_key"} <= set(checked)


def test_addresses_and_numbers_are_hidden_and_plain_lines_kept() -> None:
    assert redact("refused pat.peer+x@mail.test, +1 (555) 010-0199") == (
        "refused [e-mail], [number]"
    )
    plain = "request 12: step 2 at 2026-03-02 15:00:00+00:00; /support/open/ 200"
    assert redact(plain) == plain


def _record(
    msg: str,
    args: tuple[object, ...],
    exc_info: tuple[type[BaseException], BaseException, TracebackType | None]
    | tuple[None, None, None]
    | None = None,
) -> logging.LogRecord:
    return logging.LogRecord("django.request", logging.WARNING, __file__, 1, msg, args, exc_info)


def test_the_filter_rewrites_the_message_its_arguments_and_the_traceback() -> None:
    try:
        raise ValueError(f"bad token in /support/follow/{SECRET}/")
    except ValueError:
        exc_info = sys.exc_info()
    record = _record("Not Found: %s", (f"/invitation/{SECRET}/",), exc_info=exc_info)
    record.stack_info = f"File view.py, in follow /support/follow/{SECRET}/"
    assert RedactSecrets().filter(record) is True
    formatted = logging.Formatter().format(record)
    assert SECRET not in formatted
    assert "Not Found: /invitation/[redacted]/" in formatted
    assert "ValueError: bad token in /support/follow/[redacted]/" in formatted


def test_mapping_arguments_are_redacted_too() -> None:
    """As granian's access log passes them."""
    record = _record(
        "%(method)s %(path)s %(status)d", ({"method": "GET", "path": "x", "status": 1},)
    )
    record.args = {"method": "GET", "path": f"/support/follow/{SECRET}/", "status": 404}
    RedactSecrets().filter(record)
    assert record.getMessage() == "GET /support/follow/[redacted]/ 404"


def test_every_configured_handler_redacts() -> None:
    handlers = settings.LOGGING["handlers"]
    assert handlers and all("redact" in handler.get("filters", []) for handler in handlers.values())


@pytest.mark.parametrize(
    "logger", ["django.server", "granian.access", "django.request", "backline"]
)
def test_what_the_configured_handlers_write_is_redacted(written: io.StringIO, logger: str) -> None:
    """runserver's access lines (django.server), granian's when turned on, Django's
    request logger and Backline's own."""
    logging.getLogger(logger).warning(
        '"%s" %s %s', f"GET /support/follow/{SECRET}/ HTTP/1.1", 404, 0, extra={"status_code": 404}
    )
    line = written.getvalue()
    assert "/support/follow/[redacted]/" in line
    assert SECRET not in line
