"""Setting up a run: the teams and their telecommunicators in a throw-away database,
and the queries of one Reach out POST and of the engine's tick that sends its page
(counted in a process of their own, so that the servers carry no counting code)."""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import dataclass
from typing import Any

from bench.common import run_quietly
from bench.paging.people import PASSWORD, Person, people_of


@dataclass(frozen=True)
class Teams:
    teams: int
    telecoms: int
    peers: int
    available: int
    coordinators: int
    delay_minutes: int  # between a policy's steps


def make_teams(environ: dict[str, str], options: argparse.Namespace) -> tuple[Teams, list[Person]]:
    per_team = telecoms_per_team(options)
    print(f"  {options.teams} teams, {per_team} telecommunicators each", flush=True)
    command = [sys.executable, "-m", "bench.paging.db", "setup", str(options.teams)]
    made = json.loads(run_quietly([*command, str(per_team), PASSWORD], environ))
    people = people_of([(email, team) for email, team in made["telecoms"]], per_team)
    teams = Teams(
        teams=options.teams,
        telecoms=len(people),
        peers=made["peers"],
        available=made["available"],
        coordinators=made["coordinators"],
        delay_minutes=made["step_delay_minutes"],
    )
    return teams, people


def telecoms_per_team(options: argparse.Namespace) -> int:
    """Enough for the burst (one request each), and for the soak: a person posts again
    only once their previous request was cancelled."""
    teams, burst = int(options.teams), int(options.burst)
    needed = math.ceil(burst / teams)
    if options.soak_seconds > 0:
        in_flight = float(options.soak_rate) * (float(options.soak_lifetime) + 10)
        needed = max(needed, math.ceil(in_flight / teams))
    return needed


def count_queries(environ: dict[str, str], email: str) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.paging.db", "queries", email]
    counted: dict[str, Any] = json.loads(run_quietly(command, environ))
    return counted
