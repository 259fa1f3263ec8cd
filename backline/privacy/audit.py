"""Recording reads of identified data: ``record(actor, action, subject, obj)``.

Actions are short codes (``"roster.person.viewed"``); each app describes its own in
words with ``describe()`` (from ``privacy.actions``), so that the "Who has seen my
data" page can say what happened.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models

from backline.privacy.actions import describe, is_described
from backline.privacy.models import AuditEntry

__all__ = ["describe", "record", "record_many"]


def record(
    actor: models.Model | None,
    action: str,
    subject: models.Model | None = None,
    obj: models.Model | None = None,
) -> AuditEntry:
    """Append one entry: ``actor`` did ``action`` to ``subject``'s data, seen in ``obj``."""
    return record_many(actor, action, [(subject, obj)])[0]


def record_many(
    actor: models.Model | None,
    action: str,
    seen: Iterable[tuple[models.Model | None, models.Model | None]],
) -> list[AuditEntry]:
    """``record`` for each (subject, object) that ``actor`` saw at once, in one write."""
    if not is_described(action):
        raise ValueError(f"undescribed audit action {action!r}")
    return AuditEntry.objects.bulk_create(
        AuditEntry(
            actor_id=actor.pk if actor is not None else None,
            actor_label=str(actor) if actor is not None else "Backline",
            action=action,
            subject_id=subject.pk if subject is not None else None,
            object_type=obj._meta.label_lower if obj is not None else "",
            object_id=str(obj.pk) if obj is not None else "",
        )
        for subject, obj in seen
    )
