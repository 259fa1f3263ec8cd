"""Fixtures of the tests under tests/: the personas' world, signed-in clients, the team
most stories start from, and what the log handlers write. The clock and the recorder
are declared for every test in the conftest.py at the top (tests/harness.py)."""

import importlib
import io
import logging
from collections.abc import Callable, Generator, Iterator
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.db import connection
from django.test import Client
from pytest_django.fixtures import Settings

from backline.accounts.models import User
from backline.lib.redact import RedactSecrets
from backline.notify.email.tests.smtp_server import SmtpServer
from backline.notify.models import ContactMethod
from tests import harness
from tests.personas import PASSWORD, World, build_world, confirm_access


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture
def team(world: World, moment: harness.Clock) -> harness.Team:
    """Peers A (on call), B and C, their contact methods and the default policy, with
    the clock standing at ``harness.START`` (``harness.build_team``)."""
    return harness.build_team(world)


@pytest.fixture
def reachable(db: None) -> Callable[..., ContactMethod]:
    """``reachable(user, channel, value, verified=True)``: a contact method."""
    return harness.reachable


@pytest.fixture
def client_of(world: World) -> harness.ClientOf:
    """A signed-in test client for a persona (its second factor is already enrolled),
    who has just confirmed their password, as sensitive settings ask (ADR 0014)."""

    def make(user: User, password: str = PASSWORD) -> Client:
        client = Client()
        client.force_login(user)
        confirm_access(client, password)
        return client

    return make


@pytest.fixture
def smtp(settings: Settings) -> Iterator[SmtpServer]:
    """A real SMTP server on loopback that this process's Django mail goes to, and
    Backline's public address for the links in what it sends."""
    with SmtpServer() as server:
        server.receive_django_mail(settings)
        settings.BACKLINE_PUBLIC_URL = "https://backline.example.org"
        yield server


@pytest.fixture
def written() -> Iterator[io.StringIO]:
    """What the handlers that settings.LOGGING configures write: their streams, captured."""
    names = ["", *django_settings.LOGGING["loggers"]]
    handlers = {
        id(handler): handler
        for name in names
        for handler in logging.getLogger(name).handlers
        if isinstance(handler, logging.StreamHandler)
        and any(isinstance(f, RedactSecrets) for f in handler.filters)
    }.values()
    assert len(handlers) == len(django_settings.LOGGING["handlers"])
    captured = io.StringIO()
    previous = [(handler, handler.setStream(captured)) for handler in handlers]
    yield captured
    for handler, stream in previous:
        handler.setStream(stream)


@pytest.fixture(autouse=True)
def _isolated(settings: Settings, tmp_path: Path) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.DEMO_MFA_RELAXED = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    mail.outbox = []


def _transactional(item: pytest.Item) -> bool:
    if "_django_db_helper" not in getattr(item, "funcargs", {}):
        return False  # skipped, or no database
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", ())
    return bool(marker and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(fixtures)
    )


# The migrations that make a table append-only, each naming its TABLE.
APPEND_ONLY_GUARDS = [
    "backline.privacy.migrations.0002_audit_append_only",
    "backline.accounts.migrations.0005_role_change_append_only",
]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(
    item: pytest.Item, nextitem: pytest.Item | None
) -> Generator[None, None, None]:
    """The database refuses to delete audit entries and role changes; on SQLite that
    includes the flush that ends a transactional test. Lift the guards for a moment to
    empty those tables first (PostgreSQL's flush truncates, which row triggers do not
    see)."""
    if _transactional(item) and connection.vendor == "sqlite":
        for module in APPEND_ONLY_GUARDS:
            guard = importlib.import_module(module)
            with connection.schema_editor() as editor:
                guard.drop_triggers(None, editor)
                editor.execute(f"DELETE FROM {guard.TABLE}")
                guard.create_triggers(None, editor)
    return (yield)
