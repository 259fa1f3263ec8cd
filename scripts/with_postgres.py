"""Run a command against a throw-away PostgreSQL cluster.

    python scripts/with_postgres.py pytest ...

When DATABASE_URL is already set the command simply runs against it. Otherwise a
cluster is created with initdb in a temporary folder (as the ``postgres`` user when
run as root: initdb refuses root), started on a free loopback port with durability
turned off (it is thrown away), and removed when the command ends.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path


def pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if found:
        return found[-1]
    on_path = shutil.which(name)
    if on_path:
        return on_path
    sys.exit(f"{name} not found: install Debian's postgresql package")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def as_postgres(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def main(command: list[str]) -> int:
    if not command:
        sys.exit(__doc__)
    if os.environ.get("DATABASE_URL"):
        return subprocess.call(command)
    folder = Path(tempfile.mkdtemp(prefix="backline-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    data = folder / "data"
    port = free_port()
    log = folder / "server.log"
    try:
        subprocess.run(
            as_postgres(
                [
                    pg_bin("initdb"),
                    "-D",
                    str(data),
                    "-A",
                    "trust",
                    "-U",
                    "postgres",
                    "-E",
                    "UTF8",
                    "--no-instructions",
                ]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        options = (
            f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        subprocess.run(
            as_postgres(
                [pg_bin("pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w", "start"]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        env = dict(os.environ, DATABASE_URL=f"postgres://postgres@127.0.0.1:{port}/backline")
        print(f"PostgreSQL on 127.0.0.1:{port} (throw-away cluster in {folder})", flush=True)
        return subprocess.call(command, env=env)
    finally:
        subprocess.run(
            as_postgres([pg_bin("pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
