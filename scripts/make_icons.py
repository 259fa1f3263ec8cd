"""Draw Backline's icons: ``python scripts/make_icons.py`` writes the SVG favicon and the
PNG app icons into backline/web/static/backline/icons/ (the files are committed).

One drawing, a white pulse line on Backline's blue, rendered without any image library:
each pixel's share of the line is worked out from its distance to the line (edges are
smoothed over one pixel), and the PNG is written with zlib. The PNGs fill their square
edge to edge, as maskable and Apple touch icons should; the line stays inside the
central circle that every launcher's mask keeps.
"""

from __future__ import annotations

import itertools
import math
import struct
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ICONS = ROOT / "backline" / "web" / "static" / "backline" / "icons"
BLUE = (0x0B, 0x5C, 0xAD)
WHITE = (0xFF, 0xFF, 0xFF)
# the pulse line, in a square of side 1
LINE = [(0.2, 0.54), (0.38, 0.54), (0.46, 0.34), (0.56, 0.7), (0.64, 0.5), (0.8, 0.5)]
LINE_WIDTH = 0.07
PNG_SIZES = {"icon-192.png": 192, "icon-512.png": 512, "apple-touch-icon.png": 180}


def svg() -> str:
    points = " ".join(f"{x * 64:g},{y * 64:g}" for x, y in LINE)
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">'
        f'<rect width="64" height="64" rx="14" fill="#{bytes(BLUE).hex()}"/>'
        f'<polyline points="{points}" fill="none" stroke="#fff" '
        f'stroke-width="{LINE_WIDTH * 64:g}" stroke-linecap="round" stroke-linejoin="round"/>'
        "</svg>\n"
    )


def _distance(px: float, py: float, a: tuple[float, float], b: tuple[float, float]) -> float:
    (ax, ay), (bx, by) = a, b
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def png(size: int) -> bytes:
    segments = [
        ((ax * size, ay * size), (bx * size, by * size))
        for (ax, ay), (bx, by) in itertools.pairwise(LINE)
    ]
    half = LINE_WIDTH * size / 2
    rows = []
    for y in range(size):
        row = bytearray([0])  # filter: none
        for x in range(size):
            d = min(_distance(x + 0.5, y + 0.5, a, b) for a, b in segments)
            cover = max(0.0, min(1.0, half - d + 0.5))
            row += bytes(round(c + (w - c) * cover) for c, w in zip(BLUE, WHITE, strict=True))
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        checksum = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + checksum

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + chunk(b"IEND", b"")
    )


def main() -> None:
    ICONS.mkdir(parents=True, exist_ok=True)
    (ICONS / "icon.svg").write_text(svg(), encoding="utf-8")
    for name, size in PNG_SIZES.items():
        (ICONS / name).write_bytes(png(size))
        print(f"wrote {ICONS / name} ({size}x{size})")


if __name__ == "__main__":
    main()
