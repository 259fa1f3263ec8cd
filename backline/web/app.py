"""Backline as an installable app: the web app manifest and the offline page that the
service worker keeps (backline/notify/static/notify/service-worker.js)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from backline.accounts import help_lines
from backline.privacy.access import PUBLIC, access

# the light scheme's header and page background (backline.css)
THEME_COLOR = "#ffffff"
BACKGROUND_COLOR = "#f7f8fa"
ICONS = [("backline/icons/icon-192.png", 192), ("backline/icons/icon-512.png", 512)]
# what the offline page needs besides itself, with its kind; the service worker keeps them
OFFLINE_FILES = [("backline/backline.css", "style"), ("backline/app.js", "script")]


@access(PUBLIC)
@require_safe
def manifest(request: HttpRequest) -> HttpResponse:
    """The web app manifest: how Backline looks once added to a home screen."""
    icons: list[dict[str, Any]] = [
        {"src": static(path), "sizes": f"{size}x{size}", "type": "image/png", "purpose": "any"}
        for path, size in ICONS
    ]
    icons.append({**icons[-1], "purpose": "maskable"})  # the drawing fills its square
    body = {
        "id": "/",
        "name": _("Backline peer support"),
        "short_name": "Backline",
        "description": _("Confidential peer support for 911 centers."),
        "lang": get_language(),
        "start_url": reverse("home"),
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOR,
        "background_color": BACKGROUND_COLOR,
        "icons": icons,
    }
    response = JsonResponse(body, content_type="application/manifest+json")
    response["Cache-Control"] = "no-cache"
    return response


def _eap_lines(request: HttpRequest) -> list[str]:
    """The signed-in person's agencies' EAP lines, or Backline's own when they set none."""
    user = request.user
    return help_lines.eap_lines(user) if user.is_authenticated else help_lines.or_backline_line([])


@access(PUBLIC)
@require_safe
def offline(request: HttpRequest) -> HttpResponse:
    """What the service worker shows when a page cannot load: 988 and the EAP line.
    Its Link header names the files it needs, so the service worker keeps them too."""
    response = render(request, "web/offline.html", {"eap_lines": _eap_lines(request)})
    response["Link"] = ", ".join(
        f"<{static(path)}>; rel=preload; as={kind}" for path, kind in OFFLINE_FILES
    )
    return response
