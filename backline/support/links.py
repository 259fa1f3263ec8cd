"""What a notification's link names: one page of a request, for the person it was sent
to, for a day (docs/adr/0004, 0008). A peer's link leads to the offer, a coordinator's
to the coordinator's page of the request."""

from __future__ import annotations

from datetime import timedelta

from django.http import Http404

from backline.accounts.models import User
from backline.lib import clock
from backline.support.models import Page, PageKind

PAGE_LINK_MAX_AGE = timedelta(hours=24)


class LinkExpired(Exception):
    pass


def page_from_link(user: User, link_id: str, kind: PageKind) -> Page:
    """The page of ``kind`` the link names, sent to ``user``; anyone else meets a 404,
    and a link older than ``PAGE_LINK_MAX_AGE`` has expired."""
    page = (
        Page.objects.select_related("request").filter(link_id=link_id, peer=user, kind=kind).first()
    )
    if page is None:
        raise Http404
    if page.paged_at + PAGE_LINK_MAX_AGE <= clock.now():
        raise LinkExpired
    return page
