"""What Backline's notifications about requests say. Lock-screen safe: no names, no
notes, no call details; the link asks the reader to sign in before showing more."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from backline.notify.outbox import Message


def absolute(path: str) -> str:
    return settings.BACKLINE_PUBLIC_URL.rstrip("/") + path


def page_link(link_id: str) -> str:
    return absolute(reverse("support:page", args=[link_id]))


TAKE = "take"  # the page's action: "I'll take it" (support.answers)


def page(link_id: str) -> Message:
    return Message(
        subject=_("Backline: a colleague is asking for support"),
        body=_("A colleague reached out for peer support. Open Backline to respond."),
        link=page_link(link_id),
        action=f"{TAKE}:{link_id}",
    )


def taken() -> Message:
    return Message(
        subject=_("Backline: request taken"),
        body=_("Another peer took the request you were paged for. Thank you."),
    )


def peer_coming(request_path: str) -> Message:
    return Message(
        subject=_("Backline: a peer is coming"),
        body=_("A peer took your request. Open Backline to see when."),
        link=absolute(request_path),
    )


def unanswered() -> Message:
    return Message(
        subject=_("Backline: a request is still unanswered"),
        body=_(
            "A request for peer support has gone through every step without an answer. "
            "The team keeps trying. Open Backline."
        ),
        link=absolute(reverse("support:team")),
    )


def organize() -> Message:
    return Message(
        subject=_("Backline: a request needs your team"),
        body=_(
            "A colleague's request for peer support is waiting. Please help the team "
            "find a peer. Open Backline."
        ),
        link=absolute(reverse("support:team")),
    )


def wishes_left_nobody(request_path: str) -> Message:
    return Message(
        subject=_("Backline: your request is still waiting"),
        body=_(
            "The peer you asked for has not answered yet. Open Backline to keep waiting, "
            "ask your whole team, or cancel."
        ),
        link=absolute(request_path),
    )


def cancelled() -> Message:
    return Message(
        subject=_("Backline: request cancelled"),
        body=_("The colleague cancelled the request you took. No action is needed."),
    )


def resolved_taken() -> str:
    return _("Taken by a peer. No action is needed.")


def resolved_by_you() -> str:
    return _("You took this request.")


def resolved_ended() -> str:
    return _("This request has ended.")


def resolved_reopened() -> str:
    return _("Contact did not start in time: Backline is looking for a peer again.")
