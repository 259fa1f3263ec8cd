"""The demo region: three agencies, their telecommunicators and the peer team.

Everything here is invented. The five named logins are listed in the README and
printed by ``make run``; all demo accounts share one password and are marked
``is_demo``, which lets them skip MFA only where ``BACKLINE_DEMO`` is on.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from django.db import transaction

from backline.accounts import addresses, grants
from backline.accounts.models import Agency, Region, User
from backline.accounts.roles import Role
from backline.demo import care, checkins, directory, meetings, paging, records, wellness

PASSWORD = "backline-demo"
REGION = ("Cedar Valley Regional Peer Team", "cedar-valley")
EAP_LINE = "+1 555 010 0300"
AGENCIES = [
    ("Cedar County 911", "IA", "America/Chicago"),
    ("Linnwood Emergency Communications", "IA", "America/Chicago"),
    ("Marion Falls Dispatch", "IA", "America/Chicago"),
]


@dataclass(frozen=True)
class Login:
    email: str
    full_name: str
    roles: tuple[Role, ...]
    agency: int  # index into AGENCIES
    language: str = ""  # chosen; empty: the agency's (English)


LOGINS = [
    Login("telecom@example.org", "Jordan Ellis", (Role.TELECOMMUNICATOR,), 0),
    Login("telecom.es@example.org", "Lucía Herrera", (Role.TELECOMMUNICATOR,), 0, "es"),
    Login("peer@example.org", "Sam Okafor", (Role.TELECOMMUNICATOR, Role.PEER), 0),
    Login(
        "coordinator@example.org", "Casey Lindqvist", (Role.TELECOMMUNICATOR, Role.COORDINATOR), 1
    ),
    Login("clinician@example.org", "Dr. Riley Chen", (Role.CLINICIAN,), 1),
    Login("admin@example.org", "Morgan Reyes", (Role.ADMINISTRATOR,), 0),
]
OTHER_PEERS = 7
OTHER_TELECOMMUNICATORS = 33

FIRST = [
    "Alex",
    "Bailey",
    "Cameron",
    "Dakota",
    "Emerson",
    "Finley",
    "Harper",
    "Jamie",
    "Kendall",
    "Logan",
    "Marisol",
    "Noah",
    "Olivia",
    "Parker",
    "Quinn",
    "Reese",
    "Sofia",
    "Taylor",
    "Uma",
    "Victor",
    "Wren",
    "Xavier",
    "Yara",
    "Zane",
]
LAST = [
    "Anderson",
    "Brooks",
    "Castillo",
    "Dubois",
    "Erikson",
    "Fischer",
    "Garcia",
    "Haddad",
    "Iverson",
    "Jensen",
    "Kowalski",
    "Larsen",
    "Martinez",
    "Nguyen",
    "Olsen",
    "Patel",
    "Quintero",
    "Rasmussen",
    "Schmidt",
    "Thompson",
    "Underwood",
    "Vasquez",
    "Whitaker",
    "Young",
]


def _names() -> itertools.cycle[tuple[str, str]]:
    pairs = [(f, LAST[(i * 7 + 3) % len(LAST)]) for i, f in enumerate(FIRST)]
    pairs += [(f, LAST[(i * 5 + 11) % len(LAST)]) for i, f in enumerate(FIRST)]
    return itertools.cycle(pairs)


def load() -> tuple[Region, bool]:
    """Create the demo region; a second call changes nothing and returns created=False."""
    existing = Region.objects.filter(slug=REGION[1]).first()
    if existing:
        return existing, False
    with transaction.atomic():
        region = Region.objects.create(name=REGION[0], slug=REGION[1])
        agencies = [
            Agency.objects.create(
                region=region, name=name, state=state, time_zone=tz, eap_line=EAP_LINE
            )
            for name, state, tz in AGENCIES
        ]
        password_hash = _hash(PASSWORD)
        people = [
            (agencies[login.agency], login.email, login.full_name, login.roles) for login in LOGINS
        ]
        names = _names()
        for number in range(OTHER_PEERS + OTHER_TELECOMMUNICATORS):
            first, last = next(names)
            roles: tuple[Role, ...] = (
                (Role.TELECOMMUNICATOR, Role.PEER)
                if number < OTHER_PEERS
                else (Role.TELECOMMUNICATOR,)
            )
            email = f"{first}.{last}.{number}@example.org".lower()
            people.append((agencies[number % len(agencies)], email, f"{first} {last}", roles))
        # Backline gives the coordinator their roles; the coordinator gives everyone else
        # theirs, and the roster-changes page lists each grant.
        coordinating, *others = sorted(people, key=lambda p: Role.COORDINATOR not in p[3])
        coordinator = _person(*coordinating, password_hash, by=None)
        for other in others:
            _person(*other, password_hash, by=coordinator)
        for login in LOGINS:
            if login.language:
                User.objects.filter(email=login.email).update(language=login.language)
        care.load(region, paging.load(region))
        records.load(region)
        checkins.load(region)
        meetings.load(region)
        wellness.load()
        directory.load(region)
    return region, True


def _hash(password: str) -> str:
    user = User()
    user.set_password(password)
    return user.password


def _person(
    agency: Agency,
    email: str,
    full_name: str,
    roles: tuple[Role, ...],
    password_hash: str,
    *,
    by: User | None,
) -> User:
    user = User.objects.create(
        email=email, full_name=full_name, password=password_hash, is_demo=True
    )
    for role in roles:
        grants.grant(user, agency, role, by=by)
    addresses.record_verified(user)
    return user
