"""What the peers carry, counted: contacts, pages, hours on call and nights paged.

A peer sees their own load (``own_load``), and a gentle note when it is high
(``is_high``); a coordinator sees contacts and pages per peer per quarter
(``balance``), as counts only: nothing here returns a requester, a request or a moment
finer than the period it is counted in.

``contacts`` is the one place a contact is counted: a request the peer took, and a
contact they recorded that was not a request (``records``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from backline.accounts.models import User
from backline.accounts.roles import Role
from backline.care.periods import Period, quarters, this_month, this_quarter
from backline.oncall import breaks, people, resolve, waking
from backline.oncall.models import Rotation
from backline.records.models import ContactRecord, ContactType
from backline.support.models import Page, PageKind, SupportRequest

# where a month's load is high enough for a gentle word: a starting point, for teams to
# talk about (docs/adr/0026-care-for-the-peers.md)
HIGH_CONTACTS_A_MONTH = 8
HIGH_NIGHTS_A_MONTH = 4
HIGH_HOURS_A_MONTH = 200
QUARTERS_SHOWN = 4

# a recorded contact counts at midday UTC of its day
MIDDAY = time(12)

# (peer, when): only ever counted into periods, never shown
Moment = tuple[int, datetime]


def contacts(
    peer_ids: Collection[int],
    start: datetime,
    end: datetime,
    region_ids: Collection[int] | None = None,
) -> list[Moment]:
    """Every contact of these peers from ``start`` to ``end`` (in these teams), in two
    queries: the requests they took, at the moment they took them, and the contacts they
    recorded otherwise (a check-in, a session, a hallway conversation: every record but
    one of a request, which the request itself counts), at midday UTC of the record's
    day, which is that same day in every zone a team works in."""
    peer_ids = list(peer_ids)
    taken = SupportRequest.objects.filter(
        acknowledged_by_id__in=peer_ids, acknowledged_at__gte=start, acknowledged_at__lt=end
    )
    recorded = ContactRecord.objects.filter(
        peer_id__in=peer_ids,
        date__gte=(start - timedelta(days=1)).date(),
        date__lte=(end + timedelta(days=1)).date(),
    ).exclude(contact_type=ContactType.REQUEST)
    if region_ids is not None:
        taken = taken.filter(region_id__in=list(region_ids))
        recorded = recorded.filter(region_id__in=list(region_ids))
    moments = [
        (peer, at)
        for peer, at in taken.values_list("acknowledged_by_id", "acknowledged_at")
        if at is not None
    ]
    for peer, day in recorded.values_list("peer_id", "date"):
        at = datetime.combine(day, MIDDAY, tzinfo=UTC)
        if start <= at < end:
            moments.append((peer, at))
    return moments


def pages(
    peer_ids: Collection[int],
    start: datetime,
    end: datetime,
    region_ids: Collection[int] | None = None,
) -> list[Moment]:
    """Every time these peers were paged, as peers, from ``start`` to ``end`` (one
    query)."""
    paged = Page.objects.filter(
        peer_id__in=list(peer_ids), kind=PageKind.PEER, paged_at__gte=start, paged_at__lt=end
    )
    if region_ids is not None:
        paged = paged.filter(request__region_id__in=list(region_ids))
    return list(paged.values_list("peer_id", "paged_at"))


def tally(moments: Iterable[Moment], periods: Sequence[Period]) -> dict[int, list[int]]:
    """How many of the moments fall in each period, per peer."""
    counts: dict[int, list[int]] = defaultdict(lambda: [0] * len(periods))
    for peer, at in moments:
        for index, period in enumerate(periods):
            if period.starts_at <= at < period.ends_at:
                counts[peer][index] += 1
    return counts


def night_of(when: datetime, rest: waking.Rest) -> datetime | None:
    """The night a moment falls in (by the local date it began), or None by day."""
    if not rest.at_night(when):
        return None
    local = when.astimezone(rest.zone)
    began = local - timedelta(hours=waking.NIGHT_ENDS.hour, minutes=waking.NIGHT_ENDS.minute)
    return began.replace(hour=0, minute=0, second=0, microsecond=0)


@dataclass(frozen=True)
class Load:
    contacts: int
    hours_on_call: float
    nights_paged: int


def own_load(user: User, now: datetime) -> tuple[Load, Load]:
    """The peer's load this month and this quarter, so far."""
    zone = user.time_zone
    month, quarter = this_month(now, zone), this_quarter(now, zone)
    periods = [month, quarter]
    took = tally(contacts([user.pk], quarter.starts_at, now), periods)[user.pk]
    rotations = list(Rotation.objects.filter(region__in=user.regions_with(Role.PEER)))
    spans = resolve.on_call_spans(user.pk, rotations, quarter.starts_at, now)
    rest = waking.Rest(zone)
    paged = pages([user.pk], quarter.starts_at, now)
    nights = [
        {
            night
            for _peer, at in paged
            if period.starts_at <= at < period.ends_at and (night := night_of(at, rest))
        }
        for period in periods
    ]
    # time on a break is not time on call, even where a rotation names the peer
    resting = breaks.away([user.pk], quarter.starts_at, now).get(user.pk)
    loads = []
    for index, period in enumerate(periods):
        seconds = 0.0
        for span in spans:
            start, end = max(span.starts_at, period.starts_at), min(span.ends_at, period.ends_at)
            if end > start:
                seconds += (end - start).total_seconds()
                seconds -= _overlap(start, end, *resting) if resting else 0.0
        loads.append(Load(took[index], round(seconds / 3600, 1), len(nights[index])))
    return loads[0], loads[1]


def _overlap(start: datetime, end: datetime, other_start: datetime, other_end: datetime) -> float:
    """Seconds in common between two spans of time."""
    return max((min(end, other_end) - max(start, other_start)).total_seconds(), 0.0)


def is_high(month: Load) -> bool:
    return (
        month.contacts >= HIGH_CONTACTS_A_MONTH
        or month.nights_paged >= HIGH_NIGHTS_A_MONTH
        or month.hours_on_call >= HIGH_HOURS_A_MONTH
    )


@dataclass(frozen=True)
class Row:
    peer: User
    counts: list[tuple[int, int]]  # (contacts, pages) in each quarter, newest first


def counted_through(now: datetime, zone: ZoneInfo) -> datetime:
    """Where a coordinator's counts stop: the start of this week (Monday, midnight in
    ``zone``), so that looking again tomorrow never dates a contact closer than its
    week."""
    local = now.astimezone(zone).date()
    monday = local - timedelta(days=local.weekday())
    return datetime.combine(monday, datetime.min.time(), zone).astimezone(UTC)


def balance(region_id: int, now: datetime, zone: ZoneInfo) -> tuple[list[Period], list[Row]]:
    """Contacts and pages of each peer of the team per quarter (the last
    ``QUARTERS_SHOWN``, up to ``counted_through``), in three queries."""
    through = counted_through(now, zone)
    shown = quarters(through, zone, QUARTERS_SHOWN)
    team = list(people.peers([region_id]))
    ids = [p.pk for p in team]
    start = shown[-1].starts_at
    took = tally(contacts(ids, start, through, [region_id]), shown)
    paged = tally(pages(ids, start, through, [region_id]), shown)
    nothing = [0] * len(shown)
    rows = [
        Row(peer, list(zip(took.get(peer.pk, nothing), paged.get(peer.pk, nothing), strict=True)))
        for peer in team
    ]
    return shown, rows
