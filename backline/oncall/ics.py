"""A person's calendar (ICS): the private subscription link and the feed itself.

The link carries a random token; the database keeps only its digest, so the link is
shown once, when it is made, and making a new one stops the old one. The feed lists
a peer's shifts in their teams' rotations and, for every member of a team, the
sessions they facilitate or are invited to (``meetings.ics``: never who else is
coming), and nothing about requests for support.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from backline.accounts.models import User
from backline.accounts.roles import Role
from backline.lib import clock, tokens
from backline.meetings import ics as meetings
from backline.oncall import resolve
from backline.oncall.models import CalendarFeed, Rotation

DAYS_AHEAD = 60
DAYS_BEHIND = 1


def issue(user: User) -> str:
    """A new subscription token for ``user``; any earlier one stops working."""
    token = tokens.new_token()
    CalendarFeed.objects.update_or_create(
        user=user, defaults={"token_digest": tokens.digest(token), "created_at": clock.now()}
    )
    return token


def owner(token: str) -> User | None:
    """The active member of a team a token belongs to, or None."""
    feed = (
        CalendarFeed.objects.filter(token_digest=tokens.digest(token))
        .select_related("user")
        .first()
    )
    if feed is None or not feed.user.is_active or not feed.user.all_memberships:
        return None
    return feed.user


def period(now: datetime) -> tuple[datetime, datetime]:
    """From the start of yesterday (UTC) to about two months on: whole days, so that an
    event's start, and so its identity, stays the same between two fetches."""
    today = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return today - timedelta(days=DAYS_BEHIND), today + timedelta(days=DAYS_AHEAD + 1)


def shifts(user: User, now: datetime) -> list[tuple[Rotation, resolve.Shift]]:
    """The person's on-call shifts in their teams' rotations over ``period(now)``."""
    start, end = period(now)
    rotations = list(Rotation.objects.filter(region__in=user.regions_with(Role.PEER)))
    found = resolve.shifts_of(user.pk, rotations, start, end)
    return sorted(found, key=lambda pair: (pair[1].starts_at, pair[0].name))


def calendar(user: User, now: datetime | None = None) -> bytes:
    now = now or clock.now()
    cal = Calendar()
    cal.add("prodid", "-//Backline//On call//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", _("Backline on call"))
    cal.add("x-published-ttl", timedelta(hours=1))
    for rotation, shift in shifts(user, now):
        event = Event()
        event.add("uid", f"oncall-{rotation.pk}-{user.pk}-{int(shift.starts_at.timestamp())}")
        event.add("dtstamp", now.astimezone(UTC))
        event.add("dtstart", shift.starts_at.astimezone(UTC))
        event.add("dtend", shift.ends_at.astimezone(UTC))
        event.add("summary", _("On call: %(rotation)s") % {"rotation": rotation.name})
        event.add("transp", "OPAQUE")
        cal.add_component(event)
    for session in meetings.events_for(user, *period(now), now):
        cal.add_component(session)
    ical: bytes = cal.to_ical()  # icalendar leaves it unannotated
    return ical
