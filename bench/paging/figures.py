"""How the paging benchmark writes its figures: seconds, percentiles, goals met."""

from __future__ import annotations

import math
from collections.abc import Sequence

from bench.common import percentile, slope

NONE = "-"  # no figure
GOAL_SECONDS = 1.0
GOAL_MIB = 200


def seconds(value: float) -> str:
    return NONE if math.isnan(value) else f"{value:.3f}"


def met(ok: bool) -> str:
    return "met" if ok else "**missed**"


def p99_ok(values: Sequence[float]) -> bool:
    return bool(values) and percentile(values, 0.99) <= GOAL_SECONDS


def spread(values: Sequence[float], fractions: Sequence[float] = (0.5, 0.99)) -> str:
    """Percentiles of ``values`` in seconds, e.g. ``0.020 / 0.053`` for p50 / p99."""
    return " / ".join(seconds(percentile(values, fraction)) for fraction in fractions)


def cells(values: Sequence[float], fractions: Sequence[float] = (0.50, 0.95, 0.99)) -> list[str]:
    """Percentiles (p50, p95, p99) and the maximum of ``values``, in seconds, as table cells."""
    found = [percentile(values, fraction) for fraction in fractions]
    return [seconds(value) for value in [*found, max(values, default=math.nan)]]


def median(values: Sequence[float]) -> float:
    """The median; of an even number of values, the mean of the two in the middle."""
    if not values:
        return math.nan
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def slope_per_minute(points: Sequence[tuple[float, float]]) -> str:
    """The least-squares slope of ``(seconds, MiB)`` points, in MiB per minute."""
    value = slope(points) * 60
    return NONE if math.isnan(value) else f"{value:+.2f}"


def row(*values: object) -> str:
    """One Markdown table row."""
    return "| " + " | ".join(str(value) for value in values) + " |"
