"""The Spanish catalogue is kept complete: every entry translated, none fuzzy, every
placeholder kept; and in step with the source (docs/adr/0033)."""

from __future__ import annotations

import gettext
import importlib.util
import re
from collections import Counter
from pathlib import Path
from types import ModuleType

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "catalogues"
# every language offered but English, whose msgids are the source
CATALOGUES = [
    ROOT / "backline" / "locale" / code / "LC_MESSAGES" / "django.po"
    for code, _name in settings.LANGUAGES
    if code != "en"
]
# %(name)s, %s, %d, %.1f ...; "%%" is a percent sign, not a placeholder
PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0+]*\d*(?:\.\d+)?[sdifrxXeEgGc]|%%")


def placeholders(text: str) -> Counter[str]:
    return Counter(found for found in PLACEHOLDER.findall(text) if found != "%%")


def problems(path: Path) -> list[str]:
    """What keeps the catalogue at ``path`` from being complete, one line per entry
    (named by the line it begins on): untranslated (any plural form counts), fuzzy, or
    a placeholder dropped or changed."""
    found = []
    for entry in polib.pofile(str(path)):
        if entry.obsolete:
            continue
        where = f"{path.name}:{entry.linenum}: {entry.msgid!r}"
        if entry.fuzzy:
            found.append(f"{where} is fuzzy")
        forms = entry.msgstr_plural or {0: entry.msgstr}
        if not all(forms.values()):
            found.append(f"{where} is untranslated")
            continue
        for index, text in sorted(forms.items()):
            source = entry.msgid_plural if entry.msgid_plural and int(index) > 0 else entry.msgid
            if placeholders(text) != placeholders(source):
                expected = sorted(placeholders(source).elements())
                found.append(
                    f"{where} has {sorted(placeholders(text).elements())} in form "
                    f"{index}, not {expected}"
                )
    return found


def test_a_complete_catalogue_has_no_problem() -> None:
    assert problems(FIXTURES / "complete.po") == []


def test_every_untranslated_entry_is_listed() -> None:
    assert problems(FIXTURES / "untranslated.po") == [
        "untranslated.po:10: 'Sign in' is untranslated",
        "untranslated.po:13: '%(count)s request' is untranslated",
    ]


def test_a_fuzzy_entry_is_listed() -> None:
    assert problems(FIXTURES / "fuzzy.po") == ["fuzzy.po:10: 'Sign out' is fuzzy"]


def test_a_dropped_or_changed_placeholder_is_listed() -> None:
    assert problems(FIXTURES / "broken_placeholder.po") == [
        "broken_placeholder.po:7: 'Hello, %(name)s.' has ['%(nombre)s'] in form 0, "
        "not ['%(name)s']",
        "broken_placeholder.po:11: '%(count)s request' has [] in form 1, not ['%(count)s']",
        "broken_placeholder.po:18: 'Paged %s at %s' has ['%s'] in form 0, not ['%s', '%s']",
    ]


def test_spanish_is_among_the_catalogues() -> None:
    assert [path.parent.parent.name for path in CATALOGUES] == ["es"]
    assert all(path.is_relative_to(settings.LOCALE_PATHS[0]) for path in CATALOGUES)


@pytest.mark.parametrize("catalogue", CATALOGUES, ids=lambda path: path.parent.parent.name)
def test_the_catalogue_is_complete(catalogue: Path) -> None:
    assert catalogue.is_file(), f"no catalogue at {catalogue}: makemessages"
    assert problems(catalogue) == []


@pytest.mark.parametrize("catalogue", CATALOGUES, ids=lambda path: path.parent.parent.name)
def test_the_catalogue_holds_every_string_of_the_source(
    catalogue: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """makemessages, run into an empty folder, finds no msgid the catalogue lacks."""
    assert catalogue.is_file(), f"no catalogue at {catalogue}: makemessages"
    code = catalogue.parent.parent.name
    monkeypatch.chdir(ROOT)
    ignored = ["backline/locale", "tests", "bench", "scripts", "data", "test-artifacts"]
    with override_settings(LOCALE_PATHS=[tmp_path]):
        call_command("makemessages", locale=[code], ignore_patterns=ignored, verbosity=0)
    fresh = polib.pofile(str(tmp_path / code / "LC_MESSAGES" / "django.po"))
    assert len(fresh) > 100  # the source was read
    kept = {(e.msgctxt, e.msgid) for e in polib.pofile(str(catalogue)) if not e.obsolete}
    missing = sorted(e.msgid for e in fresh if (e.msgctxt, e.msgid) not in kept)
    assert missing == [], f"run makemessages -l {code}: {len(missing)} new strings"


def _compiler() -> ModuleType:
    path = Path(settings.BASE_DIR) / "scripts" / "compile_catalogues.py"
    spec = importlib.util.spec_from_file_location("compile_catalogues", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_catalogues_compile_in_python_to_what_gettext_reads(tmp_path: Path) -> None:
    folder = tmp_path / "es" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "django.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Reach out"\nmsgstr "Pedir apoyo"\n',
        encoding="utf-8",
    )
    compile_catalogues = _compiler()
    assert compile_catalogues.compile_all(tmp_path) == [folder / "django.mo"]
    assert compile_catalogues.compile_all(tmp_path) == []  # up to date: left alone
    with (folder / "django.mo").open("rb") as compiled:
        assert gettext.GNUTranslations(compiled).gettext("Reach out") == "Pedir apoyo"
