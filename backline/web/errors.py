"""Error pages that need views of their own: a form the CSRF check refused
(``CSRF_FAILURE_VIEW``), and the 500 handler, which tells a lost database apart from a
defect. The other error pages are Django's own views with Backline's templates
(400.html … 410.html)."""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.views import defaults

from backline.privacy.access import PUBLIC, access

# what a database that is restarting, or not reachable, raises: the connection, not the query
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 5


@access(PUBLIC)
def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Says the form was not sent and how to send it again; ``reason`` is for
    developers, and not shown."""
    return render(request, "web/csrf_failure.html", status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``. When the database could not be reached, the page says so, and
    that a form sent meanwhile was not saved; otherwise it is the page for a defect.
    Either needs neither the database nor the context processors."""
    if not isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE):
        return defaults.server_error(request)
    html = loader.render_to_string(
        "web/database_unavailable.html", {"was_sent": request.method == "POST"}
    )
    response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
