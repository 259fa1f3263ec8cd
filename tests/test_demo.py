"""The demo region that `make run` loads."""

import pytest
from django.core.management import call_command

from backline.accounts.models import Agency, Membership, User
from backline.accounts.roles import Role
from backline.care import load
from backline.demo import data
from backline.lib import clock
from backline.notify.models import ContactMethod
from backline.oncall import breaks, people, resolve
from backline.records.models import ContactRecord, ContactType
from backline.support.models import EscalationPolicy, SupportRequest
from backline.wellness import reminders
from backline.wellness.models import Reminder, SelfCheck, by_instrument, of


def test_load_demo_creates_a_realistic_region_once(
    db: None, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("load_demo")
    call_command("load_demo")
    output = capsys.readouterr().out
    assert "already there; nothing changed" in output
    assert "telecom@example.org" in output and data.PASSWORD in output

    assert Agency.objects.count() == 3
    assert len({a.time_zone for a in Agency.objects.all()}) >= 1

    def count(role: Role) -> int:
        return Membership.objects.filter(role=role).count()

    assert count(Role.TELECOMMUNICATOR) >= 40
    assert count(Role.PEER) == 8
    assert count(Role.COORDINATOR) == 1
    assert count(Role.CLINICIAN) == 1
    assert count(Role.ADMINISTRATOR) == 1
    assert not User.objects.filter(is_demo=False).exists()
    for login in data.LOGINS:
        user = User.objects.get(email=login.email)
        assert user.check_password(data.PASSWORD)
        assert user.roles == {str(r) for r in login.roles}
        assert user.language == login.language
    assert User.objects.get(email="telecom.es@example.org").language == "es"  # reads Spanish


def test_the_demo_peer_is_on_call_and_reachable(db: None) -> None:
    region, _ = data.load()
    demo_peer = User.objects.get(email="peer@example.org")
    assert demo_peer.pk in resolve.on_call_now(region.pk, clock.now())
    assert len(resolve.available_now(region.pk, clock.now())) == 3
    assert EscalationPolicy.objects.get(region=region, is_default=True).steps.count() == 3
    peers = User.objects.filter(memberships__role=Role.PEER)
    assert all(ContactMethod.objects.usable().filter(user=p).exists() for p in peers)


def test_the_demo_has_a_few_weeks_of_records(db: None) -> None:
    region, _ = data.load()
    records = ContactRecord.objects.filter(region=region)
    days = {r.date for r in records}
    assert records.count() >= 30 and (max(days) - min(days)).days >= 21
    assert {r.contact_type for r in records} == set(ContactType.values)
    demo_peer = User.objects.get(email="peer@example.org")
    today = clock.now().astimezone(demo_peer.time_zone).date()
    mine = list(ContactRecord.objects.filed_by(demo_peer))
    assert any(r.is_final(today) for r in mine) and any(not r.is_final(today) for r in mine)


def test_the_demo_team_has_a_peer_on_a_break_and_some_load(db: None) -> None:
    region, _ = data.load()
    now = clock.now()
    peers = list(people.peers([region.pk]))
    resting = breaks.unavailable([p.pk for p in peers], now)
    assert len(resting) == 1
    assert resting.isdisjoint(resolve.available_now(region.pk, now))
    demo_peer = User.objects.get(email="peer@example.org")
    assert demo_peer.pk not in resting
    _month, quarter = load.own_load(demo_peer, now)
    assert quarter.contacts > 0
    _shown, rows = load.balance(region.pk, now, demo_peer.time_zone)
    assert sum(contacts for row in rows for contacts, _pages in row.counts) > 0
    # the past contacts name no colleague
    assert not SupportRequest.objects.filter(requester__isnull=False).exists()


def test_the_demo_telecommunicator_has_weeks_of_their_own_self_checks(db: None) -> None:
    data.load()
    telecommunicator = User.objects.get(email="telecom@example.org")
    found = by_instrument(of(telecommunicator))
    assert len(found["stress"]) >= 5 and len(found["phq9"]) >= 3
    assert Reminder.objects.filter(owner=telecommunicator).exists()
    demo_peer = User.objects.get(email="peer@example.org")
    [(taken_at, _result)] = by_instrument(of(demo_peer))["proqol5"]
    assert reminders.proqol_suggested(taken_at, clock.now())  # this quarter's is offered
    # nobody else has any
    assert not SelfCheck.objects.exclude(owner__in=[telecommunicator, demo_peer]).exists()
