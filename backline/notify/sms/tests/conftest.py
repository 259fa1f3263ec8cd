"""A fake provider on loopback, and settings that point the SMS transport at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytest_django.fixtures import Settings

from backline.notify.sms.tests.fake_provider import FakeProvider, serving


@pytest.fixture
def provider(settings: Settings) -> Iterator[FakeProvider]:
    with serving(settings) as fake:
        yield fake
