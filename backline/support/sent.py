"""The follow link of an anonymous request, carried from the Reach out POST to the next
page in a cookie rather than in the session.

Both kinds of request answer alike (302 to a random id), so that a proxy's log does not
tell which one was anonymous; and nothing is written to the session, whose stored
expiry would otherwise date the request to the requester in a database dump. The
cookie ends with the browser, is sealed, and names whom it is for and until when: the
next person to sign in on a shared console is not shown the link. Signing out deletes
it (``web.middleware``).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from backline.lib import clock, crypto

COOKIE = "backline_sent"
PATH = "/support/"
SHOWN_FOR = timedelta(minutes=15)


def remember(response: HttpResponse, user_id: int, public_id: str, token: str) -> None:
    until = int((clock.now() + SHOWN_FOR).timestamp())
    response.set_cookie(
        COOKIE,
        crypto.seal(f"{user_id} {public_id} {token} {until}", COOKIE),
        path=PATH,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )


def token_for(request: HttpRequest, public_id: str) -> str | None:
    """The follow token of the anonymous request this person just sent from this
    browser, for a few minutes (a reload shows it again)."""
    try:
        sealed = request.COOKIES.get(COOKIE, "")
        user_id, sent_id, token, until = crypto.unseal(sealed, COOKIE).split()
        fresh = clock.now().timestamp() < int(until)
    except (crypto.Unreadable, ValueError):
        return None
    mine = user_id == str(request.user.pk) and sent_id == public_id
    return token if mine and fresh else None


def forget(response: HttpResponse) -> None:
    response.delete_cookie(COOKIE, path=PATH)
