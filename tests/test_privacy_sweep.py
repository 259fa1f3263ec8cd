"""The privacy sweep: nobody but the peer who took a request learns who asked.

Requests of every kind are made through the views (named; anonymous with a call-back
number; "a peer outside my agency"; a specific peer; with a private exclusion list;
widened by the requester) and driven to every state (open, taken, started, closed,
cancelled, and closed longer ago than the taker's follow-up window). Then every URL
pattern of the project, filled with every id and token the test knows and their
neighbours (tests/sweep.py), is requested by every persona: GET (and the htmx partial
where a page has one), POST (an attack may change state: an excluded peer taking the
request), then GET again. No answer may carry a requester's name, e-mail, note or
call-back number to anyone but the requester, and the peer who took the request while
its follow-up window lasts. Those two are the positive controls: the taker must see
who asked, or the sweep would pass without looking.

The coordinator and the administrator manage the roster, which lists every member
whether they asked or not: there names and e-mails are roster data, and each roster
page that shows a requester must read exactly as it did before anyone asked.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.db import transaction
from django.test import Client, RequestFactory
from django.urls import Resolver404, resolve, reverse
from django.utils.http import int_to_base36

from backline.accounts.models import Agency, User
from backline.accounts.roles import Role
from backline.checkins.models import OptOut
from backline.lib import clock, tokens
from backline.notify.models import ContactMethod, NotificationRule
from backline.oncall import breaks
from backline.oncall.models import (
    Availability,
    Override,
    ShiftOffer,
)
from backline.privacy.access import rule_of
from backline.support import escalation
from backline.support.models import (
    Page,
    PageKind,
    SupportRequest,
)
from tests.asking import reach_out_form
from tests.checkins import builders as checkins
from tests.harness import Clock, Recorder, Response, Team
from tests.meetings import builders as meetings
from tests.oncall import builders
from tests.personas import confirm_access, enrol_totp, make_person
from tests.sweep import (
    Known,
    Needle,
    Route,
    body_of,
    collect,
    haystack,
    links_in,
    routes,
    urls_of,
)

NAME_FIELDS = ("name", "e-mail")  # what the roster shows of every member
EVERYTHING = {"name", "e-mail", "note", "call-back number"}
ROSTER_MANAGERS = ("coordinator", "administrator")
PARTIAL = re.compile(r"\bhx-(?:get|trigger)=")  # a page that loads a partial of itself
ATTACK = {"coming_in": "15", "confirm": "yes"}  # the take form, and every confirm step
A = "peer A (on call, my agency; excluded by one; took some)"
B = "peer B (my agency; took one)"
C = "peer C (the other agency; took one)"


@dataclass
class Ask:
    """One request: who asks, what they wish, and what identifies them."""

    label: str
    full_name: str
    preferred: str
    note: str
    keyword: str  # a word of the note, should a page show only part of it
    anonymous: bool = False
    callback: str = ""  # as typed; Backline keeps the digits
    outside_agency: bool = False
    preferred_peer: User | None = None
    excluded: list[User] = field(default_factory=list)
    widened: bool = False
    requester: User | None = None
    ref: str = ""
    pk: int = 0
    follow_token: str = ""
    taker: User | None = None
    window_over: bool = False  # closed longer ago than the follow-up window

    @property
    def email(self) -> str:
        return self.full_name.lower().replace(" ", ".") + "@harbor.test"

    def needles(self) -> list[Needle]:
        found = [
            Needle(self.label, "name", self.full_name),
            Needle(self.label, "name", self.preferred),
            Needle(self.label, "name", self.full_name.split()[-1]),
            Needle(self.label, "e-mail", self.email),
            Needle(self.label, "note", self.note),
            Needle(self.label, "note", self.keyword),
        ]
        if self.callback:
            digits = "".join(ch for ch in self.callback if ch.isdigit())
            n = digits[-10:]
            for form in (
                "+" + digits,
                n,
                f"{n[:3]}-{n[3:6]}-{n[6:]}",
                f"{n[:3]} {n[3:6]} {n[6:]}",
                f"({n[:3]}) {n[3:6]}-{n[6:]}",
            ):
                found.append(Needle(self.label, "call-back number", form))
        return found

    def allows(self, user: User | None, taker: bool) -> set[str]:
        """What of this request ``user`` may read: all of it, for the requester; for the
        peer who took it, while its window lasts, the note, the call-back number and
        (unless it is anonymous) who asked."""
        if user is not None and user == self.requester:
            return EVERYTHING
        if taker:
            return {"note", "call-back number"} | (set() if self.anonymous else set(NAME_FIELDS))
        return set()

    def may_take(self, user: User | None, paged: set[tuple[int, int]], agency: Agency) -> bool:
        """The test's own reading of the rule: a peer Backline paged, within the
        requester's wishes (until they widen), never one they excluded."""
        if user is None or (self.pk, user.pk) not in paged or user in self.excluded:
            return False
        own_agency = user.memberships.filter(agency=agency).exists()
        if self.outside_agency and not self.widened and own_agency:
            return False
        return not (self.preferred_peer and not self.widened and user != self.preferred_peer)


@dataclass
class Story:
    """The requests made, the personas, and every id and token the test can know."""

    asks: list[Ask]
    personas: dict[str, User | None]
    agency: Agency
    known: Known
    roster_before: dict[tuple[str, str, bool], str]  # (persona, URL, partial): what it read

    def ask(self, label: str) -> Ask:
        return next(a for a in self.asks if a.label == label)


def _client(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _ref(response: Response) -> str:
    assert response.status_code == 302, response.status_code
    ref: str = resolve(urlsplit(response["Location"]).path).kwargs["ref"]
    return ref


def _reach_out(ask: Ask) -> Ask:
    requester = _client(ask.requester)
    for person in ask.excluded:
        response = requester.post(reverse("support:exclusions"), {"excluded": person.pk})
        assert response.status_code == 302
    data = reach_out_form(note=ask.note, callback_number=ask.callback)
    if ask.anonymous:
        data["anonymous"] = "on"
    if ask.outside_agency:
        data["outside_agency"] = "on"
    if ask.preferred_peer:
        data["preferred_peer"] = str(ask.preferred_peer.pk)
    response = requester.post(reverse("support:reach_out"), data)
    escalation.escalate_due()  # the engine pages the first step
    if ask.anonymous:  # straight to the private follow page
        ask.follow_token = resolve(urlsplit(response["Location"]).path).kwargs["token"]
        digest = tokens.digest(ask.follow_token)
        ask.ref = SupportRequest.objects.get(follow_token_digest=digest).public_id
    else:
        ask.ref = _ref(response)
    return ask


def _take(ask: Ask, peer: User, *then: str) -> None:
    taker = _client(peer)
    response = taker.post(reverse("support:take", args=[ask.ref]), {"coming_in": "15"})
    assert _ref(response) == ask.ref and "/offer/" not in response["Location"]
    for action in then:
        url = reverse(f"support:{action}", args=[ask.ref])
        assert taker.post(url, {"confirm": "yes"}).status_code == 302
    ask.taker = peer


def _file_record(peer: User) -> None:
    form = _client(peer).get(reverse("records:new") + "?type=request").context["form"]
    answers = {"contact_type": "request", "channel": "phone", "duration": "15_45"}
    answers |= {"topics": "critical_call", "referral": "eap", "follow_up": "yes"}
    sent = answers | {"date": form["date"].initial.isoformat(), "once": form["once"].initial}
    assert _client(peer).post(reverse("records:new"), sent).status_code == 302


def _roster_main(body: str) -> str:
    """A roster page's content, without what differs from one answer to the next."""
    main = body.split('<main id="main"', 1)[-1].split("</main>", 1)[0]
    main = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", main)
    main = re.sub(r'<p class="message message-error" role="alert">.*?</p>', "", main, flags=re.S)
    main = re.sub(r'<div class="messages".*?</div>', "", main, flags=re.S)
    return " ".join(main.split())


def _roster_snapshot(
    known: Known, personas: dict[str, User | None]
) -> dict[tuple[str, str, bool], str]:
    """What the roster pages read before anyone asked, and their partials."""
    snapshot: dict[tuple[str, str, bool], str] = {}
    roster = [r for r in routes() if r.name.startswith("roster:")]
    for persona in ROSTER_MANAGERS:
        client = _client(personas[persona])
        for route in roster:
            for url in urls_of(route, known):
                response = client.get(url)
                if response.status_code != 200:
                    continue
                body = body_of(response)
                snapshot[persona, url, False] = _roster_main(body)
                if PARTIAL.search(body):
                    partial = client.get(url, headers={"HX-Request": "true"})
                    snapshot[persona, url, True] = _roster_main(body_of(partial))
    return snapshot


@pytest.fixture
def story(team: Team, recorder: Recorder, moment: Clock) -> Story:
    recorder.ignore_rest()  # what the pages say is the escalation tests' story; here, who sees
    world = team.world
    a, b, c = team.a, team.b, team.c
    asks = [
        Ask("closed, past the window", "Imogen Vantreight", "Imogenne",
            "still shaken by the Halvorsen Street fire", "Halvorsen", window_over=True),
        Ask("widened", "Octavia Merriweather", "Octavine",
            "the Quarrington crash keeps coming back", "Quarrington",
            outside_agency=True, widened=True),
        Ask("open", "Bartholomew Quennell", "Barthold",
            "the Ostrander Road call stays with me", "Ostrander"),
        Ask("taken", "Marisol Threadgill", "Marisolita",
            "after the Pemberton Avenue drowning call", "Pemberton"),
        Ask("anonymous, started", "Desmond Ashgrove", "Dezmondo",
            "I keep hearing the Wexcombe Lane caller", "Wexcombe",
            anonymous=True, callback="+1 (555) 010-7713"),
        Ask("outside my agency, closed", "Florentyna Okonkwo", "Tynaflo",
            "the Kilbride Bridge rescue", "Kilbride", outside_agency=True),
        Ask("a specific peer", "Gwendolyn Pasternak", "Gwenhwyfar",
            "since the Ravensworth school lockdown", "Ravensworth", preferred_peer=c),
        Ask("exclusions", "Horatio Blackwood", "Horatius",
            "the Tillinghast overdose call", "Tillinghast", excluded=[a]),
        Ask("cancelled", "Leopold Yardley", "Leopoldo", "the Underhill Farm call", "Underhill"),
        Ask("anonymous, open", "Philippa Drummond", "Pippaloo",
            "the Saltonstall pileup last night", "Saltonstall",
            anonymous=True, callback="555 010 4482"),
    ]  # fmt: skip
    for number, ask in enumerate(asks):
        ask.callback = ask.callback or f"+1 555 020 {1000 + number}"  # named ones too
        ask.requester = make_person(ask.email, ask.full_name, world.agency, Role.TELECOMMUNICATOR)
        ask.requester.preferred_name = ask.preferred
        ask.requester.save(update_fields=["preferred_name"])
    by = {ask.label: ask for ask in asks}
    unpaged = make_person("uma@harbor.test", "Uma Unpaged", world.agency, Role.PEER)
    enrol_totp(unpaged)
    coordinator = _client(world.coordinator)
    confirm_access(coordinator)  # inviting gives roles: it asks for the password again
    response = coordinator.post(
        reverse("roster:invitations"),
        {
            "full_name": "Newt Invitee",
            "email": "newt@harbor.test",
            "agency": world.agency.pk,
            "roles": "telecommunicator",
        },
    )
    assert response.status_code == 302
    invited = re.search(r"/invitation/([^/\s]+)/", str(mail.outbox[-1].body))
    assert invited, mail.outbox[-1].body
    invitation = invited[1]
    personas: dict[str, User | None] = {
        "visitor": None,
        "coordinator": world.coordinator,
        "administrator": world.administrator,
        "clinician": world.clinician,
        "telecommunicator who did not ask": world.telecommunicator,
        "person of another region": world.outsider,
        A: a,
        B: b,
        C: c,
        "unpaged peer": unpaged,
        "requester of the open request": by["open"].requester,
        "requester of the anonymous open request": by["anonymous, open"].requester,
    }
    known = Known()
    known.add("invitation_token", invitation)
    known.add("secret", invitation)  # allauth's keys: the test holds no real one
    known.add("uidb36", *(int_to_base36(ask.requester.pk) for ask in asks if ask.requester))
    known.add("provider", "openid_connect", world.region.slug)
    collect(known)
    roster_before = _roster_snapshot(known, personas)

    _take(_reach_out(by["closed, past the window"]), a, "close")
    moment.later(days=8)  # past the follow-up window (7 days)

    # "a peer outside my agency" while none is available: Backline asks; they widen
    widened = _reach_out(by["widened"])
    moment.tick()
    assert SupportRequest.objects.get(public_id=widened.ref).asks_consent
    widen = _client(widened.requester).post(reverse("support:widen", args=[widened.ref]))
    assert widen.status_code == 302
    Availability.objects.create(user=c, until=clock.now() + timedelta(hours=12))

    _reach_out(by["open"])
    _take(_reach_out(by["taken"]), a)
    _take(_reach_out(by["anonymous, started"]), a, "start")
    _take(_reach_out(by["outside my agency, closed"]), c, "close")  # C: the outside peer
    _reach_out(by["a specific peer"])  # C, paged; A and B never
    excluding = _reach_out(by["exclusions"])  # of A, who is on call
    cancelled = _reach_out(by["cancelled"])
    cancel = _client(cancelled.requester).post(
        reverse("support:cancel", args=[cancelled.ref]), {"confirm": "yes"}
    )
    assert cancel.status_code == 302
    _reach_out(by["anonymous, open"])
    moment.later(minutes=6)  # step 2 pages B, for the request that excluded A
    _take(excluding, b)
    # Uma needs a break: every page is read with a peer on one
    breaks.take(unpaged, clock.now() + timedelta(days=10), clock.now())

    for peer in (a, c):  # the takers of the closed requests file their records
        _file_record(peer)

    # one of everything else a URL can name
    spare = builders.rotation(world.region, [a, unpaged], name="Spare")  # Uma's turn is next
    builders.schedule(world.region, spare)
    builders.policy(world.region, spare, default=False)
    now = clock.now()
    hours = {"starts_at": now + timedelta(hours=1), "ends_at": now + timedelta(hours=3)}
    Override.objects.create(rotation=spare, covered_by=b, **hours)
    ShiftOffer.objects.create(rotation=spare, offered_by=a, **hours)
    method = ContactMethod.objects.filter(user=a).first()
    assert method is not None
    NotificationRule.objects.create(user=a, contact_method=method, delay_minutes=5)
    # a check-in of A's with the telecommunicator, sent; one of B's; an opt-out
    soon = (now + timedelta(minutes=5)).astimezone(world.telecommunicator.time_zone)
    checkins.plan(
        _client(a),
        checkins.plan_form(world.telecommunicator, starts_on=soon.date(), at=soon.time()),
    )
    moment.later(minutes=5)
    checkins.plan(_client(b), checkins.plan_form(unpaged, starts_on=now.date() + timedelta(days=1)))
    OptOut.objects.create(colleague=world.clinician, peer=a)
    # a session the coordinator organised, A facilitates, and two who never asked attend
    session = meetings.schedule(
        _client(world.coordinator),
        meetings.form(facilitators=[a], invite=[world.clinician, unpaged], zone_of=a),
    )
    meetings.answer(_client(unpaged), session, "yes")
    calendar = _client(a).post(reverse("oncall:calendar")).content.decode()
    feed = re.search(r"/oncall/calendar/([^/\"<]+)\.ics", calendar)
    assert feed, calendar
    token = feed[1]
    known.add("calendar", token)
    known.add("secret", token)
    for ask in asks:
        ask.pk = SupportRequest.objects.get(public_id=ask.ref).pk
        if ask.follow_token:
            known.add("follow", ask.follow_token)
            known.add("secret", ask.follow_token)
    collect(known)
    assert {ask.ref for ask in asks} == known.values["request"]
    return Story(asks, personas, world.agency, known, roster_before)


@dataclass(frozen=True)
class Leak:
    phase: str  # "before", "attack" (the POSTs) or "after"
    persona: str
    method: str
    url: str
    partial: bool  # asked with HX-Request: true
    status: int
    needle: Needle


class Sweep:
    """Every probe, and what each persona was shown."""

    def __init__(self, story: Story) -> None:
        self.story = story
        self.needles = [n for ask in story.asks for n in ask.needles()]
        self.probes = 0
        self.leaks: list[Leak] = []
        self.errors: list[tuple[str, str, str, str, str]] = []
        self.seen: set[tuple[str, str, str]] = set()  # persona, request, field
        self.links: set[str] = set()
        self.refused: dict[str, set[str]] = {}  # persona: URLs answering GET with 405
        self.roster_seen: dict[str, set[tuple[str, str]]] = {}  # persona: (request, field)

    def probe(
        self,
        phase: str,
        persona: str,
        client: Client,
        method: str,
        url: str,
        allowed: dict[str, set[str]],
        partial: bool = False,
    ) -> Any:
        self.probes += 1
        headers = {"HX-Request": "true"} if partial else {}
        try:
            if method == "get":
                response = client.get(url, headers=headers)
            else:
                with transaction.atomic():  # a POST that fails cannot spoil the transaction
                    response = client.post(url, ATTACK, headers=headers)
        except Exception as exc:
            self.errors.append((phase, persona, method, url, repr(exc)))
            return None
        body = body_of(response)
        hay = haystack(response, body)
        for needle in self.needles:
            if not needle.found_in(hay):
                continue
            if needle.field in allowed[needle.request]:
                self.seen.add((persona, needle.request, needle.field))
            elif not self._roster_data(phase, persona, url, partial, needle, body):
                status = response.status_code
                self.leaks.append(Leak(phase, persona, method, url, partial, status, needle))
        if phase == "before" and response.status_code < 400:
            self.links |= links_in(response, body)
        if method == "get" and not partial and response.status_code == 200 and PARTIAL.search(body):
            self.probe(phase, persona, client, "get", url, allowed, partial=True)
        if method == "get" and response.status_code == 405:
            self.refused.setdefault(persona, set()).add(url)
        return response

    def _roster_data(
        self, phase: str, persona: str, url: str, partial: bool, needle: Needle, body: str
    ) -> bool:
        """The roster shows every member's name and e-mail to those who manage it. It
        may, as long as the page reads as it did before anyone asked; after the
        persona's own POSTs (which may change the roster) it may show them still."""
        if persona not in ROSTER_MANAGERS or needle.field not in NAME_FIELDS:
            return False
        view_name = resolve(url).view_name
        if not (view_name.startswith("roster:") or view_name == "roster_changes"):
            return False
        before = self.story.roster_before.get((persona, url, partial))
        if phase == "before" and before != _roster_main(body):
            return False
        self.roster_seen.setdefault(persona, set()).add((needle.request, needle.field))
        return True


def _state() -> dict[int, tuple[Any, ...]]:
    fields = (
        "status",
        "acknowledged_by_id",
        "widened_at",
        "kept_waiting_at",
        "started_at",
        "closed_at",
    )
    return {row[0]: row[1:] for row in SupportRequest.objects.values_list("pk", *fields)}


def _reachable(user: User | None, urls: list[str]) -> list[str]:
    """The URLs whose access rule lets ``user`` (as they are now) reach the view. The
    rule is checked before the view, alike for every method (AccessRuleMiddleware):
    what it refuses was requested once, in the first pass, and is refused again."""
    request = RequestFactory().get("/")
    request.user = User.objects.get(pk=user.pk) if user is not None else AnonymousUser()
    rules = {}
    for url in urls:
        view = resolve(url).func
        if view not in rules:
            rule = rule_of(view)
            rules[view] = rule is not None and rule.allows(request)
    return [url for url in urls if rules[resolve(url).func]]


def _resolves(path: str) -> bool:
    try:
        return bool(resolve(path).kwargs)
    except Resolver404:
        return False


@pytest.fixture
def quiet() -> Iterator[None]:
    """Each refused probe logs a warning (thousands of them); this test reads answers."""
    logging.disable(logging.WARNING)
    yield
    logging.disable(logging.NOTSET)


# Two halves, so that the suite's two workers share the sweep. Each half meets the
# same story; the links it harvests are those its own personas were shown.
GROUPS = {
    "those who manage, treat or only visit": [
        "visitor", "coordinator", "administrator", "clinician",
        "telecommunicator who did not ask", "person of another region",
    ],
    "peers and requesters": [
        A, B, C, "unpaged peer", "requester of the open request",
        "requester of the anonymous open request",
    ],
}  # fmt: skip
# the positive controls: the taker, within the window, does see who asked
CONTROLS = [
    (A, "taken", "name"),
    (A, "taken", "e-mail"),
    (A, "taken", "note"),
    (A, "anonymous, started", "call-back number"),
    (A, "anonymous, started", "note"),
    (B, "exclusions", "name"),
    (C, "outside my agency, closed", "name"),  # closed, within the window
]


@pytest.mark.parametrize("group", list(GROUPS))
def test_nobody_but_the_taker_learns_who_asked(story: Story, quiet: None, group: str) -> None:
    started = time.perf_counter()
    personas = {name: story.personas[name] for name in GROUPS[group]}
    all_routes = routes()
    urls: dict[str, Route] = {url: r for r in all_routes for url in urls_of(r, story.known)}
    assert [r.name for r in all_routes if r not in urls.values()] == []  # each is requested
    sweep = Sweep(story)

    def allowances(user: User | None, took: set[str]) -> dict[str, set[str]]:
        return {ask.label: ask.allows(user, ask.label in took) for ask in story.asks}

    within_window = {
        name: {a.label for a in story.asks if user and a.taker == user and not a.window_over}
        for name, user in personas.items()
    }

    # 1. GET everything, as everyone, with every id and token known
    for name, user in personas.items():
        client = _client(user)
        for url in urls:
            sweep.probe("before", name, client, "get", url, allowances(user, within_window[name]))
    for persona, label, what in CONTROLS:
        if persona in personas:
            assert (persona, label, what) in sweep.seen, (persona, label, what)
    if A in personas:  # past the window, the taker's page is there, and says "a colleague"
        past = story.ask("closed, past the window")
        page = _client(past.taker).get(reverse("support:request", args=[past.ref]))
        assert page.status_code == 200 and b"A colleague." in page.content
    if "coordinator" in personas:  # the coordinator's page counts the peers paged
        excluding = story.ask("exclusions")  # the requester left out (A, on call)
        page = _client(personas["coordinator"]).get(
            reverse("support:coordinate", args=[excluding.ref])
        )
        assert page.status_code == 200 and b"Peers were paged: 1 peer" in page.content
        assert b"Pat Peer" not in page.content and b"Bo Bee" not in page.content
    if "coordinator" in personas:  # the roster does name the requesters, as it did before
        assert {(a.label, "name") for a in story.asks} <= sweep.roster_seen["coordinator"]

    # 2. POST everything (the attack may change state), then 3. GET everything again.
    # Each persona meets the same world: its POSTs are rolled back after its GETs.
    found = {link for link in sweep.links - set(urls) if _resolves(link)}
    targets = list(urls) + sorted(found)  # with the real combinations pages link to
    paged = set(Page.objects.filter(kind=PageKind.PEER).values_list("request_id", "peer_id"))
    misdeeds = []
    for name, user in personas.items():
        with transaction.atomic():
            client = _client(user)
            before = _state()
            for url in _reachable(user, targets):
                response = sweep.probe(
                    "attack", name, client, "post", url, allowances(user, within_window[name])
                )
                cookies = response.cookies if response is not None else {}
                if user is not None and settings.SESSION_COOKIE_NAME in cookies:
                    client.force_login(user)  # signed out by the attack: sign in again
            after = _state()
            took = set(within_window[name])
            for ask in story.asks:
                was, now = before[ask.pk], after[ask.pk]
                if was == now:
                    continue
                uid = getattr(user, "pk", None)
                if was[1] is None and now[1] is not None:
                    if now[1] == uid and ask.may_take(user, paged, story.agency):
                        took.add(ask.label)  # a peer it was offered to took it: fair
                    else:
                        misdeeds.append((name, ask.label, "taken", was, now))
                elif not (ask.anonymous or user == ask.requester or uid in (was[1], now[1])):
                    # only the requester, their private link or the taker change a request
                    misdeeds.append((name, ask.label, "changed", was, now))
            for url in _reachable(user, targets):
                if url not in sweep.refused.get(name, set()):
                    sweep.probe("after", name, client, "get", url, allowances(user, took))
            transaction.set_rollback(True)

    elapsed = time.perf_counter() - started
    print(
        f"\nprivacy sweep ({group}): {len(personas)} personas, {len(targets)} URLs, "
        f"{sweep.probes} probes, {elapsed:.1f}s"
    )
    assert sweep.leaks == [], "\n".join(map(str, sweep.leaks[:40]))
    assert misdeeds == []
    assert sweep.errors == [], "\n".join(map(str, sweep.errors[:20]))


# what the peer on a break reads of it, and nobody else may
WHY = re.compile(r"you are on a break|nobody will page you until|end my break", re.I)


def test_nobody_but_the_peer_on_a_break_learns_why_they_are_unavailable(
    story: Story, quiet: None
) -> None:
    uma = story.personas["unpaged peer"]
    assert uma is not None
    own = _client(uma).get(reverse("oncall:break")).content.decode()
    assert WHY.search(own)  # the positive control: the peer reads it
    told = []
    unavailable = 0
    for name, user in story.personas.items():
        if user == uma:
            continue
        client = _client(user)
        for route in routes():
            for url in urls_of(route, story.known):
                response = client.get(url)
                body = body_of(response)
                if WHY.search(body):
                    told.append((name, url))
                unavailable += "unavailable" in body and "Uma Unpaged" in body
    assert told == []
    assert unavailable  # and yet others do see that Uma is unavailable
