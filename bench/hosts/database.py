"""The drill's database host: a throw-away PostgreSQL cluster listening on its own
namespace address only.

Like ``tests/pg_cluster.py`` (whose ``pg_bin`` finds Debian's binaries): ``initdb`` as
the ``postgres`` user in a folder of the drill's, durability off (the cluster is thrown
away), and trust authentication for the drill's subnet only, which nothing but the
drill's namespaces can reach.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from bench.hosts.network import SUBNET, Host
from tests.pg_cluster import pg_bin

PORT = 5432
NAME = "backline"


def _as_postgres(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class Database:
    def __init__(self, host: Host, folder: Path) -> None:
        self.host = host
        self.folder = folder
        self.data = folder / "data"
        self.url = f"postgres://postgres@{host.address}:{PORT}/{NAME}"

    def start(self) -> Database:
        self.folder.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        subprocess.run(
            _as_postgres(
                [pg_bin("initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
                 "-E", "UTF8", "--no-instructions"]
            ),
            check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        with (self.data / "pg_hba.conf").open("a", encoding="utf-8") as rules:
            rules.write(f"host all all {SUBNET} trust\n")
        options = (
            f"-p {PORT} -k {self.folder} -c listen_addresses={self.host.address} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=100"
        )
        command = [pg_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.folder / "server.log")]
        subprocess.run(
            self.host.command(_as_postgres([*command, "-o", options, "-w", "start"])),
            check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        subprocess.run(
            [pg_bin("createdb"), "-h", self.host.address, "-p", str(PORT), "-U", "postgres", NAME],
            check=True,
        )
        return self

    @property
    def server_pid(self) -> int:
        return int((self.data / "postmaster.pid").read_text().split()[0])

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            subprocess.run(
                _as_postgres([pg_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"]),
                check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
