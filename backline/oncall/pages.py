"""What the on-call pages share: every page says which time zone its times are in, a
shift is shown as one row (saying whether its person is unavailable), and a
coordinator's pages work within their regions."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.http import HttpResponse
from django.shortcuts import render

from backline.accounts.access import MemberRequest
from backline.accounts.models import Region, User
from backline.accounts.roles import Role
from backline.oncall import resolve


def show(
    request: MemberRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """Render, saying which time zone the page's times are in (the viewer's, which
    ``LocalTimeMiddleware`` made current)."""
    return render(request, template, {"zone": request.user.time_zone.key, **context}, status=status)


def coordinated(request: MemberRequest) -> list[Region]:
    return request.user.regions_with(Role.COORDINATOR)


def shift_row(
    shift: resolve.Shift,
    names: dict[int, User],
    horizon: datetime | None = None,
    away: Mapping[int, tuple[datetime, datetime]] | None = None,
) -> dict[str, Any]:
    """A shift as pages show it; ``unavailable`` when its person is on a break some of
    the time (``breaks.away``): that, never why."""
    gone = (away or {}).get(shift.user_id) if shift.user_id else None
    return {
        "starts_at": shift.starts_at,
        "ends_at": shift.ends_at,
        "person": names.get(shift.user_id) if shift.user_id else None,
        "open_ended": horizon is not None and shift.ends_at >= horizon,
        "unavailable": gone is not None and gone[0] < shift.ends_at and gone[1] > shift.starts_at,
    }
