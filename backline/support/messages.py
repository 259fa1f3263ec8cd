"""What Backline's notifications about requests say. Lock-screen safe: no names, no
notes, no call details; the link asks the reader to sign in before showing more. Pages
and alerts say how soon the colleague asked for support ("— now")."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backline.notify.outbox import Message
from backline.support.models import Urgency


def absolute(path: str) -> str:
    return settings.BACKLINE_PUBLIC_URL.rstrip("/") + path


def page_link(link_id: str) -> str:
    return absolute(reverse("support:page", args=[link_id]))


# how soon, as the end of a subject line: "Backline: support request — now"
HOW_SOON = {
    Urgency.NOW: gettext_lazy("now"),
    Urgency.HOURS: gettext_lazy("within a few hours"),
    Urgency.WEEK: gettext_lazy("this week"),
}


def _soon(urgency: str) -> str:
    return str(HOW_SOON[Urgency(urgency)])


TAKE = "take"  # the page's action: "I'll take it" (support.answers)


def page(link_id: str, urgency: str) -> Message:
    return Message(
        subject=_("Backline: support request — %(soon)s") % {"soon": _soon(urgency)},
        body=_("A colleague reached out for peer support (%(soon)s). Open Backline to respond.")
        % {"soon": _soon(urgency)},
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


def contact_changed(request_path: str) -> Message:
    return Message(
        subject=_("Backline: how to reach your colleague changed"),
        body=_("The colleague whose request you took changed how to reach them. Open Backline."),
        link=absolute(request_path),
    )


def unanswered(request_ref: str, urgency: str) -> Message:
    return Message(
        subject=_("Backline: a request is still unanswered — %(soon)s") % {"soon": _soon(urgency)},
        body=_(
            "A colleague's request (%(soon)s) has gone through every step without an "
            "answer, and the team keeps trying. Open Backline to see what the team has "
            "tried and page again."
        )
        % {"soon": _soon(urgency)},
        link=absolute(reverse("support:coordinate", args=[request_ref])),
    )


def organize(link_id: str, urgency: str) -> Message:
    return Message(
        subject=_("Backline: a request needs your team — %(soon)s") % {"soon": _soon(urgency)},
        body=_(
            "A colleague's request (%(soon)s) is waiting for a peer. Open Backline to see "
            "what the team has tried and page again."
        )
        % {"soon": _soon(urgency)},
        link=absolute(reverse("support:alert", args=[link_id])),
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


def handed_back() -> Message:
    return Message(
        subject=_("Backline: a request you took went back to your team"),
        body=_(
            "Contact had not started by the time you gave, so your team is being paged "
            "again. If you are already talking, take it again from the new page."
        ),
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


def resolved_cancelled() -> str:
    return _("Cancelled by the colleague. No action is needed.")


def resolved_reopened() -> str:
    return _("Contact did not start in time: Backline is looking for a peer again.")
