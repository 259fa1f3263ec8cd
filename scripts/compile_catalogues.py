"""Compiles every translation catalogue (``.po``) under Backline's locale folder into the
``.mo`` that gettext reads, in Python (polib): ``make messages`` needs no system package.

The catalogues' own checks (nothing untranslated or fuzzy, every placeholder kept, in
step with the source) are ``tests/test_catalogue.py``'s. Usage::

    python scripts/compile_catalogues.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parent.parent / "backline" / "locale"


def compile_all(locale: Path = LOCALE) -> list[Path]:
    """Writes each ``.po``'s ``.mo`` beside it, when missing or older; returns those written."""
    written = []
    for source in sorted(locale.glob("*/LC_MESSAGES/*.po")):
        target = source.with_suffix(".mo")
        if not target.exists() or target.stat().st_mtime < source.stat().st_mtime:
            polib.pofile(str(source)).save_as_mofile(str(target))
            written.append(target)
    return written


if __name__ == "__main__":
    for path in compile_all():
        print(f"compiled {path.relative_to(LOCALE.parent.parent)}")
    sys.exit(0)
