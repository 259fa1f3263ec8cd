"""The Twilio-compatible provider's settings, its request signatures, and what its
error codes mean."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
from dataclasses import dataclass

from django.conf import settings

from backline.notify.transport import TransportError

log = logging.getLogger(__name__)

# The provider's error codes that say more than the HTTP status: the number itself is
# dead (so the method is turned off), or this message will never go (so it fails over
# at once). Any other code is worth trying again: a retry costs little, a lost page a lot.
GONE = {
    "21211": "invalid number",
    "21610": "the person replied STOP",
    "21614": "not a mobile number",
    "13224": "invalid number",
    "30005": "unknown handset",
    "30006": "landline or unreachable carrier",
}
PERMANENT = {
    "21408": "region not enabled",
    "21612": "number cannot be reached from this account",
    "30004": "blocked by the recipient",
    "30007": "filtered by the carrier",
}
RETRYABLE = {
    "20429": "too many requests",
    "30003": "handset unreachable",
    "30008": "unknown error",
}


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


def _by_code(code: str, reason: str) -> TransportError | None:
    if code in GONE:
        return TransportError(f"{reason}: {GONE[code]}", gone=True)
    if code in PERMANENT:
        return TransportError(f"{reason}: {PERMANENT[code]}", retryable=False)
    if code in RETRYABLE:
        return TransportError(f"{reason}: {RETRYABLE[code]}")
    if code:
        log.warning("provider error code %s is not known; trying again later", code[:20])
        return TransportError(reason)
    return None


def refusal(status: int, code: str, text: str) -> TransportError:
    """What the provider's refusal to take a message means, by its error ``code``, or
    by its HTTP ``status`` when it gave none."""
    busy = status >= 500 or status == 429
    reason = f"provider {'answered' if busy else 'refused'} {status}" + (
        f" (error {code[:20]})" if code else ""
    )
    by_code = _by_code(code, reason)
    if by_code is not None:
        return by_code
    if busy:
        return TransportError(reason)
    return TransportError(f"{reason}: {text[:200]}", retryable=False)


def reported(status: str, code: str) -> TransportError:
    """What a delivery report of a failed text or call means: without a known code
    (busy, no answer, a handset off) it is worth another try."""
    reason = f"provider reported {status}" + (f" (error {code[:20]})" if code else "")
    return _by_code(code, reason) or TransportError(reason)
