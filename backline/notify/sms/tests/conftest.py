"""A fake provider on loopback, and settings that point the SMS transport at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytest_django.fixtures import Settings

from backline.notify.sms.tests.fake_provider import ACCOUNT, PUBLIC_URL, TOKEN, FakeProvider


@pytest.fixture
def provider(settings: Settings) -> Iterator[FakeProvider]:
    fake = FakeProvider().start()
    settings.BACKLINE_SMS_API_URL = fake.url
    settings.BACKLINE_SMS_ACCOUNT_SID = ACCOUNT
    settings.BACKLINE_SMS_AUTH_TOKEN = TOKEN
    settings.BACKLINE_SMS_FROM = "+15550109999"
    settings.BACKLINE_PUBLIC_URL = PUBLIC_URL
    yield fake
    fake.stop()
