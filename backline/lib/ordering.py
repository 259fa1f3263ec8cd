"""Rows kept in order by an integer field: the next place at the end, closing the gap a
removed row leaves, and swapping a row with its neighbour.

The field may carry a unique constraint (a rotation's members, a policy's steps): rows
are changed one at a time, through a spare place, because PostgreSQL checks such a
constraint row by row. Callers lock the parent row so one change to the order runs at a
time.
"""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Max, Model, QuerySet

M = TypeVar("M", bound=Model)


def next_position(rows: QuerySet[M], field: str) -> int:
    """The place after the last of ``rows``: 0 when there are none."""
    last = rows.aggregate(last=Max(field))["last"]
    return 0 if last is None else last + 1


def close_up(rows: QuerySet[M], field: str, after: int) -> None:
    """Move every row after a removed position one place up, one at a time."""
    for row in rows.filter(**{f"{field}__gt": after}).order_by(field):
        setattr(row, field, getattr(row, field) - 1)
        row.save(update_fields=[field])


def swap(rows: QuerySet[M], field: str, item: M, direction: str | None) -> bool:
    """Swap ``item`` with its neighbour ``"up"`` or ``"down"``; False at either end (or for
    any other direction)."""
    position = getattr(item, field)
    if direction == "up":
        other = rows.filter(**{f"{field}__lt": position}).order_by(f"-{field}").first()
    elif direction == "down":
        other = rows.filter(**{f"{field}__gt": position}).order_by(field).first()
    else:
        return False
    if other is None:
        return False
    spare = next_position(rows, field)  # a free place to pass through
    other_position = getattr(other, field)
    for row, value in ((item, spare), (other, position), (item, other_position)):
        setattr(row, field, value)
        row.save(update_fields=[field])
    return True
