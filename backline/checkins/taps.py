""" "I'm good" where the nudge arrives: the button of a browser notification, or a text
that replies with the nudge's code (as "I'll take it" is, docs/adr/0013). Both end in
``answers.good``; anyone but the colleague gets the answer given for a code that does
not exist."""

from __future__ import annotations

from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backline.checkins import answers, texts
from backline.checkins.models import Nudge
from backline.lib import tokens
from backline.notify import actions
from backline.support.messages import absolute


def tap_key(link_id: str, colleague_id: int) -> str:
    """What the notification's button posts with: bound to the nudge and its colleague,
    known only to the server and to the browser the (encrypted) push reached."""
    return tokens.keyed("checkin-tap", link_id, colleague_id)


def tap_url(link_id: str, colleague_id: int) -> str:
    return absolute(
        reverse("checkins:nudge_good_tap", args=[link_id, tap_key(link_id, colleague_id)])
    )


def good(link_id: str, colleague_id: int, key: str | None = None) -> str | None:
    """Answer "I'm good"; what to tell the colleague, or None when the nudge is not theirs
    (or, from a push, ``key`` is not the one it carried)."""
    if key is not None and not constant_time_compare(tap_key(link_id, colleague_id), key):
        return None
    nudge = Nudge.objects.filter(link_id=link_id, colleague_id=colleague_id).first()
    if nudge is None:
        return None
    try:
        answers.good(nudge)
    except answers.Refused as refused:
        return str(refused)
    return _("Thank you for letting your peer know. Take care.")


def on_reply(link_id: str, colleague_id: int) -> str | None:
    said = good(link_id, colleague_id)
    return None if said is None else _("Backline: %(said)s") % {"said": said}


def register() -> None:
    actions.register(
        texts.GOOD,
        actions.Action(
            title=gettext_lazy("I'm good"),
            reply_prompt=gettext_lazy("Reply %(code)s if you're good."),
            tap_url=tap_url,
            on_reply=on_reply,
        ),
    )
