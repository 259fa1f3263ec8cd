"""Run a command against a throw-away PostgreSQL cluster.

    python scripts/with_postgres.py pytest ...

When DATABASE_URL is already set the command simply runs against it. Otherwise a
cluster is created in a temporary folder (see tests/pg_cluster.py), started on a free
loopback port with durability turned off (it is thrown away), and removed afterwards.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.pg_cluster import Cluster


def main(command: list[str]) -> int:
    if not command:
        sys.exit(__doc__)
    if os.environ.get("DATABASE_URL"):
        return subprocess.call(command)
    cluster = Cluster().start()
    try:
        print(
            f"PostgreSQL on 127.0.0.1:{cluster.port} (throw-away cluster in {cluster.folder})",
            flush=True,
        )
        return subprocess.call(command, env=dict(os.environ, DATABASE_URL=cluster.url))
    finally:
        cluster.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
