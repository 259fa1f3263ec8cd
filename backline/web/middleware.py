"""Headers on every response: a strict Content-Security-Policy (only Backline's own files
run), and nothing kept in the browser (``no-store``; signing out clears the site's data)."""

from collections.abc import Callable
from urllib.parse import urlsplit

from allauth.socialaccount.models import SocialApp
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse

from backline.lib import clock

BASE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
SSO_ORIGINS_SECONDS = 60
_sso_origins: tuple[float, list[str]] = (0.0, [])


def sso_origins() -> list[str]:
    """Origins of the configured identity providers: sign-in forms redirect there.

    Kept in memory for a minute per process, so pages do not pay a query each; while
    the database cannot be reached, the last ones read stand (an error page still gets
    its policy).
    """
    global _sso_origins
    read_at, origins = _sso_origins
    now = clock.now().timestamp()
    if now - read_at > SSO_ORIGINS_SECONDS:
        try:
            apps = list(SocialApp.objects.filter(provider="openid_connect"))
        except DatabaseError:
            return origins
        origins = sorted(
            {
                f"{url.scheme}://{url.netloc}"
                for app in apps
                if (url := urlsplit(str((app.settings or {}).get("server_url", "")))) and url.netloc
            }
        )
        _sso_origins = (now, origins)
    return origins


def forget_sso_origins(**_: object) -> None:
    """Signal receiver: an identity provider was added, changed or removed."""
    global _sso_origins
    _sso_origins = (0.0, [])


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            form_action = " ".join(["'self'", *self._form_targets(response)])
            response["Content-Security-Policy"] = f"{BASE_POLICY}; form-action {form_action}"
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response

    @staticmethod
    def _form_targets(response: HttpResponse) -> list[str]:
        content_type = response.get("Content-Type", "")
        return sso_origins() if content_type.startswith("text/html") else []


SIGNED_OUT = "backline_signed_out"


def note_signed_out(request: HttpRequest | None = None, **_: object) -> None:
    """Signal receiver (``user_logged_out``): this response ends a session."""
    if request is not None:
        setattr(request, SIGNED_OUT, True)


class NoStoreMiddleware:
    """Nothing Backline shows stays in the browser: on a shared console, Back after
    signing out must not bring a page back from the cache.

    Every response to a signed-in person is ``no-store``, whatever the view said; a
    response to a visitor is too, unless its view chose its own caching for something
    that names nobody (the service worker). Static files are answered by WhiteNoise
    before this runs and keep their caching. Signing out also asks the browser to drop
    its cache and storage; cookies are left alone, as the session's end already empties
    them and the sign-in page needs its CSRF cookie.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self._signed_in(request) or "Cache-Control" not in response:
            response["Cache-Control"] = "no-store"
        if getattr(request, SIGNED_OUT, False):
            response["Clear-Site-Data"] = '"cache", "storage"'
        return response

    @staticmethod
    def _signed_in(request: HttpRequest) -> bool:
        user = getattr(request, "user", None)
        try:
            return user is not None and user.is_authenticated
        except DatabaseError:  # the session cannot be read: keep nothing, to be safe
            return True
