"""When a plan's check-ins fall: a local time on local dates in the colleague's zone.

The rule is stored, not its occurrences: a first date, a local time, a frequency, a
last date and the zone's name. Each occurrence is that local time on its date, made an
instant with ``zoneinfo`` only when it is needed, so 9:00 stays 9:00 on both sides of a
daylight-saving change. A local time that does not exist that day (the hour the clocks
skip in spring) falls an hour later, and one that happens twice (in autumn) is the
first of the two: what ``zoneinfo`` gives for ``fold=0``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import models
from django.utils.translation import gettext_lazy as _

from backline.lib import months

# a plan never runs longer than this, so that a finished plan cannot be forgotten
LONGEST = timedelta(days=366)


class Frequency(models.TextChoices):
    ONCE = "once", _("Once")
    WEEKLY = "weekly", _("Every week")
    FORTNIGHTLY = "fortnightly", _("Every two weeks")
    MONTHLY = "monthly", _("Every month")


@dataclass(frozen=True)
class Rule:
    frequency: str
    starts_on: date
    at: time
    zone: str
    ends_on: date | None = None

    def day(self, index: int) -> date:
        """The local date of the ``index``-th occurrence (0: the first)."""
        if self.frequency == Frequency.WEEKLY:
            return self.starts_on + timedelta(weeks=index)
        if self.frequency == Frequency.FORTNIGHTLY:
            return self.starts_on + timedelta(weeks=2 * index)
        if self.frequency == Frequency.MONTHLY:
            return months.add_months(self.starts_on, index)
        return self.starts_on

    def occurrence(self, index: int) -> datetime | None:
        """The ``index``-th occurrence as an instant (UTC), or None past the end."""
        if index < 0 or (self.frequency == Frequency.ONCE and index > 0):
            return None
        day = self.day(index)
        if self.ends_on is not None and day > self.ends_on:
            return None
        local = datetime.combine(day, self.at, tzinfo=ZoneInfo(self.zone))
        return local.astimezone(UTC)

    def first_after(self, moment: datetime) -> tuple[int, datetime] | None:
        """The first occurrence later than ``moment``, with its index."""
        index = 0
        while (at := self.occurrence(index)) is not None:
            if at > moment:
                return index, at
            index += 1
        return None
