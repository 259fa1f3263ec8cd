"""A scale's results over time, as the geometry of a small SVG chart drawn on the server.

The chart reads without colour: each band is a labelled strip between dashed lines, and
each point carries its score as text. The page shows the same results as a table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from backline.wellness.instruments import Band, Scale

WIDTH, HEIGHT = 340, 220
LEFT, RIGHT, TOP, BOTTOM = 8, 112, 10, 24  # margins: band labels sit on the right


@dataclass(frozen=True)
class Strip:
    band: Band
    y: float
    height: float
    label_y: float
    shaded: bool  # every other strip, so that neighbours differ by more than colour


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    total: int
    when: datetime

    @property
    def label_y(self) -> float:
        return self.y - 8


@dataclass(frozen=True)
class Chart:
    scale: Scale
    strips: list[Strip]
    points: list[Point]
    width: int = WIDTH
    height: int = HEIGHT
    plot_right: int = WIDTH - RIGHT
    label_x: int = WIDTH - RIGHT + 6
    axis_y: int = HEIGHT - BOTTOM

    @property
    def shows_totals(self) -> bool:
        """A score beside each point; a scale of named zones only (the stress
        continuum) is read from its bands."""
        return any(band.low != band.high for band in self.scale.bands)

    @property
    def line(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)


def draw(scale: Scale, results: list[tuple[datetime, int]]) -> Chart:
    """``results`` (when, total), oldest first, against ``scale``'s bands."""
    # each band covers half a point either side of its ends, so that neighbours meet
    low, high = scale.low - 0.5, scale.high + 0.5
    span = high - low
    plot_height = HEIGHT - TOP - BOTTOM
    plot_width = WIDTH - LEFT - RIGHT

    def y_of(value: float) -> float:
        return TOP + (high - value) / span * plot_height

    strips = []
    for index, band in enumerate(scale.bands):
        top, bottom = y_of(band.high + 0.5), y_of(band.low - 0.5)
        strips.append(Strip(band, top, bottom - top, (top + bottom) / 2 + 4, index % 2 == 1))
    count = len(results)
    points = [
        Point(
            LEFT + (plot_width / 2 if count == 1 else index * plot_width / (count - 1)),
            y_of(total),
            total,
            when,
        )
        for index, (when, total) in enumerate(results)
    ]
    return Chart(scale, strips, points)
