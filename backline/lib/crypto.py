"""Field encryption at rest: AES-GCM with versioned keys.

A sealed value reads ``<key id>:<base64(nonce + ciphertext)>``. The newest key seals;
every listed key opens, so keys can be rotated by adding one in front. The field name
is bound into each value as associated data, so a value copied into another column
does not open there.
"""

from __future__ import annotations

import base64
import os
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

NONCE_BYTES = 12


class Unreadable(Exception):
    """A sealed value that no configured key opens (tampered, or its key is gone)."""


@cache
def _keys() -> tuple[str, dict[str, AESGCM]]:
    entries = settings.BACKLINE_FIELD_KEYS
    if not entries:
        raise ImproperlyConfigured("BACKLINE_FIELD_KEYS is empty")
    keys: dict[str, AESGCM] = {}
    for entry in entries:
        key_id, _, encoded = entry.partition(":")
        try:
            raw = base64.urlsafe_b64decode(encoded)
        except ValueError as exc:
            raise ImproperlyConfigured(f"field key {key_id!r} is not base64") from exc
        if not key_id or len(raw) != 32:
            raise ImproperlyConfigured(f"field key {key_id!r} must be id:<32 bytes base64>")
        keys[key_id] = AESGCM(raw)
    return entries[0].partition(":")[0], keys


def seal(plaintext: str, context: str) -> str:
    current, keys = _keys()
    nonce = os.urandom(NONCE_BYTES)
    sealed = keys[current].encrypt(nonce, plaintext.encode("utf-8"), context.encode("utf-8"))
    return f"{current}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"


def unseal(value: str, context: str) -> str:
    key_id, _, encoded = value.partition(":")
    key = _keys()[1].get(key_id)
    if key is None:
        raise Unreadable(f"no key {key_id!r}")
    try:
        raw = base64.urlsafe_b64decode(encoded)
        opened = key.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], context.encode("utf-8"))
    except (InvalidTag, ValueError) as exc:
        raise Unreadable("the value does not open with its key") from exc
    return opened.decode("utf-8")
