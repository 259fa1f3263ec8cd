"""Argon2id with OWASP's recommended cost (19 MiB, 2 passes, 1 lane).

Django's default asks 100 MiB per password check; with a few people signing in at once
at shift change, that alone would exhaust a small server's workers.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class BacklineArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
