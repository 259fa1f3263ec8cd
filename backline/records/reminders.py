"""After a request closes: the record form at once, and one gentle reminder later.

The reminder is an in-app message held for ``REMIND_AFTER``. Its group names the peer
and a random word kept in the peer's session, never the request: filing a request's
record from that session withdraws the reminder before it shows; otherwise it shows
once, and is never repeated.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from functools import partial
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.urls import reverse
from django.utils.translation import gettext as _

from backline.accounts.models import Region, User
from backline.lib import clock
from backline.notify import outbox
from backline.records.models import ContactType, RecordChannel, RecordMode, settings_of

REMIND_AFTER = timedelta(hours=2)
DUE = "backline_records_due"  # the session's list of reminders not yet withdrawn

# how the colleague asked to be reached (support's ``Contact``), as a record's channel
CHANNEL_OF_CONTACT = {
    "call": RecordChannel.PHONE,
    "text": RecordChannel.TEXT,
    "in_person": RecordChannel.IN_PERSON,
    "video": RecordChannel.VIDEO,
}


def _group(peer_id: int, word: str) -> str:
    return f"records:remind:{peer_id}:{word}"


def form_url(contact_type: str, channel: str = "") -> str:
    """The record form, filled in with what is already known."""
    query = {"type": contact_type} | ({"channel": channel} if channel else {})
    return f"{reverse('records:new')}?{urlencode(query)}"


def _reminder(url: str) -> outbox.Message:
    return outbox.Message(
        subject=_("Backline: a short record, if you have a moment"),
        body=_(
            "You closed a request earlier. If you have not yet, file its short record: "
            "no names, no notes, a few taps."
        ),
        link=settings.BACKLINE_PUBLIC_URL.rstrip("/") + url,
    )


def after_close(session: SessionBase, peer: User, region: Region, contact: str) -> str | None:
    """Where a peer goes once they closed a request: the record form (and a reminder is
    held for later), or None when their team keeps no records."""
    if settings_of(region).mode == RecordMode.NONE:
        return None
    url = form_url(ContactType.REQUEST, CHANNEL_OF_CONTACT.get(contact, ""))
    word = secrets.token_urlsafe(9)
    group = _group(peer.pk, word)
    outbox.enqueue(
        peer.pk, group, group, partial(_reminder, url), clock.now() + REMIND_AFTER, inapp_only=True
    )
    session[DUE] = [*session.get(DUE, []), word]
    return url


def filed(session: SessionBase, peer: User) -> None:
    """A request's record was filed: the oldest reminder still due is withdrawn."""
    due = list(session.get(DUE, []))
    if not due:
        return
    outbox.cancel(_group(peer.pk, due.pop(0)))
    session[DUE] = due
