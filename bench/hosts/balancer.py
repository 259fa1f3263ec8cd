"""The drill's clients: signed-in telecommunicators behind a load balancer.

The balancer does what one in front of several web hosts does: it sends each request
to the next host, in turn, of those it holds up; it checks every host's health every
tenth of a second (the one-query view of ``bench.urls``, which needs the database; 0.5 s
to answer); a host is taken out at its first failed request or its second failed check
in a row, and put back after two good checks in a row, but the last host up is never
taken out (there would be nowhere to send anything). A request that failed on one host
(no connection, no answer in time, a 5xx) is sent again, as it was, to another, as a
person who sees an error presses the button again: the Reach out form carries its own
``once`` token, so sending it twice finds the request it already sent.

Times are the machine's wall clock (``time.time()``), as the SMTP sink's are.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.cookiejar
import math
import re
import secrets
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import httpx

from bench.common import BASELINE_PATH, sign_in_as
from bench.hosts.network import SIGN_IN_ADDRESSES

REACH_OUT = "/support/reach-out/"
REQUEST_PATH = re.compile(r"^/support/requests/([\w-]+)/$")
# what every telecommunicator asks for: to be called now, on another number
ASK = {"urgency": "now", "contact": "call", "phone": "other", "callback_number": "+13195550142"}
SIGN_INS_PER_ADDRESS = 20  # allauth allows 30 a minute from one address
MOST_PEOPLE = len(SIGN_IN_ADDRESSES) * SIGN_INS_PER_ADDRESS
CHECK_EVERY = 0.1
CHECK_TIMEOUT = httpx.Timeout(0.5)
# a person presses again after an error at once, then waits a little longer each time
RETRY_DELAYS = (0.0, 0.5, 1.0, 2.0, 4.0)
GIVE_UP_SECONDS = 120.0


@dataclass
class Person:
    email: str
    cookie: str = ""  # the Cookie header of their signed-in browser
    csrf: str = ""


@dataclass(frozen=True)
class Attempt:
    host: str
    started: float
    seconds: float
    outcome: str  # "302", "HTTP 500", "ReadTimeout", ...


@dataclass
class Post:
    """One Reach out as its person saw it: from the first press to the answer."""

    person: Person
    sent: float
    attempts: list[Attempt] = field(default_factory=list)
    answered: float = math.nan
    status: int = 0  # of the answer; 0: no host answered
    location: str = ""
    pk: str | None = None  # the request's public id

    @property
    def error(self) -> str:
        if self.pk is not None:
            return ""
        if not self.status:
            return f"no answer after {len(self.attempts)} attempts"
        return f"HTTP {self.status} to {self.location!r}"


@dataclass
class Web:
    """A web host as the balancer sees it."""

    name: str
    client: httpx.AsyncClient
    up: bool = True
    streak: int = 0  # checks in a row that disagree with ``up``


@dataclass(frozen=True)
class Change:
    at: float
    host: str
    up: bool
    why: str


class Balancer:
    def __init__(self, hosts: dict[str, str], attempt_timeout: float) -> None:
        self.webs = [Web(name, _client(url)) for name, url in hosts.items()]
        self.timeout = httpx.Timeout(attempt_timeout, connect=0.5)
        self.changes: list[Change] = []
        self._turn = 0
        self._watch: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Balancer:
        self._watch = asyncio.create_task(self._watch_health())
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._watch:
            self._watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watch
        for web in self.webs:
            await web.client.aclose()

    def _next(self, avoid: Web | None = None) -> Web:
        up = [web for web in self.webs if web.up]
        choices = [web for web in up if web is not avoid] or up
        self._turn += 1
        return choices[self._turn % len(choices)]

    def _mark(self, web: Web, up: bool, why: str) -> None:
        if web.up == up or (not up and [w for w in self.webs if w.up] == [web]):
            return  # the last host up stays in: there is nowhere else to send
        web.up, web.streak = up, 0
        self.changes.append(Change(time.time(), web.name, up, why))

    async def _watch_health(self) -> None:
        async def check(web: Web) -> None:
            try:
                answer = await web.client.get(BASELINE_PATH, timeout=CHECK_TIMEOUT)
                healthy = answer.status_code == 200
            except httpx.HTTPError:
                healthy = False
            web.streak = 0 if healthy == web.up else web.streak + 1
            if web.streak >= 2:
                self._mark(web, healthy, "health check")

        while True:
            started = time.monotonic()
            await asyncio.gather(*(check(web) for web in self.webs))
            await asyncio.sleep(max(0.0, started + CHECK_EVERY - time.monotonic()))

    async def post(self, person: Person, path: str, data: dict[str, str], post: Post) -> None:
        """POSTs ``data`` as ``person``, to another host after each failure, until a
        host answers (anything but a 5xx), or gives up after ``GIVE_UP_SECONDS``."""
        web: Web | None = None
        while time.time() - post.sent < GIVE_UP_SECONDS:
            await asyncio.sleep(RETRY_DELAYS[min(len(post.attempts), len(RETRY_DELAYS) - 1)])
            web = self._next(avoid=web)
            started = time.time()
            try:
                answer = await web.client.post(
                    path, data=data, headers={"Cookie": person.cookie}, timeout=self.timeout
                )
                outcome = f"HTTP {answer.status_code}"
            except httpx.HTTPError as exc:
                answer, outcome = None, type(exc).__name__
            post.attempts.append(Attempt(web.name, started, time.time() - started, outcome))
            if answer is not None and answer.status_code < 500:
                post.answered, post.status = time.time(), answer.status_code
                post.location = answer.headers.get("location", "")
                return
            self._mark(web, False, f"a request failed: {outcome}")
        post.answered = time.time()

    async def reach_out(self, person: Person) -> Post:
        post = Post(person, sent=time.time())
        # a fresh form: its own once token, sent again as it is on every press
        form = {**ASK, "csrfmiddlewaretoken": person.csrf, "once": secrets.token_urlsafe(32)}
        await self.post(person, REACH_OUT, form, post)
        found = REQUEST_PATH.match(post.location)
        if post.status == 302 and found:
            post.pk = found.group(1)
        return post

    async def cancel(self, person: Person, pk: str) -> bool:
        """The requester cancels their request, confirming it, as on its page; once
        cancelled, it goes home."""
        post = Post(person, sent=time.time())
        form = {"csrfmiddlewaretoken": person.csrf, "confirm": "yes"}
        await self.post(person, f"/support/requests/{pk}/cancel/", form, post)
        return post.status == 302 and post.location == "/home/"


def _client(base_url: str) -> httpx.AsyncClient:
    """A client that keeps no cookies: each request carries its person's own."""
    return httpx.AsyncClient(
        base_url=base_url,
        trust_env=False,
        limits=httpx.Limits(max_connections=None, max_keepalive_connections=64),
        cookies=http.cookiejar.CookieJar(http.cookiejar.DefaultCookiePolicy(allowed_domains=[])),
    )


def sign_in_everyone(urls: Sequence[str], emails: Sequence[str], password: str) -> list[Person]:
    """Through the login form, four at a time, in turn on each web host; every 20 from
    an address of their own."""

    def one(index: int) -> Person:
        url = urls[index % len(urls)]
        address = SIGN_IN_ADDRESSES[index // SIGN_INS_PER_ADDRESS]
        cookies = sign_in_as(url, emails[index], password, address)
        return Person(
            emails[index],
            cookie="; ".join(f"{name}={value}" for name, value in cookies.items()),
            csrf=cookies.get("csrftoken") or "",
        )

    if len(emails) > MOST_PEOPLE:
        raise SystemExit(f"at most {MOST_PEOPLE} people")
    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(one, range(len(emails))))
