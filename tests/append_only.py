"""A check shared by the tests of append-only tables (the audit log, role changes)."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, transaction
from django.db.models import Model


def assert_append_only(row: Model, **change: object) -> None:
    """Neither the model nor the database lets ``row`` be changed (to ``change``) or
    deleted."""
    rows = type(row)._default_manager.filter(pk=row.pk)
    with pytest.raises(PermissionError):
        row.save()
    with pytest.raises(PermissionError):
        row.delete()
    for attempt in (lambda: rows.update(**change), rows.delete):
        with pytest.raises(DatabaseError), transaction.atomic():
            attempt()
