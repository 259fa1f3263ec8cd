"""The paging benchmark's telecommunicators, as their browsers: signed in through the
login form, each with their own session cookie, posting Reach out and cancelling."""

from __future__ import annotations

import asyncio
import http.cookiejar
import math
import re
import secrets
import time
from collections import deque
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx

from bench.common import sign_in_as

PASSWORD = "bench-paging-password-0123"  # the benchmark's own accounts only
CALLBACK = "+13195550142"
REACH_OUT = "/support/reach-out/"
REQUEST_PATH = re.compile(r"^/support/requests/([\w-]+)/$")


@dataclass
class Person:
    email: str
    team: int
    number: int  # within the team
    cookie: str = ""  # the Cookie header of their signed-in browser
    csrf: str = ""

    @property
    def address(self) -> str:
        """Where this person's browser signs in from: a loopback address for every 20
        telecommunicators of a team, as agencies have addresses of their own. allauth
        allows 30 sign-ins a minute from one address (its "login" rate limit)."""
        return f"127.{1 + self.team // 250}.{1 + self.number // 20}.{1 + self.team % 250}"


@dataclass
class Post:
    """One Reach out POST, as the client saw it (wall-clock times, ``time.time()``)."""

    person: Person
    sent: float  # the click: the client sends the POST
    planned: float = math.nan  # when the burst meant to send it
    answered: float = math.nan
    status: int = 0
    pk: str | None = None  # the request's public id
    error: str = ""

    @property
    def latency(self) -> float:
        return self.answered - self.sent


def people_of(telecoms: Sequence[tuple[str, int]], per_team: int) -> list[Person]:
    """Everyone ``bench.paging.db setup`` made, ordered so that any first n of them spread
    evenly over the teams: person k is of team k % teams."""
    by_team: dict[int, list[Person]] = {}
    for email, team in telecoms:
        members = by_team.setdefault(team, [])
        members.append(Person(email, team, len(members)))
    return [by_team[team][i] for i in range(per_team) for team in sorted(by_team)]


def sign_in_everyone(base_url: str, people: list[Person]) -> float:
    """Through the login form, four at a time, each team from its own loopback address
    (allauth allows 30 sign-ins a minute, and 10 in flight, from one address); returns
    the seconds it took."""
    started = time.monotonic()

    def one(person: Person) -> None:
        cookies = sign_in_as(base_url, person.email, PASSWORD, person.address)
        person.cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())
        person.csrf = cookies.get("csrftoken") or ""

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(one, people))
    return time.monotonic() - started


def client(base_url: str, connections: int | None) -> httpx.AsyncClient:
    """An HTTP client that keeps no cookies: each request carries its person's own."""
    return httpx.AsyncClient(
        base_url=base_url,
        timeout=120,
        trust_env=False,
        limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
        cookies=http.cookiejar.CookieJar(http.cookiejar.DefaultCookiePolicy(allowed_domains=[])),
    )


async def reach_out(
    http_client: httpx.AsyncClient, person: Person, planned: float = math.nan
) -> Post:
    post = Post(person, sent=time.time(), planned=planned)
    try:
        response = await http_client.post(
            REACH_OUT,
            data={
                "csrfmiddlewaretoken": person.csrf,
                "urgency": "now",
                "contact": "call",
                "phone": "other",
                "callback_number": CALLBACK,
                "once": secrets.token_urlsafe(32),
            },
            headers={"Cookie": person.cookie},
        )
    except httpx.HTTPError as exc:
        post.answered, post.error = time.time(), f"{type(exc).__name__}: {exc}"
        return post
    post.answered, post.status = time.time(), response.status_code
    found = REQUEST_PATH.match(response.headers.get("location", ""))
    if response.status_code == 302 and found:
        post.pk = found.group(1)
    else:
        post.error = f"HTTP {response.status_code} to {response.headers.get('location')!r}"
    return post


async def cancel(http_client: httpx.AsyncClient, person: Person, pk: str) -> bool:
    """The requester cancels their request, as on its page."""
    try:
        response = await http_client.post(
            f"/support/requests/{pk}/cancel/",
            data={"csrfmiddlewaretoken": person.csrf, "confirm": "yes"},  # its confirm step
            headers={"Cookie": person.cookie},
        )
    except httpx.HTTPError:
        return False
    # cancelled, it goes home; without the confirmation it would stay on the request's page
    return response.status_code == 302 and response.headers.get("location") == "/home/"


async def cancel_all(http_client: httpx.AsyncClient, posts: Sequence[Post]) -> int:
    """Cancels every request of ``posts``, 8 at a time; returns how many failed."""
    todo = deque(p for p in posts if p.pk is not None)
    failed = 0

    async def worker() -> None:
        nonlocal failed
        while todo:
            post = todo.popleft()
            assert post.pk is not None
            if not await cancel(http_client, post.person, post.pk):
                failed += 1

    await asyncio.gather(*(worker() for _ in range(8)))
    return failed


async def cancel_all_posts(base_url: str, posts: Sequence[Post]) -> int:
    async with client(base_url, 8) as http_client:
        return await cancel_all(http_client, posts)
