"""The language picker's view: the footer of every page posts here (docs/adr/0033)."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from backline.accounts.languages import offered
from backline.accounts.models import User
from backline.privacy.access import PUBLIC, access


@require_POST
@access(PUBLIC)
def choose_language(request: HttpRequest) -> HttpResponse:
    """Show Backline in the language posted, from now on: in this browser (Django's
    language cookie) and, for a signed-in person, wherever they sign in (their
    setting). Then back to the page the form was on."""
    code = request.POST.get("language", "")
    if code not in offered():
        return render(request, "web/language_unknown.html", status=400)
    if request.user.is_authenticated and request.user.language != code:
        User.objects.filter(pk=request.user.pk).update(language=code)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse("landing")
    translation.activate(code)
    response = HttpResponseRedirect(back)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite="Lax",
    )
    return response
