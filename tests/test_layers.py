"""Imports point toward the foundation (docs/adr/0001): an app imports only the apps below
it, so a lower layer never imports a higher one. Tests and migrations are left out."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

BACKLINE = Path(__file__).resolve().parent.parent / "backline"

# lowest first: each app may import the ones before it
LAYERS = [
    "lib", "privacy", "accounts", "directory", "notify", "records", "meetings", "oncall", "support",
    "checkins", "care", "wellness", "engine", "web",
]  # fmt: skip
MAY_IMPORT = {app: set(LAYERS[:i]) for i, app in enumerate(LAYERS)}
# beside the chain; nothing in it imports them (backline/urls.py mounts roster's pages)
MAY_IMPORT["roster"] = {"lib", "privacy", "accounts"}
MAY_IMPORT["demo"] = set(LAYERS[: LAYERS.index("web")])


def apps() -> list[str]:
    return sorted(p.parent.name for p in BACKLINE.glob("*/__init__.py"))


def modules(app: str) -> list[Path]:
    return sorted(
        path
        for path in (BACKLINE / app).rglob("*.py")
        if not {"migrations", "tests"} & set(path.relative_to(BACKLINE).parts)
        and path.name != "conftest.py"
    )


def imported_apps(source: str, package: str) -> dict[str, int]:
    """The Backline apps a module's imports name (at any depth, under ``TYPE_CHECKING``
    too), each with the line of its first import. ``package`` is the dotted name of the
    module's package, for relative imports."""
    here = package.split(".")
    found: dict[str, int] = {}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the module's package, up ``level - 1``
                base = ".".join([*here[: len(here) - node.level + 1], *filter(None, [base])])
            # ``from backline import support`` names the app among the imported names
            names = [f"{base}.{alias.name}" for alias in node.names] if base else []
        else:
            continue
        for name in names:
            parts = name.split(".")
            if len(parts) > 1 and parts[0] == "backline":
                found.setdefault(parts[1], node.lineno)
    return found


def package_of(path: Path) -> str:
    return ".".join(path.parent.relative_to(BACKLINE.parent).parts)


def test_every_app_has_its_place() -> None:
    assert set(apps()) == set(MAY_IMPORT), "place a new app in LAYERS or MAY_IMPORT"


@pytest.mark.parametrize("app", apps())
def test_an_app_imports_only_the_layers_below_it(app: str) -> None:
    wrong = [
        f"{path.relative_to(BACKLINE.parent)}:{line} imports backline.{other}"
        for path in modules(app)
        for other, line in imported_apps(path.read_text(), package_of(path)).items()
        if other != app and other not in MAY_IMPORT.get(app, ())
    ]
    allowed = sorted(MAY_IMPORT.get(app, ()))
    assert not wrong, f"{app} may import only {allowed}:\n" + "\n".join(wrong)


def test_the_walk_sees_every_kind_of_import() -> None:
    source = """
import backline.web.views
from backline import engine
from backline.support.models import StepTarget
from ..notify import models
from . import resolve

def later():
    from backline.roster import views
"""
    assert set(imported_apps(source, "backline.oncall")) == {
        "web",
        "engine",
        "support",
        "notify",
        "oncall",
        "roster",
    }


def conftest_imports(source: str) -> list[int]:
    """The lines of a module's imports of a conftest module."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            named = [alias.name.split(".")[-1] for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            named = [(node.module or "").split(".")[-1], *(a.name for a in node.names)]
        else:
            continue
        if "conftest" in named:
            lines.append(node.lineno)
    return lines


def test_nothing_imports_a_conftest() -> None:
    """A conftest declares fixtures, which tests receive by name; what tests share as code
    lives in modules of its own (tests/harness.py, docs/adr/0022)."""
    root = BACKLINE.parent
    wrong = [
        f"{path.relative_to(root)}:{line}"
        for folder in ("tests", "backline", "bench", "scripts")
        for path in sorted((root / folder).rglob("*.py"))
        for line in conftest_imports(path.read_text())
    ]
    wrong += [
        f"conftest.py:{line}" for line in conftest_imports((root / "conftest.py").read_text())
    ]
    assert not wrong, "import from tests/harness.py (or another module), not a conftest:\n" + (
        "\n".join(wrong)
    )


def test_the_conftest_check_sees_every_kind_of_import() -> None:
    source = """
from tests.support.conftest import Team
from .conftest import moment
from tests.support import conftest
import backline.notify.conftest
from tests.harness import START
"""
    assert conftest_imports(source) == [2, 3, 4, 5]
