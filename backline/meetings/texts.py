"""What session notifications say. Lock-screen safe: never who is invited, who
facilitates nor what the session is about; the link asks the reader to sign in."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from backline.notify.outbox import Message


def link(meeting_pk: int) -> str:
    return settings.BACKLINE_PUBLIC_URL.rstrip("/") + reverse("meetings:detail", args=[meeting_pk])


def invited(meeting_pk: int) -> Message:
    return Message(
        subject=_("Backline: an invitation"),
        body=_(
            "You are invited to a session. Open Backline to answer in one tap. "
            "The invitation is attached for your calendar."
        ),
        link=link(meeting_pk),
    )


def facilitating(meeting_pk: int) -> Message:
    return Message(
        subject=_("Backline: a session you facilitate"),
        body=_(
            "A session you facilitate is scheduled. Open Backline to see it; "
            "the invitation is attached for your calendar."
        ),
        link=link(meeting_pk),
    )


def changed(meeting_pk: int) -> Message:
    return Message(
        subject=_("Backline: a session has changed"),
        body=_(
            "A session you are invited to has changed. Open Backline to see it; "
            "the attached invitation updates your calendar."
        ),
        link=link(meeting_pk),
    )


def cancelled(meeting_pk: int) -> Message:
    return Message(
        subject=_("Backline: a session is cancelled"),
        body=_(
            "A session you were invited to is cancelled. "
            "The attached file takes it out of your calendar."
        ),
        link=link(meeting_pk),
    )


def in_a_day(meeting_pk: int) -> Message:
    return Message(
        subject=_("Backline: a session in a day"),
        body=_("A session you are invited to starts in a day. Open Backline to see where."),
        link=link(meeting_pk),
    )


def within_the_hour(meeting_pk: int) -> Message:
    return Message(
        subject=_("Backline: a session within the hour"),
        body=_("A session you are invited to starts within the hour. Open Backline to see where."),
        link=link(meeting_pk),
    )


def seat_is_yours(meeting_pk: int) -> Message:
    return Message(
        subject=_("Backline: a seat is yours"),
        body=_(
            "A seat became free in a session you waited for, and it is yours now. "
            "Open Backline to see it, or to give the seat back."
        ),
        link=link(meeting_pk),
    )
