"""Rows nobody may change or delete once written: the audit log, the roster's history.

``AppendOnly`` refuses it in Python; ``create_triggers`` and ``drop_triggers`` (called
from migrations) make the database itself refuse UPDATE and DELETE, on SQLite and
PostgreSQL.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

EVENTS = ("update", "delete")


class AppendOnly(models.Model):
    """A model whose rows are written once."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError(f"{self._meta.verbose_name_plural} are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError(f"{self._meta.verbose_name_plural} are append-only")


def create_triggers(editor: BaseDatabaseSchemaEditor, table: str, name: str) -> None:
    """Triggers named after ``name`` that refuse every UPDATE and DELETE on ``table``."""
    message = f"{table} rows are append-only"
    vendor = editor.connection.vendor
    if vendor == "postgresql":
        editor.execute(
            f"CREATE FUNCTION backline_{name}_append_only() RETURNS trigger AS $$ "
            f"BEGIN RAISE EXCEPTION '{message}'; END; $$ LANGUAGE plpgsql;"
        )
        editor.execute(
            f"CREATE TRIGGER {name}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION backline_{name}_append_only();"
        )
    elif vendor == "sqlite":
        for event in EVENTS:
            editor.execute(
                f"CREATE TRIGGER {name}_append_only_{event} BEFORE {event.upper()} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{message}'); END;"
            )


def drop_triggers(editor: BaseDatabaseSchemaEditor, table: str, name: str) -> None:
    vendor = editor.connection.vendor
    if vendor == "postgresql":
        editor.execute(f"DROP TRIGGER IF EXISTS {name}_append_only ON {table};")
        editor.execute(f"DROP FUNCTION IF EXISTS backline_{name}_append_only();")
    elif vendor == "sqlite":
        for event in EVENTS:
            editor.execute(f"DROP TRIGGER IF EXISTS {name}_append_only_{event};")
