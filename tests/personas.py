"""The people every test can use: a telecommunicator, a peer, a coordinator, a
clinician and an administrator of one agency, and an outsider from another region."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.test import Client
from django.urls import reverse

from backline.accounts import addresses
from backline.accounts.models import Agency, Membership, Region, User
from backline.accounts.roles import Role
from backline.lib import clock

PASSWORD = "correct horse battery staple"


@dataclass
class World:
    region: Region
    agency: Agency
    other_agency: Agency
    outside_region: Region
    outside_agency: Agency
    telecommunicator: User
    peer: User
    coordinator: User
    clinician: User
    administrator: User
    outsider: User
    totp_secrets: dict[int, str]


def make_person(
    email: str, name: str, agency: Agency, *roles: Role, password: str = PASSWORD
) -> User:
    user = User.objects.create_user(email=email, password=password, full_name=name)
    # people have held their roles for a while: a peer role reaches only requests made
    # after it was granted, and tests move the clock to dates before they run
    since = clock.now() - timedelta(days=365)
    for role in roles:
        Membership.objects.create(
            user=user, region=agency.region, agency=agency, role=role, created_at=since
        )
    addresses.record_verified(user)  # as an accepted invitation does
    return user


def enrol_totp(user: User) -> str:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def totp_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


def confirm_access(client: Client, password: str = PASSWORD) -> None:
    """The signed-in person confirms their password, as sensitive settings ask (ADR 0014);
    it holds for five minutes."""
    confirmed = client.post(reverse("account_reauthenticate"), {"password": password})
    assert confirmed.status_code == 302, confirmed.content


def build_world() -> World:
    region = Region.objects.create(name="Harbor Peer Team", slug="harbor")
    agency = Agency.objects.create(
        region=region, name="Harbor 911", state="WA", time_zone="America/Los_Angeles"
    )
    other_agency = Agency.objects.create(
        region=region, name="Bayside ECC", state="WA", time_zone="America/Los_Angeles"
    )
    outside_region = Region.objects.create(name="Prairie Peer Team", slug="prairie")
    outside_agency = Agency.objects.create(
        region=outside_region, name="Prairie 911", state="KS", time_zone="America/Chicago"
    )
    people = {
        "telecommunicator": make_person(
            "tc@harbor.test", "Tess Caller", agency, Role.TELECOMMUNICATOR
        ),
        "peer": make_person(
            "peer@harbor.test", "Pat Peer", agency, Role.TELECOMMUNICATOR, Role.PEER
        ),
        "coordinator": make_person(
            "coord@harbor.test", "Cory Coordinator", agency, Role.COORDINATOR
        ),
        "clinician": make_person("clin@harbor.test", "Dr. Cleo Clinician", agency, Role.CLINICIAN),
        "administrator": make_person("admin@harbor.test", "Ada Admin", agency, Role.ADMINISTRATOR),
        "outsider": make_person(
            "out@prairie.test",
            "Otto Outsider",
            outside_agency,
            Role.COORDINATOR,
            Role.ADMINISTRATOR,
            Role.TELECOMMUNICATOR,
        ),
    }
    secrets = {
        user.pk: enrol_totp(user) for key, user in people.items() if key != "telecommunicator"
    }
    return World(
        region=region,
        agency=agency,
        other_agency=other_agency,
        outside_region=outside_region,
        outside_agency=outside_agency,
        totp_secrets=secrets,
        **people,
    )
