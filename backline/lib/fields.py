"""Model fields Backline's apps share."""

from __future__ import annotations

from typing import Any

from django.db import models

from backline.lib import crypto


class SealedTextField(models.TextField[str, str]):
    """Text encrypted at rest with ``lib.crypto``; the column holds only sealed values.

    The associated data is ``<app_label>.<model>.<field>``: a value moved to another
    column will not open. Lookups other than ``isnull`` make no sense on it.
    """

    def contribute_to_class(
        self, cls: type[models.Model], name: str, *args: Any, **kwargs: Any
    ) -> None:
        super().contribute_to_class(cls, name, *args, **kwargs)
        self.context = f"{cls._meta.label_lower}.{name}"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return crypto.unseal(value, self.context)

    def get_prep_value(self, value: Any) -> str | None:
        text: str | None = super().get_prep_value(value)  # a TextField's text, or None
        if text is None or text == "":
            return text
        return crypto.seal(text, self.context)
