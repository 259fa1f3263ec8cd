"""What session notifications say. Lock-screen safe: never who is invited, who
facilitates nor what the session is about; the link asks the reader to sign in."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from backline.notify.outbox import Message

# what happened: (subject, body)
TEXTS: dict[str, tuple[Promise, Promise]] = {
    "invited": (
        _("Backline: an invitation"),
        _(
            "You are invited to a session. Open Backline to answer in one tap. "
            "The invitation is attached for your calendar."
        ),
    ),
    "facilitating": (
        _("Backline: a session you facilitate"),
        _(
            "A session you facilitate is scheduled. Open Backline to see it; "
            "the invitation is attached for your calendar."
        ),
    ),
    "changed": (
        _("Backline: a session has changed"),
        _(
            "A session you are invited to has changed. Open Backline to see it; "
            "the attached invitation updates your calendar."
        ),
    ),
    "cancelled": (
        _("Backline: a session is cancelled"),
        _(
            "A session you were invited to is cancelled. "
            "The attached file takes it out of your calendar."
        ),
    ),
    "day": (
        _("Backline: a session in a day"),
        _("A session you are invited to starts in a day. Open Backline to see where."),
    ),
    "hour": (
        _("Backline: a session within the hour"),
        _("A session you are invited to starts within the hour. Open Backline to see where."),
    ),
    "seat": (
        _("Backline: a seat is yours"),
        _(
            "A seat became free in a session you waited for, and it is yours now. "
            "Open Backline to see it, or to give the seat back."
        ),
    ),
}


def link(meeting_pk: int) -> str:
    return settings.BACKLINE_PUBLIC_URL.rstrip("/") + reverse("meetings:detail", args=[meeting_pk])


def about(what: str, meeting_pk: int) -> Message:
    """The message saying ``what`` (a key of ``TEXTS``) happened to a session."""
    subject, body = TEXTS[what]
    return Message(subject=str(subject), body=str(body), link=link(meeting_pk))
