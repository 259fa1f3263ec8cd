"""Per-request set-up for signed-in people: their language, their local time, and MFA
enrolment for the roles that require it before anything else."""

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone, translation

from backline.accounts.languages import offered
from backline.accounts.mfa import must_enrol

# Views an unenrolled person still needs: enrolment itself, signing out, static pages.
ENROLMENT_VIEWS = frozenset(
    {"security_setup", "account_logout", "account_reauthenticate", "set_language"}
    # the app's own files, which name nobody: a browser fetches them on any page
    | {"manifest", "offline", "service_worker"}
)


class PersonLanguageMiddleware:
    """A signed-in person who has chosen a language reads every page in it, whatever
    their browser asks for; everyone else gets what ``LocaleMiddleware`` chose from the
    language cookie or ``Accept-Language`` (docs/adr/0033)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = getattr(request.user, "language", "")
        if chosen in offered():
            translation.activate(chosen)
            request.LANGUAGE_CODE = chosen
        return self.get_response(request)


class LocalTimeMiddleware:
    """Pages show, and forms read, times in the signed-in person's time zone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.user.is_authenticated:
            return self.get_response(request)
        with timezone.override(request.user.time_zone):
            return self.get_response(request)


class RequireMFAMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        if not request.user.is_authenticated:
            return None
        name = request.resolver_match.url_name if request.resolver_match else None
        if name and (name in ENROLMENT_VIEWS or name.startswith("mfa_")):
            return None
        if must_enrol(request.user):
            return redirect("security_setup")
        return None
