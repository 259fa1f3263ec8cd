"""Counts the database queries that each benchmarked page makes; run by ``bench/pages.py``.

It runs in its own process against the benchmark's database, with Django's test
client, so that the server being timed carries no query-counting code. Usage::

    python -m bench.queries EMAIL anon:/path/ user:/path/ ... [--show-sql]

``anon:`` paths are requested without a session, ``user:`` paths signed in as EMAIL.
Each path is requested once to warm caches, then once more while counting. It prints
a JSON object mapping each argument to its number of queries.
"""

from __future__ import annotations

import json
import sys

import django


def count_queries(email: str, targets: list[str], show_sql: bool = False) -> dict[str, int]:
    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    anonymous = Client(HTTP_HOST="127.0.0.1")
    signed_in = Client(HTTP_HOST="127.0.0.1")
    signed_in.force_login(get_user_model().objects.get(email=email))
    counts: dict[str, int] = {}
    for target in targets:
        kind, _, path = target.partition(":")
        if kind not in {"anon", "user"} or not path:
            raise SystemExit(f"expected anon:/path/ or user:/path/, got {target!r}")
        client = signed_in if kind == "user" else anonymous
        client.get(path)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{target}: HTTP {response.status_code}")
        counts[target] = len(captured.captured_queries)
        if show_sql:
            print(f"-- {target}: {counts[target]} queries", file=sys.stderr)
            for query in captured.captured_queries:
                print(f"   {query['sql']}", file=sys.stderr)
    return counts


def main(argv: list[str]) -> int:
    show_sql = "--show-sql" in argv
    args = [arg for arg in argv if arg != "--show-sql"]
    if len(args) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    print(json.dumps(count_queries(args[0], args[1:], show_sql)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
