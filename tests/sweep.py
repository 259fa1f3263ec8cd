"""The privacy sweep's machinery (see tests/test_privacy_sweep.py).

``routes()`` lists every URL pattern of the project, including allauth's and any added
later; ``Known`` holds every id and token a test can know, by kind (``collect`` adds
every one in the database and in the links Backline sent); ``urls_of`` fills
each pattern's arguments from those values (and their neighbours); ``Needle`` and
``haystack`` search an answer's body, headers and cookies for what identifies a person.
"""

from __future__ import annotations

import html
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from urllib.parse import quote, quote_plus, urlsplit

from allauth.mfa.models import Authenticator
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpRequest, HttpResponseBase
from django.urls import Resolver404, URLResolver, get_resolver, resolve
from django.urls.converters import IntConverter
from django.urls.resolvers import RegexPattern, RoutePattern

from backline.accounts.models import Agency, Invitation, Membership, User
from backline.checkins.models import Nudge, OptOut, Plan
from backline.meetings.models import Meeting
from backline.notify.models import Channel, ContactMethod, NotificationRule, OutgoingMessage
from backline.oncall.models import (
    Override,
    Rotation,
    RotationMember,
    Schedule,
    ScheduleWindow,
    ShiftOffer,
)
from backline.records.models import ContactRecord
from backline.support.models import (
    EscalationPolicy,
    EscalationStep,
    Exclusion,
    Page,
    StepTarget,
    SupportRequest,
)

ROUTE_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>\w+)>")
REGEX_PARAM = re.compile(r"\(\?P<(?P<name>\w+)>[^)]*\)")
PLACEHOLDER = re.compile(r"\{(\w+)\}")

# What an argument holds, by its name; else by the path segment before it (its hint),
# e.g. ``people/<int:pk>/``. An argument of an unknown kind is filled with every known
# value of its type, so a new URL is swept without anyone adding it here.
BY_NAME = {
    "ref": "request",
    "member_pk": "rotation_member",
    "step_pk": "step",
    "target_pk": "target",
    "window_pk": "window",
    "membership_pk": "membership",
    "channel": "channel",
    "uidb36": "uidb36",
    "key": "secret",
    "provider_id": "provider",
}
BY_HINT = {
    ("int", "people"): "user",
    ("int", "agencies"): "agency",
    ("int", "invitations"): "invitation",
    ("int", "exclusions"): "exclusion",
    ("int", "offers"): "shift_offer",
    ("int", "rotations"): "rotation",
    ("int", "schedules"): "schedule",
    ("int", "overrides"): "override",
    ("int", "policies"): "policy",
    ("int", "methods"): "contact_method",
    ("int", "rules"): "rule",
    ("int", "inbox"): "notification",
    ("int", "keys"): "authenticator",
    ("int", "requests"): "request_pk",
    ("int", "records"): "record",
    ("str", "follow"): "follow",
    ("str", "pages"): "page",
    ("str", "calendar"): "calendar",
    ("str", "invitation"): "invitation_token",
    ("int", "plans"): "checkin_plan",
    ("int", "handed-over"): "checkin_plan",
    ("int", "opt-outs"): "checkin_opt_out",
    ("str", "nudges"): "nudge",
    ("int", "sessions"): "meeting",
}


@dataclass(frozen=True)
class Param:
    name: str
    type: str  # "int" or "str"
    hint: str  # the literal path segment before it


@dataclass(frozen=True)
class Route:
    name: str  # namespaced URL name, or the path when the pattern has none
    template: str  # the full path, arguments as {name}
    params: tuple[Param, ...]
    callback: Any


def _chain(
    patterns: list[Any], prefix: tuple[Any, ...] = (), namespace: str = ""
) -> Iterator[tuple[tuple[Any, ...], str, Any]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _chain(pattern.url_patterns, (*prefix, pattern.pattern), inner)
        else:
            yield (*prefix, pattern.pattern), namespace, pattern


def _template(parts: Iterable[Any]) -> tuple[str, dict[str, str]]:
    text, types = "", {}
    for part in parts:
        if isinstance(part, RoutePattern):
            route = str(part)  # the route as written
            for match in ROUTE_PARAM.finditer(route):
                converter = part.converters[match["name"]]
                types[match["name"]] = "int" if isinstance(converter, IntConverter) else "str"
            text += ROUTE_PARAM.sub(lambda m: "{" + m["name"] + "}", route)
        elif isinstance(part, RegexPattern):
            regex = str(part).removeprefix("^").removesuffix("$")
            for match in REGEX_PARAM.finditer(regex):
                types[match["name"]] = "str"
            text += REGEX_PARAM.sub(lambda m: "{" + m["name"] + "}", regex)
        else:  # e.g. a locale prefix: not used by Backline; fail loudly if it appears
            raise TypeError(f"unknown URL pattern type {type(part).__name__}")
    return "/" + text, types


def routes() -> list[Route]:
    """Every URL pattern of the project, with its arguments."""
    found = []
    for parts, namespace, pattern in _chain(get_resolver().url_patterns):
        template, types = _template(parts)
        params = []
        for match in PLACEHOLDER.finditer(template):
            before = PLACEHOLDER.sub("", template[: match.start()])
            literal = [s for s in before.split("/") if s]
            hint = literal[-1] if literal else ""
            params.append(Param(match[1], types[match[1]], hint))
        name = f"{namespace}{pattern.name}" if pattern.name else template
        found.append(Route(name, template, tuple(params), pattern.callback))
    return found


TAMPERED = 2  # how many tokens of each kind are also tried truncated and altered


def neighbours(value: int | str) -> list[int | str]:
    """What a guess or a tampered link would try next to a value."""
    if isinstance(value, int):
        return [v for v in (value - 1, value + 1) if v >= 0]
    if len(value) < 2:
        return []
    return [value[:-1], value[:-1] + ("B" if value[-1] == "A" else "A")]


@dataclass
class Known:
    """Every id and token the test can know, by kind."""

    values: dict[str, set[int | str]] = field(default_factory=lambda: defaultdict(set))

    def add(self, kind: str, *values: int | str) -> None:
        self.values[kind].update(values)

    def kind_of(self, param: Param) -> str | None:
        return BY_NAME.get(param.name) or BY_HINT.get((param.type, param.hint))

    def pool(self, param: Param) -> list[int | str]:
        kind = self.kind_of(param)
        chosen = self.values.get(kind, set()) if kind else set()
        if not chosen:  # an unknown argument: every value of its type
            wanted = int if param.type == "int" else str
            chosen = {v for vs in self.values.values() for v in vs if isinstance(v, wanted)}
        ordered = sorted(chosen, key=lambda v: (str(type(v)), v))
        # every id's neighbours (ids are few and dense); a few tampered tokens of a kind
        tampered = [v for v in ordered if isinstance(v, int)] or ordered[:TAMPERED]
        spread = set(ordered) | {n for v in tampered for n in neighbours(v)}
        return sorted(spread, key=lambda v: (str(type(v)), v))


MODELS = {
    "user": User,
    "membership": Membership,
    "agency": Agency,
    "invitation": Invitation,
    "exclusion": Exclusion,
    "shift_offer": ShiftOffer,
    "rotation": Rotation,
    "rotation_member": RotationMember,
    "schedule": Schedule,
    "window": ScheduleWindow,
    "override": Override,
    "policy": EscalationPolicy,
    "step": EscalationStep,
    "target": StepTarget,
    "contact_method": ContactMethod,
    "rule": NotificationRule,
    "notification": OutgoingMessage,
    "authenticator": Authenticator,
    "request_pk": SupportRequest,
    "page_pk": Page,
    "record": ContactRecord,
    "checkin_plan": Plan,
    "checkin_opt_out": OptOut,
    "meeting": Meeting,
}


def collect(known: Known) -> None:
    """Every id in the database, by kind, and the tokens of the links Backline sent."""
    for kind, model in MODELS.items():
        known.add(kind, *model._default_manager.values_list("pk", flat=True))
    known.add("request", *SupportRequest.objects.values_list("public_id", flat=True))
    known.add("channel", *Channel.values)
    known.add("nudge", *Nudge.objects.values_list("link_id", flat=True))
    for link in OutgoingMessage.objects.exclude(link="").values_list("link", flat=True):
        match = resolve(urlsplit(link).path)
        for name, value in match.kwargs.items():
            known.add("page" if match.view_name == "support:page" else name, value)


def urls_of(route: Route, known: Known) -> list[str]:
    """The route's path for every known value of its arguments (and their neighbours).

    Several arguments are filled side by side, not as a product (which would grow too
    fast); the real combinations come from the links pages show (see ``links_in``).
    """
    if not route.params:
        return [route.template]
    pools = [known.pool(p) for p in route.params]
    if not all(pools):
        return []
    width = max(len(p) for p in pools)
    urls = []
    for i in range(width):
        values = {p.name: pool[i % len(pool)] for p, pool in zip(route.params, pools, strict=True)}
        url = _filled(route.template, values)
        if resolves_to(url, route):
            urls.append(url)
    return urls


def _filled(template: str, values: dict[str, Any]) -> str:
    return PLACEHOLDER.sub(lambda m: str(values[m[1]]), template)


def resolves_to(url: str, route: Route) -> bool:
    try:
        return resolve(url).func is route.callback
    except Resolver404:
        return False


LINK = re.compile(r"""(?:href|action|src|hx-get|hx-post)\s*=\s*["']([^"'#?]+)""")


def links_in(response: HttpResponseBase, body: str) -> set[str]:
    """The same-site paths a page links to or redirects to."""
    found = set(LINK.findall(body))
    if response.get("Location"):
        found.add(response["Location"])
    paths = set()
    for link in found:
        parts = urlsplit(html.unescape(link))
        if parts.netloc not in ("", "testserver") or not parts.path.startswith("/"):
            continue
        paths.add(parts.path)
    return paths


def body_of(response: HttpResponseBase) -> str:
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
        response.close()
    else:
        content = response.content  # type: ignore[attr-defined]
    return content.decode("utf-8", "replace")


def haystack(response: HttpResponseBase, body: str) -> str:
    """Everything a browser receives: the body, every header, every cookie, and the
    text of the messages cookie (signed and compressed, so not greppable as it is)."""
    parts = [body, *(f"{k}: {v}" for k, v in response.items())]
    for name, morsel in response.cookies.items():
        parts.append(f"Set-Cookie: {morsel.OutputString()}")
        if name == CookieStorage.cookie_name and morsel.value:
            # the stubs leave out the private decoder, the one way to read the cookie back
            decoded = CookieStorage(HttpRequest())._decode(morsel.value) or []  # type: ignore[attr-defined]
            parts.extend(str(message.message) for message in decoded)
    return "\n".join(parts).casefold()


@dataclass(frozen=True)
class Needle:
    """One thing that identifies a requester, in every form a page could give it."""

    request: str  # the request's label in the test
    field: str  # "name", "e-mail", "note", "call-back number"
    text: str

    @cached_property
    def forms(self) -> frozenset[str]:
        raw = self.text
        return frozenset(f.casefold() for f in (raw, html.escape(raw), quote(raw), quote_plus(raw)))

    def found_in(self, hay: str) -> bool:
        return any(form in hay for form in self.forms)
