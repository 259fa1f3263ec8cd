"""Trusted browsers (ADR 0014): after "trust this browser" the second factor is asked there
at most once every 30 days; a trusted browser's session lasts while its person is on
call, within a cap; sensitive settings still ask again. Through allauth's real flow."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from allauth.mfa import app_settings as mfa_settings
from django.test import Client
from django.urls import reverse
from django.utils.formats import date_format
from pytest_django.fixtures import Settings

from backline.accounts.models import Invitation, Membership, User
from backline.accounts.roles import Role
from backline.notify.models import Channel, ContactMethod
from backline.oncall import resolve
from backline.oncall.models import Availability, Override, Rotation, RotationKind
from tests.harness import Response
from tests.oncall.builders import peer, rotation
from tests.personas import PASSWORD, World, totp_code

HARBOR = ZoneInfo("America/Los_Angeles")
SUNDAY = date(2026, 11, 29)  # the peer's week on call starts here at 08:00 Harbor time
MONDAY_9AM = datetime(2026, 11, 30, 9, tzinfo=HARBOR)
SHIFT_ENDS = datetime(2026, 12, 6, 8, tzinfo=HARBOR)  # Sunday 08:00
TRUST = mfa_settings.TRUST_COOKIE_NAME


def password_step(client: Client, user: User, password: str = PASSWORD) -> Response:
    """The sign-in page's answer to the password: home, or the second factor."""
    return client.post(reverse("account_login"), {"login": user.email, "password": password})


def asks_for_code(client: Client, user: User) -> bool:
    client.post(reverse("account_logout"))
    answer: str = password_step(client, user)["Location"]
    return answer == reverse("mfa_authenticate")


def sign_in(
    client: Client, world: World, user: User | None = None, trust: bool | None = None
) -> Response:
    """Password, then the second factor if asked, then the trust question if asked
    (ticking the box when ``trust``). Returns the answer to the password. An
    authenticator code works once: a second sign-in with one waits for the next code."""
    user = user or world.peer
    first = password_step(client, user)
    answer = first
    if answer["Location"] == reverse("mfa_authenticate"):
        answer = client.post(
            reverse("mfa_authenticate"), {"code": totp_code(world.totp_secrets[user.pk])}
        )
    if answer["Location"] == reverse("mfa_trust"):
        page = client.get(reverse("mfa_trust"))
        assert 'name="action" value="trust"' in page.content.decode()
        answer = client.post(reverse("mfa_trust"), {"action": "trust"} if trust else {})
    assert answer["Location"] == reverse("home"), answer
    assert client.get(answer["Location"]).status_code == 200  # as a browser follows it
    return first


def signed_in(client: Client) -> bool:
    return client.get(reverse("home")).status_code == 200


def test_a_trusted_browser_skips_the_second_factor_at_the_next_sign_in(
    world: World, client: Client
) -> None:
    first = sign_in(client, world, trust=True)
    assert first["Location"] == reverse("mfa_authenticate")
    assert client.cookies[TRUST]["max-age"] == 30 * 24 * 3600
    assert client.cookies[TRUST]["httponly"]
    client.post(reverse("account_logout"))  # signing out leaves the trust, as allauth does
    assert not signed_in(client)
    again = sign_in(client, world)
    assert again["Location"] == reverse("home")
    assert signed_in(client)


def test_leaving_the_box_unticked_trusts_nothing(world: World, client: Client) -> None:
    sign_in(client, world, trust=False)
    assert TRUST not in client.cookies
    assert asks_for_code(client, world.peer)


def test_the_second_factor_is_asked_again_after_30_days(world: World) -> None:
    with time_machine.travel(MONDAY_9AM, tick=False) as traveller:
        client = Client()
        sign_in(client, world, trust=True)
        traveller.shift(timedelta(days=29, hours=23))
        client.post(reverse("account_logout"))
        assert sign_in(client, world)["Location"] == reverse("home")
        traveller.shift(timedelta(hours=1, minutes=1))
        assert asks_for_code(client, world.peer)


def test_another_browser_is_asked_for_the_second_factor(world: World, client: Client) -> None:
    sign_in(client, world, trust=True)
    assert asks_for_code(Client(), world.peer)


def test_another_person_on_a_trusted_browser_is_asked(world: World, client: Client) -> None:
    sign_in(client, world, trust=True)
    assert asks_for_code(client, world.coordinator)


def test_changing_the_password_signs_out_every_other_browser_and_forgets_their_trust(
    world: World,
) -> None:
    phone, laptop = Client(), Client()
    with time_machine.travel(MONDAY_9AM, tick=False) as traveller:
        sign_in(phone, world, trust=True)
        traveller.shift(timedelta(minutes=1))
        sign_in(laptop, world)
        new = "a brand new long passphrase"
        changed = laptop.post(
            reverse("account_change_password"),
            {"oldpassword": PASSWORD, "password1": new, "password2": new},
        )
        assert changed.status_code == 302
        assert signed_in(laptop)
        assert not signed_in(phone)
        assert password_step(phone, world.peer, new)["Location"] == reverse("mfa_authenticate")


def test_adding_a_second_factor_forgets_every_trust(world: World, client: Client) -> None:
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    sign_in(client, world, trust=True)
    RecoveryCodes.activate(world.peer)
    assert asks_for_code(client, world.peer)


def test_the_security_page_shows_the_trust_and_can_end_it(world: World, client: Client) -> None:
    with time_machine.travel(MONDAY_9AM, tick=False):
        sign_in(client, world, trust=True)
        page = client.get(reverse("security_setup")).content.decode()
        assert f"Trusted until {date_format(date(2026, 12, 30), 'DATE_FORMAT')}:" in page
        assert reverse("forget_this_browser") in page
        forgotten = client.post(reverse("forget_this_browser"), follow=True)
        assert b"no longer trusted" in forgotten.content
        assert b"Not trusted" in forgotten.content
        assert asks_for_code(client, world.peer)


def test_forgetting_is_a_post(world: World, client: Client) -> None:
    sign_in(client, world, trust=True)
    assert client.get(reverse("forget_this_browser")).status_code == 405
    assert client.cookies[TRUST].value


# Sensitive settings ask again, even right after a trusted sign-in.


def test_adding_a_contact_method_asks_to_confirm_access_then_adds_it(
    world: World, client: Client
) -> None:
    sign_in(client, world, trust=True)
    url = reverse("notify:method_add", args=[Channel.SMS])
    assert client.get(url).status_code == 200  # the form itself asks nothing
    data = {"value": "+13195550142", "label": "Mobile"}
    asked = client.post(url, data)
    assert asked["Location"].startswith(reverse("account_reauthenticate"))
    assert not ContactMethod.objects.filter(user=world.peer).exists()
    confirmed = client.post(asked["Location"], {"password": PASSWORD})
    method = ContactMethod.objects.get(user=world.peer)  # allauth replayed the form
    assert confirmed["Location"] == reverse("notify:method_verify", args=[method.pk])


def test_a_wrong_password_on_confirming_changes_nothing(world: World, client: Client) -> None:
    sign_in(client, world, trust=True)
    url = reverse("notify:method_add", args=[Channel.SMS])
    asked = client.post(url, {"value": "+13195550142", "label": "Mobile"})
    refused = client.post(asked["Location"], {"password": "not the password"})
    assert refused.status_code == 200
    assert b"incorrect" in refused.content.lower() or b"not correct" in refused.content
    assert not ContactMethod.objects.filter(user=world.peer).exists()


def test_removing_a_contact_method_asks_to_confirm_access(world: World, client: Client) -> None:
    method = ContactMethod.objects.create(
        user=world.peer, channel=Channel.EMAIL, value="pat@mail.test"
    )
    sign_in(client, world, trust=True)
    url = reverse("notify:method_remove", args=[method.pk])
    assert client.get(url).status_code == 200
    asked = client.post(url, {"confirm": "yes"})
    assert asked["Location"].startswith(reverse("account_reauthenticate"))
    assert ContactMethod.objects.filter(pk=method.pk).exists()


def test_an_invalid_contact_method_is_refused_before_anything_is_asked(
    world: World, client: Client
) -> None:
    sign_in(client, world, trust=True)
    answer = client.post(
        reverse("notify:method_add", args=[Channel.SMS]), {"value": "call me", "label": ""}
    )
    assert answer.status_code == 200  # the form's own message, no confirmation first


@pytest.mark.parametrize(
    "page", ["mfa_add_webauthn", "mfa_deactivate_totp", "mfa_generate_recovery_codes"]
)
def test_second_factor_changes_ask_to_confirm_access(
    world: World, client: Client, page: str
) -> None:
    sign_in(client, world, trust=True)
    answer = client.get(reverse(page))
    assert answer["Location"].startswith(reverse("account_reauthenticate"))


def test_giving_a_role_asks_to_confirm_access(world: World, client: Client) -> None:
    sign_in(client, world, world.coordinator, trust=True)
    url = reverse("roster:role_add", args=[world.telecommunicator.pk])
    data = {"agency": world.agency.pk, "role": Role.PEER}
    asked = client.post(url, data)
    assert asked["Location"].startswith(reverse("account_reauthenticate"))
    assert not world.telecommunicator.memberships.filter(role=Role.PEER).exists()
    client.post(asked["Location"], {"password": PASSWORD})
    assert world.telecommunicator.memberships.filter(role=Role.PEER).exists()


@pytest.mark.parametrize("change", ["invite", "deactivate"])
def test_inviting_and_turning_an_account_off_ask_to_confirm_access(
    world: World, client: Client, change: str
) -> None:
    sign_in(client, world, world.coordinator, trust=True)
    if change == "invite":
        url = reverse("roster:invitations")
        data = {
            "full_name": "Newt Invitee",
            "email": "newt@harbor.test",
            "agency": world.agency.pk,
            "roles": "telecommunicator",
        }
    else:
        url = reverse("roster:person_active", args=[world.telecommunicator.pk])
        data = {"active": "no"}
    asked = client.post(url, data)
    assert asked["Location"].startswith(reverse("account_reauthenticate"))
    assert not Invitation.objects.exists()
    assert User.objects.get(pk=world.telecommunicator.pk).is_active


def test_a_confirmation_lasts_five_minutes(world: World, client: Client) -> None:
    with time_machine.travel(MONDAY_9AM, tick=False) as traveller:
        sign_in(client, world, world.coordinator, trust=True)
        client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
        url = reverse("roster:role_add", args=[world.telecommunicator.pk])
        data = {"agency": world.agency.pk, "role": Role.PEER}
        assert client.post(url, data)["Location"] == reverse(
            "roster:person", args=[world.telecommunicator.pk]
        )
        membership = world.telecommunicator.memberships.get(role=Role.PEER)
        traveller.shift(timedelta(minutes=6))
        remove = reverse("roster:role_remove", args=[world.telecommunicator.pk, membership.pk])
        assert client.post(remove)["Location"].startswith(reverse("account_reauthenticate"))
        assert Membership.objects.filter(pk=membership.pk).exists()


# The session lasts while the person is on call.


@pytest.fixture
def on_call_week(world: World) -> Rotation:
    """The peer's week on call, Sunday 08:00 to Sunday 08:00 (Harbor time), then Sam's."""
    sam = peer(world, "sam@harbor.test", "Sam Second")
    return rotation(world.region, [world.peer, sam], starts_on=SUNDAY)


def test_an_on_call_peers_session_on_a_trusted_browser_lasts_to_the_end_of_the_shift(
    world: World, on_call_week: Rotation
) -> None:
    with time_machine.travel(MONDAY_9AM, tick=False) as traveller:
        phone = Client()
        sign_in(phone, world, trust=True)
        assert signed_in(phone)
        traveller.move_to(MONDAY_9AM + timedelta(hours=12, minutes=1))  # past the normal end
        assert signed_in(phone)
        traveller.move_to(datetime(2026, 12, 5, 3, tzinfo=HARBOR))  # Saturday, 3 a.m.
        assert signed_in(phone)
        traveller.move_to(SHIFT_ENDS + timedelta(minutes=59))  # the margin after the shift
        assert signed_in(phone)
        traveller.move_to(SHIFT_ENDS + timedelta(hours=1, minutes=1))
        assert not signed_in(phone)


@pytest.mark.parametrize(
    ("trusted", "signed_in_at"),
    [
        (False, MONDAY_9AM),  # on call, but on a shared console
        (True, datetime(2026, 12, 7, 9, tzinfo=HARBOR)),  # trusted, but the week is over
    ],
    ids=["untrusted-on-call", "trusted-off-call"],
)
def test_otherwise_a_session_ends_as_usual(
    world: World, on_call_week: Rotation, trusted: bool, signed_in_at: datetime
) -> None:
    with time_machine.travel(signed_in_at, tick=False) as traveller:
        browser = Client()
        sign_in(browser, world, trust=trusted)
        assert signed_in(browser)
        traveller.shift(timedelta(hours=11, minutes=59))
        assert signed_in(browser)
        traveller.shift(timedelta(minutes=2))  # twelve hours after signing in
        assert not signed_in(browser)


def test_no_longer_trusting_the_browser_ends_the_long_session_as_usual(
    world: World, on_call_week: Rotation
) -> None:
    with time_machine.travel(MONDAY_9AM, tick=False) as traveller:
        phone = Client()
        sign_in(phone, world, trust=True)
        traveller.shift(timedelta(minutes=5))
        phone.post(reverse("forget_this_browser"))
        traveller.shift(timedelta(minutes=20))  # past the next look at the session
        assert signed_in(phone)
        traveller.shift(timedelta(hours=12, minutes=1))
        assert not signed_in(phone)


def test_a_shift_that_starts_later_lengthens_the_session_when_it_starts(
    world: World, on_call_week: Rotation
) -> None:
    saturday_night = datetime(2026, 12, 12, 22, tzinfo=HARBOR)  # Sam's week; the peer's next
    with time_machine.travel(saturday_night, tick=False) as traveller:
        phone = Client()
        sign_in(phone, world, trust=True)
        traveller.move_to(datetime(2026, 12, 13, 8, 30, tzinfo=HARBOR))  # the shift began
        assert signed_in(phone)
        traveller.move_to(datetime(2026, 12, 13, 20, tzinfo=HARBOR))  # 22 h after signing in
        assert signed_in(phone)


def test_available_now_counts_as_on_call(world: World) -> None:
    with time_machine.travel(MONDAY_9AM, tick=False) as traveller:
        phone = Client()
        sign_in(phone, world, trust=True)
        Availability.objects.create(user=world.peer, until=MONDAY_9AM + timedelta(hours=20))
        traveller.shift(timedelta(minutes=16))  # the next look at the session
        assert signed_in(phone)
        traveller.move_to(MONDAY_9AM + timedelta(hours=20, minutes=59))
        assert signed_in(phone)
        traveller.move_to(MONDAY_9AM + timedelta(hours=21, minutes=1))
        assert not signed_in(phone)


def test_a_session_never_outlasts_its_cap_however_long_the_shift(
    world: World, settings: Settings
) -> None:
    sam = peer(world, "sam@harbor.test", "Sam Second")
    rotation(
        world.region,
        [world.peer, sam],
        kind=RotationKind.CUSTOM,
        starts_on=SUNDAY,
        shift_hours=24 * 20,
    )
    signed_in_at = MONDAY_9AM.astimezone(UTC)
    with time_machine.travel(signed_in_at, tick=False) as traveller:
        phone = Client()
        sign_in(phone, world, trust=True)
        cap = timedelta(days=settings.BACKLINE_ON_CALL_SESSION_DAYS)
        assert cap == timedelta(days=8)
        for day in range(1, 8):  # used every day, still within the cap
            traveller.move_to(signed_in_at + timedelta(days=day))
            assert signed_in(phone), day
        traveller.move_to(signed_in_at + cap - timedelta(minutes=1))
        assert signed_in(phone)
        traveller.move_to(signed_in_at + cap + timedelta(minutes=1))
        assert not signed_in(phone)
        assert sign_in(phone, world)["Location"] == reverse("home")  # trusted: no code


def test_the_cap_counts_from_signing_in_not_from_the_last_look(
    world: World, on_call_week: Rotation, settings: Settings
) -> None:
    settings.BACKLINE_ON_CALL_SESSION_DAYS = 2
    with time_machine.travel(MONDAY_9AM, tick=False) as traveller:
        phone = Client()
        sign_in(phone, world, trust=True)
        traveller.move_to(MONDAY_9AM + timedelta(days=1, hours=23))
        assert signed_in(phone)
        traveller.move_to(MONDAY_9AM + timedelta(days=2, minutes=1))
        assert not signed_in(phone)


def test_time_on_call_follows_overrides(world: World, on_call_week: Rotation) -> None:
    """Someone covering the peer's Wednesday ends their time on call there; covering
    for Sam after the week makes it last to the end of that cover."""
    sam = on_call_week.members.exclude(user=world.peer).get().user
    regions = [world.region.pk]
    wednesday = datetime(2026, 12, 2, 8, tzinfo=HARBOR)
    assert resolve.on_call_until(world.peer.pk, regions, MONDAY_9AM) == SHIFT_ENDS
    Override.objects.create(
        rotation=on_call_week,
        starts_at=wednesday,
        ends_at=wednesday + timedelta(days=1),
        covered_by=sam,
        replaces=world.peer,
    )
    assert resolve.on_call_until(world.peer.pk, regions, MONDAY_9AM) == wednesday
    Override.objects.create(
        rotation=on_call_week,
        starts_at=SHIFT_ENDS,
        ends_at=SHIFT_ENDS + timedelta(hours=12),
        covered_by=world.peer,
    )
    thursday = wednesday + timedelta(days=1, hours=1)
    assert resolve.on_call_until(world.peer.pk, regions, thursday) == SHIFT_ENDS + timedelta(
        hours=12
    )
    assert resolve.on_call_until(sam.pk, regions, MONDAY_9AM) is None
    assert resolve.on_call_until(world.peer.pk, [world.outside_region.pk], MONDAY_9AM) is None
