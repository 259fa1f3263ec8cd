"""VAPID key pairs for web push, in the base64url form the push transport and the
browser's ``PushManager.subscribe`` read."""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from py_vapid import Vapid02, b64urlencode


def new_key_pair() -> tuple[str, str]:
    """A fresh ``(public, private)`` pair: the public key as an uncompressed P-256
    point, the private key as its 32-byte value."""
    vapid = Vapid02()
    vapid.generate_keys()
    private_value = vapid.private_key.private_numbers().private_value
    private = b64urlencode(private_value.to_bytes(32, "big"))
    public = b64urlencode(
        vapid.public_key.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
    )
    return public, private
