"""``manage.py vapid_keys`` prints a key pair that the push transport can use."""

from __future__ import annotations

import base64
from io import StringIO

from cryptography.hazmat.primitives import serialization
from django.core.management import call_command

from backline.notify.push.transport import _vapid


def test_vapid_keys_prints_a_matching_pair() -> None:
    out = StringIO()
    call_command("vapid_keys", stdout=out)
    lines = dict(line.split("=", 1) for line in out.getvalue().split())
    public, private = lines["BACKLINE_VAPID_PUBLIC_KEY"], lines["BACKLINE_VAPID_PRIVATE_KEY"]
    raw_public = base64.urlsafe_b64decode(public + "=" * (-len(public) % 4))
    assert len(raw_public) == 65 and raw_public[0] == 4  # what PushManager.subscribe wants
    vapid = _vapid(private)
    derived = vapid.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    assert derived == raw_public
    call_command("vapid_keys", stdout=(again := StringIO()))
    assert again.getvalue() != out.getvalue()
