"""Check-in plans as a peer makes them, through the planning page."""

from __future__ import annotations

from datetime import date, time

from django.test import Client
from django.urls import reverse

from backline.accounts.models import User
from backline.checkins.models import Plan
from backline.checkins.recurrence import Frequency


def plan_form(
    colleague: User,
    *,
    frequency: str = Frequency.WEEKLY,
    starts_on: date = date(2026, 3, 2),
    at: time = time(9),
    ends_on: date | None = date(2026, 3, 30),
) -> dict[str, str]:
    return {
        "colleague": colleague.email,
        "frequency": str(frequency),
        "starts_on": starts_on.isoformat(),
        "at": at.strftime("%H:%M"),
        "ends_on": ends_on.isoformat() if ends_on else "",
    }


def plan(peer_client: Client, data: dict[str, str]) -> Plan:
    """The peer signed in to ``peer_client`` plans a check-in (``plan_form``)."""
    before = set(Plan.objects.values_list("pk", flat=True))
    response = peer_client.post(reverse("checkins:plan_new"), data)
    assert response.status_code == 302, response.content.decode()
    return Plan.objects.exclude(pk__in=before).get()
