"""``manage.py vapid_keys``: a new VAPID key pair for web push, as environment lines."""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives import serialization
from django.core.management.base import BaseCommand
from py_vapid import Vapid02, b64urlencode


class Command(BaseCommand):
    help = (
        "Print a new VAPID key pair for web push. Keep the private key secret (e.g. in "
        "BACKLINE_VAPID_PRIVATE_KEY_FILE); changing keys turns off every browser's "
        "subscription, so people must turn notifications on again."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        vapid = Vapid02()
        vapid.generate_keys()
        private_value = vapid.private_key.private_numbers().private_value
        private = b64urlencode(private_value.to_bytes(32, "big"))
        public = b64urlencode(
            vapid.public_key.public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )
        self.stdout.write(f"BACKLINE_VAPID_PUBLIC_KEY={public}")
        self.stdout.write(f"BACKLINE_VAPID_PRIVATE_KEY={private}")
