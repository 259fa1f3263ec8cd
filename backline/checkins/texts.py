"""What check-in notifications say. Lock-screen safe: never the peer's name nor the
colleague's, nothing about stress or support; the link asks the reader to sign in."""

from django.urls import reverse
from django.utils.translation import gettext as _

from backline.notify.outbox import Message
from backline.support.messages import absolute

GOOD = "checkin-good"  # the nudge's action: "I'm good" (checkins.taps)


def nudge(link_id: str) -> Message:
    return Message(
        subject=_("Backline: a peer is checking in"),
        body=_("A peer is checking in. Open Backline to answer in one tap."),
        link=absolute(reverse("checkins:nudge", args=[link_id])),
        action=f"{GOOD}:{link_id}",
    )


def reminder() -> Message:
    return Message(
        subject=_("Backline: a check-in you planned is coming up"),
        body=_("One of your check-ins goes out within the hour. Open Backline to see it."),
        link=absolute(reverse("checkins:plans")),
    )


def handed_over(count: int) -> Message:
    return Message(
        subject=_("Backline: check-ins handed over"),
        body=_(
            "A peer left the team. %(count)s of their check-in plans are paused; each "
            "colleague is asked whether another peer may continue."
        )
        % {"count": count},
        link=absolute(reverse("checkins:team")),
    )


def may_another_continue() -> Message:
    return Message(
        subject=_("Backline: about your check-ins"),
        body=_(
            "The peer who checked in with you has left the team. Open Backline to choose "
            "whether another peer may continue."
        ),
        link=absolute(reverse("checkins:settings")),
    )


def continued() -> Message:
    return Message(
        subject=_("Backline: a colleague would like you to check in"),
        body=_("A colleague asked you to continue their check-ins. Open Backline to see them."),
        link=absolute(reverse("checkins:plans")),
    )
