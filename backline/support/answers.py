"""Taking a request where its page arrived: the "I'll take it" button of a browser
notification, or a text that replies with the page's code (docs/adr/0013).

Both end in ``take``, which applies every rule the offer page applies: the page must
be the peer's own and younger than a day, ``targets.may_take`` must allow them, and the
first acknowledgement wins. The peer chose no "I will reach out within", so the first
choice for the request's urgency is taken for them (they can say more once they open
the request). Anyone who may not take it gets the same answer as for a code or page
that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backline.lib import clock
from backline.notify import actions
from backline.support import lifecycle, links, messages, targets
from backline.support.forms import COMING_IN, COMING_IN_BY_URGENCY
from backline.support.models import Page, PageKind, RequestStatus, SupportRequest, Urgency


class Outcome(Enum):
    TAKEN = "taken"
    YOURS = "yours"  # they had taken it already (a second tap or reply)
    TAKEN_BY_ANOTHER = "taken by another"
    ENDED = "ended"
    NOT_VALID = "not valid"


@dataclass(frozen=True)
class Answer:
    outcome: Outcome
    request: SupportRequest | None = None


def coming_in_minutes(urgency: str) -> int:
    """The first "I will reach out within" choice for the urgency."""
    return COMING_IN_BY_URGENCY[Urgency(urgency)][1]


def live_page(link_id: str, peer_id: int, now: datetime | None = None) -> Page | None:
    """The peer's page behind a link, while its link is valid."""
    page = links.page_of_link(link_id, peer_id, PageKind.PEER)
    return page if page is not None and links.is_live(page, now) else None


def _settled(request: SupportRequest, peer_id: int) -> Answer:
    """What a request that is no longer open says to a peer who may take it."""
    if request.acknowledged_by_id == peer_id:
        return Answer(Outcome.YOURS, request)
    if request.status in (RequestStatus.ACKNOWLEDGED, RequestStatus.STARTED):
        return Answer(Outcome.TAKEN_BY_ANOTHER, request)
    return Answer(Outcome.ENDED, request)


def take(link_id: str, peer_id: int, now: datetime | None = None) -> Answer:
    """Take the request of the peer's page, as the offer page's button would."""
    now = now or clock.now()
    page = live_page(link_id, peer_id, now)
    if page is None or not targets.may_take(page.request, page.peer):
        return Answer(Outcome.NOT_VALID)
    request = page.request
    if request.status != RequestStatus.OPEN:
        return _settled(request, peer_id)
    minutes = coming_in_minutes(request.urgency)
    try:
        won = lifecycle.acknowledge(request, page.peer, timedelta(minutes=minutes), now)
    except lifecycle.NotAllowed:
        return Answer(Outcome.NOT_VALID)
    request.refresh_from_db()
    return Answer(Outcome.TAKEN, request) if won else _settled(request, peer_id)


def tap_key(link_id: str, peer_id: int) -> str:
    """What a push notification's button posts with: bound to the page and its peer,
    known only to the server and to the browser the (encrypted) push reached."""
    return salted_hmac(
        "backline.support.answers.tap", f"{link_id}:{peer_id}", algorithm="sha256"
    ).hexdigest()[:40]


def tap_key_is_valid(link_id: str, peer_id: int, key: str) -> bool:
    return constant_time_compare(tap_key(link_id, peer_id), key)


def tap_url(link_id: str, peer_id: int) -> str:
    return messages.absolute(
        reverse("support:page_take", args=[link_id, tap_key(link_id, peer_id)])
    )


def _request_link(request: SupportRequest) -> str:
    return messages.absolute(reverse("support:request", args=[request.public_id]))


def reply_text(answer: Answer) -> str | None:
    """The text that answers a reply; None when the code is not valid for them."""
    request = answer.request
    if answer.outcome is Outcome.TAKEN and request is not None:
        return _(
            "Backline: you took the request. Please reach out within %(within)s. "
            "Sign in to see who asked: %(link)s"
        ) % {
            "within": COMING_IN[coming_in_minutes(request.urgency)],
            "link": _request_link(request),
        }
    if answer.outcome is Outcome.YOURS and request is not None:
        return _("Backline: you took this request already. Sign in to see who asked: %(link)s") % {
            "link": _request_link(request)
        }
    if answer.outcome is Outcome.TAKEN_BY_ANOTHER:
        return _("Backline: another peer already took this request. Thank you.")
    if answer.outcome is Outcome.ENDED:
        return _("Backline: this request has ended. No action is needed.")
    return None


def on_reply(link_id: str, peer_id: int) -> str | None:
    return reply_text(take(link_id, peer_id))


def tap_result(answer: Answer) -> dict[str, str]:
    """What the service worker shows or opens after the button was tapped."""
    request = answer.request
    if answer.outcome in (Outcome.TAKEN, Outcome.YOURS) and request is not None:
        if answer.outcome is Outcome.TAKEN:
            title = _("You took the request")
            body = _("Please reach out within %(within)s.") % {
                "within": COMING_IN[coming_in_minutes(request.urgency)]
            }
        else:
            title = _("You took this request already")
            body = _("Open it to reach out.")
        return {
            "outcome": answer.outcome.value,
            "title": title,
            "body": body,
            "url": reverse("support:request", args=[request.public_id]),
        }
    if answer.outcome is Outcome.TAKEN_BY_ANOTHER:
        body = _("Another peer already took this request. Thank you.")
    else:
        body = _("This request has ended. No action is needed.")
    return {
        "outcome": answer.outcome.value,
        "title": _("Backline: request taken")
        if answer.outcome is Outcome.TAKEN_BY_ANOTHER
        else _("Backline: request ended"),
        "body": body,
        "url": reverse("support:open"),
    }


def register() -> None:
    actions.register(
        messages.TAKE,
        actions.Action(
            title=gettext_lazy("I'll take it"),
            reply_prompt=gettext_lazy("Reply %(code)s to take it."),
            tap_url=tap_url,
            on_reply=on_reply,
        ),
    )
