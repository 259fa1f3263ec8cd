"""The Twilio-compatible provider's settings and its request signatures."""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class Provider:
    api_url: str
    account_sid: str
    auth_token: str
    from_number: str

    def endpoint(self, resource: str) -> str:
        return f"{self.api_url.rstrip('/')}/2010-04-01/Accounts/{self.account_sid}/{resource}.json"


def configured() -> Provider | None:
    values = (
        settings.BACKLINE_SMS_API_URL,
        settings.BACKLINE_SMS_ACCOUNT_SID,
        settings.BACKLINE_SMS_AUTH_TOKEN,
        settings.BACKLINE_SMS_FROM,
    )
    if not all(values):
        return None
    return Provider(*values)


def signature(auth_token: str, url: str, params: dict[str, str]) -> str:
    """Twilio's request signature: HMAC-SHA1 over the URL and the sorted parameters."""
    payload = url + "".join(f"{key}{params[key]}" for key in sorted(params))
    digest = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def signature_is_valid(auth_token: str, url: str, params: dict[str, str], given: str) -> bool:
    return hmac.compare_digest(signature(auth_token, url, params), given)
