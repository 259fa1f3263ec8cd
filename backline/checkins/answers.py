"""The colleague's one-tap answers to a nudge: "I'm good", "Let's talk", "Not now".

Each answer is one conditional update of a nudge still open, so a double tap or two
devices answer once. An answer to a nudge whose plan was deleted, or from a colleague who
opted out since, changes nothing and says why (``Refused``).
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backline.checkins.models import Answer, Nudge, opted_out
from backline.lib import clock
from backline.support import escalation, snapshot
from backline.support.forms import own_phones
from backline.support.models import Contact, SupportRequest, Urgency

log = logging.getLogger(__name__)

OPEN = [Answer.WAITING, Answer.LATER]
EVENING = time(19, 0)
MORNING = time(9, 0)


class Later(models.TextChoices):
    HOUR = "hour", gettext_lazy("In an hour")
    TONIGHT = "tonight", gettext_lazy("Tonight")
    TOMORROW = "tomorrow", gettext_lazy("Tomorrow morning")


class Refused(Exception):
    """Nothing was changed; the message says why, in plain words."""


def check(nudge: Nudge) -> None:
    """Refuse an answer to a nudge that can no longer take one."""
    if nudge.plan is None:
        raise Refused(_("This check-in was ended by the peer, so nothing was changed."))
    if opted_out(nudge.colleague_id, nudge.plan.peer_id):
        raise Refused(
            _(
                "You asked not to receive these check-ins, so nothing was changed. You can "
                "turn them back on in your check-in settings."
            )
        )
    if nudge.closed:
        raise Refused(_("You already answered this check-in. Thank you."))


def _answer(nudge: Nudge, answer: str, now: datetime, until: datetime | None = None) -> None:
    check(nudge)
    changed = Nudge.objects.filter(pk=nudge.pk, answer__in=OPEN).update(
        answer=answer, answered_at=now, snoozed_until=until
    )
    if not changed:
        raise Refused(_("You already answered this check-in. Thank you."))
    nudge.answer, nudge.answered_at, nudge.snoozed_until = answer, now, until


def good(nudge: Nudge, now: datetime | None = None) -> None:
    _answer(nudge, Answer.GOOD, now or clock.now())


def snooze_until(choice: str, zone: ZoneInfo, now: datetime) -> datetime:
    """When "not now" asks again: in an hour; tonight at 19:00 (at least an hour from
    now); tomorrow at 9:00; in the colleague's own zone."""
    local = now.astimezone(zone)
    if choice == Later.TONIGHT:
        evening = datetime.combine(local.date(), EVENING, tzinfo=zone)
        return max(evening, now + timedelta(hours=1))
    if choice == Later.TOMORROW:
        return datetime.combine(local.date() + timedelta(days=1), MORNING, tzinfo=zone)
    return now + timedelta(hours=1)


def later(nudge: Nudge, choice: str, now: datetime | None = None) -> datetime:
    now = now or clock.now()
    until = snooze_until(choice, nudge.colleague.time_zone, now)
    _answer(nudge, Answer.LATER, now, until)
    return until


def talk(nudge: Nudge, now: datetime | None = None) -> SupportRequest:
    """ "Let's talk" becomes a support request of the colleague that asks for the peer
    who planned the check-in: it is routed to them first, under every rule of who may
    take a request (docs/adr/0008-who-may-take-a-request.md). It can wait a few hours,
    so nobody is woken for it, and the peer has time before the team is asked."""
    now = now or clock.now()
    check(nudge)
    assert nudge.plan is not None
    colleague = nudge.colleague
    phones = own_phones(colleague)
    ask = escalation.Ask(
        urgency=Urgency.HOURS,
        contact=Contact.CALL if phones else Contact.IN_PERSON,
        callback_number=phones[0][1] if phones else "",
        preferred_peer=nudge.plan.peer,
        once=nudge.link_id,  # a second tap finds the request the first one made
    )
    with transaction.atomic():
        try:
            request, _follow = escalation.reach_out(colleague, nudge.plan.region, ask, now)
        except escalation.AlreadySent as sent:
            return sent.request
        except escalation.AlreadyOpen as exc:
            raise Refused(
                _("You already have a request open, so nothing was changed. See your home page.")
            ) from exc
        except snapshot.Unreadable as exc:
            log.error(
                "region %s: let's talk refused, its snapshot is unreadable", nudge.plan.region_id
            )
            raise Refused(
                _(
                    "Backline could not send this just now, and nothing was changed. Please "
                    "try again in a moment, or call 988 if you need someone now."
                )
            ) from exc
        _answer(nudge, Answer.TALK, now)
    return request
