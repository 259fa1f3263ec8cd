"""Shift offers and swaps: a peer offers part of their own upcoming shift, another peer
of the team takes it (or a coordinator assigns it).

Taking creates an ``Override`` (``replaces`` the offerer, ``covered_by`` the taker) and
links it to the offer in one transaction. The link is a conditional update of an offer
that is still open, so when two peers take the same offer at once exactly one wins and
the other's override is rolled back.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from backline.accounts.models import User
from backline.lib import clock
from backline.oncall import people, resolve
from backline.oncall.models import Override, Rotation, ShiftOffer


class Refused(Exception):
    """The swap cannot be done; ``reason`` says why, for the person who tried."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _Lost(Exception):
    pass


def check_offer(
    rotation: Rotation, offerer: User, starts_at: datetime, ends_at: datetime, now: datetime
) -> tuple[datetime, datetime]:
    """The period to offer (a start in the past means from now), or ``Refused``."""
    starts_at = max(starts_at, now)
    if ends_at <= starts_at:
        raise Refused(_("The part you offer must end after it starts, and after now."))
    if not people.is_peer(offerer.pk, rotation.region_id):
        raise Refused(_("Only a peer of the team can offer a shift."))
    if not resolve.covers(rotation, offerer.pk, starts_at, ends_at):
        raise Refused(_("You are not on call in this rotation for all of that time."))
    overlapping = ShiftOffer.objects.open().filter(
        rotation=rotation, offered_by=offerer, starts_at__lt=ends_at, ends_at__gt=starts_at
    )
    if overlapping.exists():
        raise Refused(_("You already offer part of that time."))
    return starts_at, ends_at


def offer(
    rotation: Rotation,
    offerer: User,
    starts_at: datetime,
    ends_at: datetime,
    now: datetime | None = None,
) -> ShiftOffer:
    now = now or clock.now()
    starts_at, ends_at = check_offer(rotation, offerer, starts_at, ends_at, now)
    return ShiftOffer.objects.create(
        rotation=rotation, offered_by=offerer, starts_at=starts_at, ends_at=ends_at, created_at=now
    )


def take(
    shift_offer: ShiftOffer, taker: User, by: User | None = None, now: datetime | None = None
) -> Override:
    """The taker covers the offered time; ``by`` is the coordinator who assigned it, if
    one did. Raises ``Refused`` when someone else was first or the offer cannot be taken."""
    now = now or clock.now()
    rotation = shift_offer.rotation
    if taker.pk == shift_offer.offered_by_id:
        raise Refused(_("This is your own offer."))
    if not people.is_peer(taker.pk, rotation.region_id):
        raise Refused(_("Only a peer of the team can take this shift."))
    if shift_offer.ends_at <= now:
        raise Refused(_("This offer has ended."))
    if not ShiftOffer.objects.open().filter(pk=shift_offer.pk).exists():
        raise Refused(_("This shift was already taken or withdrawn."))
    if not resolve.covers(
        rotation, shift_offer.offered_by_id, max(shift_offer.starts_at, now), shift_offer.ends_at
    ):
        raise Refused(_("This shift has changed since it was offered; it can no longer be taken."))
    try:
        with transaction.atomic():
            override = Override.objects.create(
                rotation=rotation,
                starts_at=shift_offer.starts_at,
                ends_at=shift_offer.ends_at,
                replaces_id=shift_offer.offered_by_id,
                covered_by=taker,
                created_by=by or taker,
                created_at=now,
            )
            won = ShiftOffer.objects.filter(
                pk=shift_offer.pk, override__isnull=True, withdrawn_at__isnull=True
            ).update(override=override)
            if not won:
                raise _Lost
    except _Lost:
        raise Refused(_("This shift was already taken or withdrawn.")) from None
    shift_offer.override = override
    return override


def withdraw(shift_offer: ShiftOffer, offerer: User, now: datetime | None = None) -> bool:
    """The offerer takes back an offer nobody has taken; False when it was too late."""
    withdrawn = ShiftOffer.objects.filter(
        pk=shift_offer.pk, offered_by=offerer, override__isnull=True, withdrawn_at__isnull=True
    ).update(withdrawn_at=now or clock.now())
    return bool(withdrawn)


def remove_override(override: Override, now: datetime | None = None) -> None:
    """Delete an override; an offer it came from is closed, not offered again."""
    with transaction.atomic():
        ShiftOffer.objects.filter(override=override).update(
            override=None, withdrawn_at=now or clock.now()
        )
        override.delete()
