"""Backline's settings for the benchmarks: the real ones, plus one bare view.

Run with ``BACKLINE_ENV=production`` by ``bench/pages.py`` and ``bench/paging/``; only
the differences below are the benchmarks' own.
"""

from backline.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

# The benchmark talks plain HTTP to a server on the loopback address (there is no TLS
# terminator in front of it), and an HTTP client rightly never sends a ``Secure``
# cookie over plain HTTP: without these two lines it could not sign in at all. In a
# real deployment both stay True. Every other production setting is left as it is.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
