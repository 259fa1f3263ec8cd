"""The single source of "now" for Backline.

Code asks ``clock.now()`` instead of calling ``timezone.now()`` directly, so that
tests can move time (with time-machine) and every layer agrees on the moment.
"""

from datetime import datetime

from django.utils import timezone


def now() -> datetime:
    return timezone.now()
