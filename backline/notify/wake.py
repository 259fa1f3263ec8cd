"""Waking the engine the moment there is work: NOTIFY on PostgreSQL.

On SQLite there is nothing to signal; the engine polls often enough instead.
"""

from django.db import connection

CHANNEL = "backline_work"


def notify_engine() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"NOTIFY {CHANNEL}")
