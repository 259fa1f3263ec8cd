"""The periods a load is counted over: this month and this quarter so far, and whole
quarters, each from midnight in the zone of the person reading."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Period:
    starts_at: datetime
    ends_at: datetime
    first_day: date  # names the period: its month, or its quarter

    @property
    def quarter(self) -> int:
        return (self.first_day.month - 1) // 3 + 1


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, datetime.min.time(), zone).astimezone(UTC)


def _quarter_start(day: date) -> date:
    return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def this_month(now: datetime, zone: ZoneInfo) -> Period:
    first = now.astimezone(zone).date().replace(day=1)
    return Period(_midnight(first, zone), now, first)


def this_quarter(now: datetime, zone: ZoneInfo) -> Period:
    first = _quarter_start(now.astimezone(zone).date())
    return Period(_midnight(first, zone), now, first)


def quarters(now: datetime, zone: ZoneInfo, count: int) -> list[Period]:
    """The last ``count`` quarters, newest first; the current one ends at ``now``."""
    first = _quarter_start(now.astimezone(zone).date())
    found = [this_quarter(now, zone)]
    while len(found) < count:
        previous = _quarter_start(date.fromordinal(first.toordinal() - 1))
        found.append(Period(_midnight(previous, zone), _midnight(first, zone), previous))
        first = previous
    return found
