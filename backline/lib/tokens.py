"""Unguessable tokens for links, stored only as their digest."""

import hashlib
import secrets


def new_token() -> str:
    """A URL-safe token with 256 bits of randomness."""
    return secrets.token_urlsafe(32)


def digest(token: str) -> str:
    """What the database keeps of a token: its SHA-256, so a leaked table opens nothing."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
