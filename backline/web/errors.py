"""The page for a form the CSRF check refused (``CSRF_FAILURE_VIEW``). The other error
pages are Django's own views with Backline's templates (400.html … 500.html)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from backline.privacy.access import PUBLIC, access


@access(PUBLIC)
def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Says the form was not sent and how to send it again; ``reason`` is for
    developers, and not shown."""
    return render(request, "web/csrf_failure.html", status=403)
