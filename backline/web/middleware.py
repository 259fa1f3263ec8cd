"""A strict Content-Security-Policy on every response: only Backline's own files run."""

from collections.abc import Callable
from urllib.parse import urlsplit

from allauth.socialaccount.models import SocialApp
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

    Kept in memory for a minute per process, so pages do not pay a query each.
    """
    global _sso_origins
    read_at, origins = _sso_origins
    now = clock.now().timestamp()
    if now - read_at > SSO_ORIGINS_SECONDS:
        origins = sorted(
            {
                f"{url.scheme}://{url.netloc}"
                for app in SocialApp.objects.filter(provider="openid_connect")
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
