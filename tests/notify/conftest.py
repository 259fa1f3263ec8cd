"""The clock and the recording transports of ``backline/notify``'s own tests, for the
outbox, the pages and the verification stories here."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from backline.accounts.models import User
from backline.lib import clock
from backline.notify.conftest import moment, recording
from backline.notify.models import ContactMethod

__all__ = ["moment", "recording"]


@pytest.fixture
def reachable(db: None) -> Callable[..., ContactMethod]:
    """``reachable(user, channel, value, verified=True)``: a contact method."""

    def make(user: User, channel: str, value: str, verified: bool = True) -> ContactMethod:
        return ContactMethod.objects.create(
            user=user, channel=channel, value=value, verified_at=clock.now() if verified else None
        )

    return make
