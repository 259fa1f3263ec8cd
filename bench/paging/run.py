"""One run of the paging benchmark on one database: set up, start the servers, sign
everyone in, then the burst, the punctuality of the later steps, the throughput rounds
and the soak, in that order."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.common import bench_environment, prepare_database
from bench.paging import burst, punctuality, soak, throughput
from bench.paging.burst import Burst
from bench.paging.memory import Memory, Samplers
from bench.paging.people import cancel_all_posts, sign_in_everyone
from bench.paging.punctuality import Punctuality
from bench.paging.servers import DATABASES, database, settle, show_log_problems, start_servers
from bench.paging.setup import Teams, count_queries, make_teams
from bench.paging.soak import Soak
from bench.paging.throughput import Round


@dataclass
class Run:
    kind: str  # "sqlite" or "postgres"
    where: str  # the database, for the report
    engines: int
    teams: Teams
    sign_in_seconds: float
    queries: dict[str, Any]  # of one POST and of the tick that sends its page
    burst: Burst
    punctuality: Punctuality
    burst_memory: Memory  # from the burst until the third step fired
    rounds: list[Round]
    soak: Soak | None


def run_one(kind: str, options: argparse.Namespace) -> Run:
    with (
        tempfile.TemporaryDirectory(prefix="backline-bench-paging-") as temporary,
        database(kind) as db,
        contextlib.ExitStack() as stack,
    ):
        data_dir = Path(temporary)
        environ = bench_environment(data_dir, db.url)
        print(f"{DATABASES[kind]}: preparing a production-like Backline in {data_dir}", flush=True)
        prepare_database(environ, demo=False)
        teams, people = make_teams(environ, options)
        queries = count_queries(environ, people[-1].email)
        servers = start_servers(stack, environ, data_dir, options)
        samplers = Samplers(servers.roots, 0.25, keep_history=False).start()
        print(f"  signing {len(people)} telecommunicators in", flush=True)
        sign_in_seconds = sign_in_everyone(servers.base_url, people)
        quiet = [*servers.web_pids(), *servers.engine_pids()]
        settle(quiet)

        samplers.start_load()
        first = burst.run(servers, db, environ, people, options)
        later = punctuality.run(servers, environ, first.collected, teams.delay_minutes)
        burst_memory = samplers.stop()
        failed = asyncio.run(cancel_all_posts(servers.base_url, first.posts))
        print(f"  cancelled the burst's requests ({failed} failures)", flush=True)

        rounds = throughput.run(servers, people, options)
        soaked = None
        if options.soak_seconds > 0:
            settle(quiet)
            soaked = soak.run(servers, environ, people, options, teams.delay_minutes)
        stack.close()  # stops the servers, so that their logs are complete
        show_log_problems(data_dir)
        return Run(
            kind, db.where, options.engines, teams, sign_in_seconds, queries, first, later,
            burst_memory, rounds, soaked,
        )  # fmt: skip
