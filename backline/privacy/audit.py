"""Recording reads of identified data: ``record(actor, action, subject, obj)``.

Actions are short codes (``"roster.person.viewed"``); each app describes its own in
words with ``describe()`` (from ``privacy.actions``), so that the "Who has seen my
data" page can say what happened.
"""

from __future__ import annotations

from django.db import models

from backline.privacy.actions import describe, is_described
from backline.privacy.models import AuditEntry

__all__ = ["describe", "record"]


def record(
    actor: models.Model | None,
    action: str,
    subject: models.Model | None = None,
    obj: models.Model | None = None,
) -> AuditEntry:
    """Append one entry: ``actor`` did ``action`` to ``subject``'s data, seen in ``obj``."""
    if not is_described(action):
        raise ValueError(f"undescribed audit action {action!r}")
    return AuditEntry.objects.create(
        actor_id=actor.pk if actor is not None else None,
        actor_label=str(actor) if actor is not None else "Backline",
        action=action,
        subject_id=subject.pk if subject is not None else None,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
    )
