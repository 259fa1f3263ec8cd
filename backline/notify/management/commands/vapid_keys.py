"""``manage.py vapid_keys``: a new VAPID key pair for web push, as environment lines."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from backline.lib.vapid import new_key_pair


class Command(BaseCommand):
    help = (
        "Print a new VAPID key pair for web push. Keep the private key secret (e.g. in "
        "BACKLINE_VAPID_PRIVATE_KEY_FILE); changing keys turns off every browser's "
        "subscription, so people must turn notifications on again."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        public, private = new_key_pair()
        self.stdout.write(f"BACKLINE_VAPID_PUBLIC_KEY={public}")
        self.stdout.write(f"BACKLINE_VAPID_PRIVATE_KEY={private}")
