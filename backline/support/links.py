"""What a notification's link names: one page of a request, for the person it was sent
to, for a day (docs/adr/0004, 0008). A peer's link leads to the offer, a coordinator's
to the coordinator's page of the request."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.http import Http404

from backline.accounts.models import User
from backline.lib import clock
from backline.support.models import Page, PageKind

PAGE_LINK_MAX_AGE = timedelta(hours=24)


class LinkExpired(Exception):
    pass


def page_of_link(link_id: str, user_id: int, kind: PageKind) -> Page | None:
    """The page of ``kind`` the link names, if it was sent to this person."""
    return (
        Page.objects.select_related("request", "peer")
        .filter(link_id=link_id, peer_id=user_id, kind=kind)
        .first()
    )


def is_live(page: Page, now: datetime | None = None) -> bool:
    return (now or clock.now()) < page.paged_at + PAGE_LINK_MAX_AGE


def page_from_link(user: User, link_id: str, kind: PageKind) -> Page:
    """The page of ``kind`` the link names, sent to ``user``; anyone else meets a 404,
    and a link older than ``PAGE_LINK_MAX_AGE`` has expired."""
    page = page_of_link(link_id, user.pk, kind)
    if page is None:
        raise Http404
    if not is_live(page):
        raise LinkExpired
    return page
