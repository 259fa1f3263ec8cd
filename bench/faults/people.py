"""The drill's telecommunicators, as their browsers behave: signed in through the login
form, each reaching out once per burst, and each answer sorted by what the person saw."""

from __future__ import annotations

import asyncio
import http.cookiejar
import math
import re
import secrets
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx

from bench.common import sign_in_as

PASSWORD = "bench-fault-drill-password-0123"  # the drill's own accounts only
REACH_OUT = "/support/reach-out/"
REQUEST_PATH = re.compile(r"^/support/requests/([\w-]+)/$")
CALLBACK = "+13195550142"

# What a person can get back from Reach out:
ACCEPTED = "accepted"  # the redirect to their new request
OWN_ERROR_PAGE = "Backline's error page"  # 5xx in Backline's own layout (with 988)
BARE_ERROR = "bare error"  # 5xx without Backline's layout: "Server Error (500)" or the like
NO_ANSWER = "no answer"  # the connection failed or timed out
OTHER = "other"  # anything else (a form shown again, a refusal)
OUTCOMES = (ACCEPTED, OWN_ERROR_PAGE, BARE_ERROR, NO_ANSWER, OTHER)


@dataclass
class Person:
    email: str
    team: int
    cookie: str = ""  # the Cookie header of their signed-in browser
    csrf: str = ""

    @property
    def address(self) -> str:
        """Where their browser connects from: a loopback address per team (allauth
        allows 30 sign-ins a minute from one address)."""
        return f"127.0.{1 + self.team % 250}.{1 + self.team // 250}"


@dataclass
class Post:
    """One Reach out POST as its person saw it (wall-clock times, ``time.time()``)."""

    person: Person
    sent: float
    answered: float = math.nan
    outcome: str = ""
    request: str | None = None  # the new request's public id, when accepted
    detail: str = ""  # for anything but an acceptance: what came back


def sign_in_everyone(base_url: str, people: list[Person]) -> None:
    def one(person: Person) -> None:
        cookies = sign_in_as(base_url, person.email, PASSWORD, person.address)
        person.cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())
        person.csrf = cookies.get("csrftoken") or ""

    pool = ThreadPoolExecutor(max_workers=4)
    try:
        list(pool.map(one, people))
    finally:  # interrupted, the sign-ins not begun are dropped
        pool.shutdown(cancel_futures=True)


def browser(base_url: str) -> httpx.AsyncClient:
    """One client for everyone; it keeps no cookies, each request carries its person's."""
    return httpx.AsyncClient(
        base_url=base_url,
        timeout=60,
        trust_env=False,
        limits=httpx.Limits(max_connections=None),
        cookies=http.cookiejar.CookieJar(http.cookiejar.DefaultCookiePolicy(allowed_domains=[])),
    )


def outcome_of(response: httpx.Response) -> tuple[str, str | None]:
    """(the outcome, the request's public id when accepted)."""
    found = REQUEST_PATH.match(response.headers.get("location", ""))
    if response.status_code == 302 and found:
        return ACCEPTED, found.group(1)
    if response.status_code >= 500:
        own = 'class="error-page"' in response.text and "tel:988" in response.text
        return (OWN_ERROR_PAGE if own else BARE_ERROR), None
    return OTHER, None


async def reach_out(client: httpx.AsyncClient, person: Person) -> Post:
    post = Post(person, sent=time.time())
    form = {
        "csrfmiddlewaretoken": person.csrf, "urgency": "now", "contact": "call",
        "phone": "other", "callback_number": CALLBACK, "once": secrets.token_urlsafe(32),
    }  # fmt: skip
    try:
        response = await client.post(REACH_OUT, data=form, headers={"Cookie": person.cookie})
    except httpx.HTTPError as exc:
        post.answered, post.outcome, post.detail = time.time(), NO_ANSWER, type(exc).__name__
        return post
    post.answered = time.time()
    post.outcome, post.request = outcome_of(response)
    if post.outcome != ACCEPTED:
        body = " ".join(response.text.split())
        post.detail = f"HTTP {response.status_code}: {body[:120]}"
    return post


async def burst(client: httpx.AsyncClient, people: list[Person], seconds: float) -> list[Post]:
    """Everyone reaches out once, the POSTs spread evenly over ``seconds``, each sent at
    its planned moment whatever the server's pace (an open loop)."""
    started = time.monotonic()

    async def planned(index: int, person: Person) -> Post:
        await asyncio.sleep(max(0.0, started + index * seconds / len(people) - time.monotonic()))
        return await reach_out(client, person)

    return list(await asyncio.gather(*(planned(i, p) for i, p in enumerate(people))))


async def cancel_all(
    client: httpx.AsyncClient, requests: list[tuple[Person, str]], tries: int = 5
) -> tuple[int, list[str]]:
    """Each requester cancels their request (public id), as on its page, four at a time;
    one that fails tries again a second later, up to ``tries`` times, as a person would.
    Returns how many attempts failed, and what came back for those that never worked."""
    failures = 0
    given_up: list[str] = []

    async def cancel(person: Person, request: str) -> None:
        nonlocal failures
        for _ in range(tries):
            response = await client.post(
                f"/support/requests/{request}/cancel/",
                data={"csrfmiddlewaretoken": person.csrf, "confirm": "yes"},  # its confirm step
                headers={"Cookie": person.cookie},
            )
            if response.headers.get("location") == "/home/":
                return
            failures += 1
            await asyncio.sleep(1)
        given_up.append(f"{request}: HTTP {response.status_code} {outcome_of(response)[0]}")

    for start in range(0, len(requests), 4):
        await asyncio.gather(*(cancel(*pair) for pair in requests[start : start + 4]))
    return failures, given_up
