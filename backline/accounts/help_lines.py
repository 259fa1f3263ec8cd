"""The employee-assistance (EAP) lines shown beside 988 wherever Backline offers help."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings

from backline.accounts.models import User


def or_backline_line(lines: Iterable[str]) -> list[str]:
    """``lines`` (sorted, each once), or Backline's own EAP line when there are none."""
    found = sorted({line for line in lines if line})
    return found or ([settings.BACKLINE_EAP_LINE] if settings.BACKLINE_EAP_LINE else [])


def eap_lines(user: User) -> list[str]:
    """The person's agencies' EAP lines (from memberships already read), or Backline's."""
    return or_backline_line(m.agency.eap_line for m in user.all_memberships if m.agency)
