"""Unguessable tokens for links, stored only as their digest."""

import base64
import hashlib
import secrets

from django.utils.crypto import salted_hmac


def new_token() -> str:
    """A URL-safe token with 256 bits of randomness."""
    return secrets.token_urlsafe(32)


def digest(token: str) -> str:
    """What the database keeps of a token: its SHA-256, so a leaked table opens nothing."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def keyed(purpose: str, *parts: object) -> str:
    """A token only the server can make from ``parts``, 256 bits, URL-safe: the same
    parts give the same token, and nobody without the secret key can make one."""
    mac = salted_hmac(f"backline.{purpose}", ":".join(map(str, parts)), algorithm="sha256")
    return base64.urlsafe_b64encode(mac.digest()).decode("ascii").rstrip("=")
