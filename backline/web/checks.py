"""Checks Django runs before Backline starts (``manage.py check``, ``migrate``, the
engine): in production, every language offered has its compiled catalogue."""

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import Error

SOURCE_LANGUAGE = "en"  # the msgids themselves: English needs no catalogue


def compiled_catalogues(app_configs: Sequence[AppConfig] | None, **kwargs: Any) -> list[Error]:
    """In production, refuse to start while a language offered has no ``.mo``: its
    people would read every page in English without a word said."""
    if settings.ENVIRONMENT != "production":
        return []
    return [
        Error(
            f"Backline offers {code!r} but no compiled catalogue for it was found "
            f"(LC_MESSAGES/django.mo under {', '.join(map(str, settings.LOCALE_PATHS))}).",
            hint="Build it from the .po with `make messages` "
            "(`python scripts/compile_catalogues.py`).",
            id="backline.E001",
        )
        for code, _name in settings.LANGUAGES
        if code != SOURCE_LANGUAGE
        and not any(
            (Path(path) / code / "LC_MESSAGES" / "django.mo").is_file()
            for path in settings.LOCALE_PATHS
        )
    ]
