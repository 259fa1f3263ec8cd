"""A form's own fields, by the kind its class declares them: a form narrows its choices
(a queryset, a list) to the person filling it in when it is made."""

from __future__ import annotations

from typing import TypeVar

from django import forms

F = TypeVar("F", bound=forms.Field)


def field_of(form: forms.BaseForm, name: str, kind: type[F]) -> F:
    """``form``'s copy of its field ``name``, which its class declares as a ``kind``."""
    found = form.fields[name]
    if not isinstance(found, kind):
        raise TypeError(f"{type(form).__name__}.{name} is not a {kind.__name__}")
    return found
