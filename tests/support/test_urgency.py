"""Urgency sets the pace: "now" pages at any hour; a request that can wait pages nobody
asleep, tells coordinators after their night, and escalates on the policy's slower clock.

The team's agencies are in Los Angeles; 10:00 UTC is 2 a.m. there (5 a.m. in New York).
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from backline.accounts.models import Agency, User
from backline.accounts.roles import Role
from backline.engine.loop import TickResult, seconds_until_due
from backline.lib import clock
from backline.notify.inapp.counts import unread_count
from backline.notify.models import Channel, OutgoingMessage, Status
from backline.oncall import waking
from backline.oncall.models import QuietHours
from backline.support import escalation, lifecycle, snapshot
from backline.support import messages as texts
from backline.support.models import (
    EscalationPolicy,
    EscalationState,
    EscalationStep,
    Exclusion,
    Page,
    RequestStatus,
    StepTarget,
    SupportRequest,
    TargetKind,
    Urgency,
)
from tests import asking
from tests.harness import ClientOf, Clock, Recorder, Team, reachable
from tests.personas import make_person

TWO_AM = datetime(2026, 3, 3, 10, 0, tzinfo=UTC)  # Tuesday, 2:00 in Los Angeles
SEVEN_AM = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)  # 7:00 in Los Angeles


def at(moment: Clock, when: datetime) -> TickResult:
    moment.traveller.move_to(when)
    return moment.tick()


def run_until(moment: Clock, when: datetime) -> None:
    """The engine ticking through the night, every five minutes, up to ``when``."""
    while clock.now() < when:
        moment.later(minutes=5)


def reach_out(team: Team, urgency: str) -> SupportRequest:
    request, _token = asking.reach_out(
        team.world.telecommunicator,
        team.world.region,
        escalation.Ask(urgency=urgency, contact="call"),
    )
    return request


def state_of(request: SupportRequest) -> EscalationState:
    return EscalationState.objects.get(request=request)


def policy_of(
    team: Team, *steps: list[tuple[TargetKind, dict[str, Any]]], repeat: int = 0
) -> EscalationPolicy:
    """The team's policy from now on: each step pages its targets, then waits 5 minutes."""
    EscalationPolicy.objects.filter(pk=team.policy.pk).update(is_default=False)
    policy = EscalationPolicy.objects.create(
        region=team.world.region, name="Other", repeat=repeat, is_default=True
    )
    for order, targets in enumerate(steps):
        step = EscalationStep.objects.create(policy=policy, order=order, delay_minutes=5)
        for kind, target in targets:
            StepTarget.objects.create(step=step, kind=kind, **target)
    return policy


@pytest.fixture
def new_yorker(team: Team) -> User:
    agency = Agency.objects.create(
        region=team.world.region, name="Empire 911", state="NY", time_zone="America/New_York"
    )
    peer = make_person("ny@empire.test", "Nia York", agency, Role.TELECOMMUNICATOR, Role.PEER)
    reachable(peer, Channel.EMAIL, "ny@mail.test")
    return peer


def test_now_at_two_in_the_morning_pages_the_on_call_peer_at_once(
    team: Team, recorder: Recorder, moment: Clock, client_of: ClientOf
) -> None:
    QuietHours.objects.create(
        user=team.a, starts_at=time(22), ends_at=time(8), time_zone="America/Los_Angeles"
    )
    moment.traveller.move_to(TWO_AM)
    request = reach_out(team, Urgency.NOW)
    moment.tick()
    page = recorder.expect(to="a@mail.test")  # on call: woken, quiet hours and night or not
    assert page.subject == "Backline: support request — now"
    status = client_of(team.world.telecommunicator).get(
        reverse("support:request", args=[request.public_id])
    )
    text = status.content.decode()
    assert "peers are being paged now (you asked just now)" in text
    assert "0 minutes" not in text
    # right after where it stands, 988 and the EAP line lead the page of a request for now
    crisis = text.index("If you need someone right now")
    assert text.index("Looking for a peer") < crisis < text.index("Change how to reach me")
    assert 'href="sms:988"' in text


def test_this_week_at_two_in_the_morning_pages_nobody_until_morning(
    team: Team, recorder: Recorder, moment: Clock, client_of: ClientOf
) -> None:
    moment.traveller.move_to(TWO_AM)
    request = reach_out(team, Urgency.WEEK)
    moment.tick()
    recorder.expect_nothing()
    assert not Page.objects.exists()
    assert unread_count(team.a.pk) == 0 and unread_count(team.world.coordinator.pk) == 0
    state = state_of(request)
    assert state.waiting_for_waking and state.next_escalation_at == SEVEN_AM
    assert seconds_until_due() == 5 * 3600  # the engine sleeps until then, it does not poll
    status = client_of(team.world.telecommunicator).get(
        reverse("support:request", args=[request.public_id])
    )
    text = status.content.decode()
    assert "peers are paged during their waking hours, from about 07:00" in text
    assert "If it can't wait, call or text 988." in text
    assert 'href="tel:988"' in text and 'href="sms:988"' in text
    assert "If you need someone right now" not in text  # one calm line, not the card

    at(moment, datetime(2026, 3, 3, 14, 59, tzinfo=UTC))
    recorder.expect_nothing()
    at(moment, SEVEN_AM)
    page = recorder.expect(to="a@mail.test")
    assert page.subject == "Backline: support request — this week"
    assert not state_of(request).waiting_for_waking
    # then the slower clock: 12 times the step's 5 minutes before B
    at(moment, datetime(2026, 3, 3, 15, 59, tzinfo=UTC))
    recorder.expect_nothing(to="+15550100002")
    at(moment, datetime(2026, 3, 3, 16, 0, tzinfo=UTC))
    page = recorder.expect(to="+15550100002")
    assert page.subject == "Backline: support request — this week"


def test_waiting_for_the_morning_tells_nobody_whom_the_requester_excluded(
    team: Team, recorder: Recorder, moment: Clock
) -> None:
    """A on call is excluded: the step waits for A's morning and then its delay, exactly
    as if A had been paged, so B is paged at the same moment as without the exclusion."""
    Exclusion.objects.create(owner=team.world.telecommunicator, excluded=team.a)
    moment.traveller.move_to(TWO_AM)
    request = reach_out(team, Urgency.WEEK)
    moment.tick()
    assert state_of(request).next_escalation_at == SEVEN_AM
    at(moment, SEVEN_AM)
    recorder.expect_nothing()
    assert state_of(request).next_escalation_at == datetime(2026, 3, 3, 16, 0, tzinfo=UTC)
    at(moment, datetime(2026, 3, 3, 16, 0, tzinfo=UTC))
    recorder.expect(to="+15550100002")
    assert not Page.objects.filter(peer=team.a).exists()


def test_peers_in_two_time_zones_wait_for_the_first_to_wake(
    team: Team, recorder: Recorder, moment: Clock, new_yorker: User
) -> None:
    policy_of(team, [(TargetKind.USER, {"user": team.a}), (TargetKind.USER, {"user": new_yorker})])
    moment.traveller.move_to(TWO_AM)
    request = reach_out(team, Urgency.HOURS)
    moment.tick()
    recorder.expect_nothing()
    # 7:00 in New York is 4:00 in Los Angeles
    assert state_of(request).next_escalation_at == datetime(2026, 3, 3, 12, 0, tzinfo=UTC)
    at(moment, datetime(2026, 3, 3, 12, 0, tzinfo=UTC))
    page = recorder.expect(to="ny@mail.test")  # A still sleeps
    assert page.subject == "Backline: support request — within a few hours"


def test_the_morning_follows_daylight_saving_time(
    team: Team, recorder: Recorder, moment: Clock, new_yorker: User
) -> None:
    """Clocks go forward at 2:00 on Sunday 8 March 2026: 7:00 is an hour earlier in UTC."""
    moment.traveller.move_to(datetime(2026, 3, 8, 9, 30, tzinfo=UTC))  # 1:30 PST
    request = reach_out(team, Urgency.WEEK)
    moment.tick()
    assert state_of(request).next_escalation_at == datetime(2026, 3, 8, 14, 0, tzinfo=UTC)
    at(moment, datetime(2026, 3, 8, 14, 0, tzinfo=UTC))  # 7:00 PDT
    recorder.expect(to="a@mail.test")

    rest = waking.rests([new_yorker.pk])[new_yorker.pk]
    night = datetime(2026, 3, 8, 6, 30, tzinfo=UTC)  # 1:30 EST, before the change
    assert rest.wakes_at(night) == datetime(2026, 3, 8, 11, 0, tzinfo=UTC)  # 7:00 EDT
    autumn = datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 1:30 EDT, clocks go back at 2:00
    assert rest.wakes_at(autumn) == datetime(2026, 11, 1, 12, 0, tzinfo=UTC)  # 7:00 EST
    assert rest.wakes_at(datetime(2026, 11, 1, 12, 0, tzinfo=UTC)) == datetime(
        2026, 11, 1, 12, 0, tzinfo=UTC
    )  # awake already


def test_quiet_hours_hold_back_a_request_that_can_wait_even_on_call(
    team: Team, recorder: Recorder, moment: Clock
) -> None:
    """A is on call, with quiet hours from 7:00 to 9:00: it is 7:00 in Los Angeles."""
    QuietHours.objects.create(
        user=team.a, starts_at=time(7), ends_at=time(9), time_zone="America/Los_Angeles"
    )
    request = reach_out(team, Urgency.HOURS)
    moment.tick()
    recorder.expect_nothing()
    assert state_of(request).next_escalation_at == datetime(2026, 3, 2, 17, 0, tzinfo=UTC)
    moment.later(hours=2)
    recorder.expect(to="a@mail.test")


def test_within_a_few_hours_escalates_on_the_slower_clock(
    team: Team, recorder: Recorder, moment: Clock
) -> None:
    """By day: A at once, then B after 3 times 5 minutes (the policy's clock, snapshotted)."""
    request = reach_out(team, Urgency.HOURS)
    assert request.plan.delay_factors == snapshot.DelayFactors(now=1, hours=3, week=12)
    EscalationPolicy.objects.filter(pk=team.policy.pk).update(hours_delay_factor=1)
    moment.tick()
    recorder.expect(to="a@mail.test")
    moment.later(minutes=14, seconds=59)
    recorder.expect_nothing()
    moment.later(seconds=1)
    page = recorder.expect(to="+15550100002")
    assert page.subject == "Backline: support request — within a few hours"


def test_a_request_started_before_the_slower_clock_keeps_the_steps_waits(team: Team) -> None:
    stored = snapshot.of(team.policy).to_json()
    plan = snapshot.parse(stored)
    assert plan.delay(plan.steps[0], Urgency.WEEK) == timedelta(minutes=60)
    del stored["delay_factors"], stored["version"]  # as it was stored before the slower clock
    plan = snapshot.parse(stored)
    assert plan.delay(plan.steps[0], Urgency.WEEK) == timedelta(minutes=5)


@pytest.mark.parametrize("urgency", [Urgency.HOURS, Urgency.WEEK])
def test_the_coordinator_is_not_alerted_at_night_for_a_request_that_can_wait(
    team: Team, recorder: Recorder, moment: Clock, urgency: Urgency
) -> None:
    coordinator = team.world.coordinator
    policy_of(team, [(TargetKind.COORDINATOR, {})])
    moment.traveller.move_to(TWO_AM)
    reach_out(team, urgency)
    moment.tick()
    run_until(moment, datetime(2026, 3, 3, 14, 55, tzinfo=UTC))  # pass after pass, unanswered
    recorder.expect_nothing(to="coord@mail.test")
    assert unread_count(coordinator.pk) == 0  # not even in the inbox before the morning
    waiting = OutgoingMessage.objects.filter(recipient=coordinator, channel=Channel.EMAIL)
    assert {m.next_attempt_at for m in waiting} == {SEVEN_AM}
    moment.later(minutes=5)
    soon = texts.HOW_SOON[urgency]
    assert sorted(s.subject for s in recorder.take(to="coord@mail.test")) == [
        f"Backline: a request is still unanswered — {soon}",
        f"Backline: a request needs your team — {soon}",
    ]
    assert unread_count(coordinator.pk) == 2


def test_the_coordinator_is_alerted_at_once_for_now(
    team: Team, recorder: Recorder, moment: Clock
) -> None:
    policy_of(team, [(TargetKind.COORDINATOR, {})])
    moment.traveller.move_to(TWO_AM)
    reach_out(team, Urgency.NOW)
    moment.tick()
    alert = recorder.expect(to="coord@mail.test")
    assert alert.subject == "Backline: a request needs your team — now"


def test_an_alert_held_for_the_morning_never_shows_once_the_request_is_taken(
    team: Team, recorder: Recorder, moment: Clock, new_yorker: User
) -> None:
    """The New York peer is paged at 7:00 there; the coordinator's alert waits for 7:00 in
    Los Angeles; the New York peer takes the request first."""
    coordinator = team.world.coordinator
    policy_of(team, [(TargetKind.USER, {"user": new_yorker})], [(TargetKind.COORDINATOR, {})])
    moment.traveller.move_to(TWO_AM)
    request = reach_out(team, Urgency.HOURS)
    at(moment, datetime(2026, 3, 3, 12, 0, tzinfo=UTC))
    recorder.expect(to="ny@mail.test")
    moment.later(minutes=15)  # the coordinator step: held until 15:00 UTC
    moment.later(minutes=15)  # the pass is over: "still unanswered", held too
    recorder.expect(to="ny@mail.test")  # and the team keeps trying
    held = OutgoingMessage.objects.filter(
        recipient=coordinator, channel=Channel.EMAIL, status=Status.PENDING
    )
    assert {m.subject for m in held} == {
        "Backline: a request needs your team — within a few hours",
        "Backline: a request is still unanswered — within a few hours",
    }
    moment.to(SEVEN_AM - timedelta(minutes=1))
    request.refresh_from_db()
    assert lifecycle.acknowledge(request, new_yorker, timedelta(minutes=60))
    at(moment, SEVEN_AM)
    request.refresh_from_db()
    assert request.status == RequestStatus.ACKNOWLEDGED  # still taken at 7:00
    recorder.expect_nothing()
    assert unread_count(coordinator.pk) == 0


@pytest.mark.parametrize(
    ("urgency", "soon"),
    [(Urgency.NOW, "now"), (Urgency.HOURS, "within a few hours"), (Urgency.WEEK, "this week")],
)
def test_every_page_and_alert_says_how_soon(urgency: Urgency, soon: str) -> None:
    for message in (
        texts.page("abc", urgency),
        texts.organize("abc", urgency),
        texts.unanswered("ref", urgency),
    ):
        assert message.subject.endswith(f"— {soon}")
        assert f"({soon})" in message.body


def test_a_policy_with_a_bad_clock_gets_a_clear_message_and_changes_nothing(
    team: Team, client_of: ClientOf
) -> None:
    coordinator = client_of(team.world.coordinator)
    url = reverse("policies:detail", args=[team.policy.pk])
    base = {"name": "Standard", "repeat": "1", "start_timeout_minutes": "30"}
    for pace, message in (
        ({"hours_delay_factor": "6", "week_delay_factor": "2"}, "give it at least 6"),
        ({"hours_delay_factor": "0", "week_delay_factor": "12"}, "greater than or equal to 1"),
        ({"hours_delay_factor": "3", "week_delay_factor": "25"}, "less than or equal to 24"),
        ({"hours_delay_factor": "soon", "week_delay_factor": "12"}, "Enter a whole number"),
    ):
        response = coordinator.post(url, base | pace)
        assert response.status_code == 200
        assert message in response.content.decode()
        team.policy.refresh_from_db()
        assert (team.policy.hours_delay_factor, team.policy.week_delay_factor) == (3, 12)
    saved = coordinator.post(url, base | {"hours_delay_factor": "2", "week_delay_factor": "4"})
    assert saved.status_code == 302
    team.policy.refresh_from_db()
    assert (team.policy.hours_delay_factor, team.policy.week_delay_factor) == (2, 4)
    EscalationStep.objects.create(policy=team.policy, order=3, delay_minutes=10)
    page = coordinator.get(url).content.decode()
    assert "Slower clock for “within a few hours”" in page
    assert "20 minutes within a few hours, 40 minutes this week" in page  # 2 and 4 times 10


@pytest.mark.parametrize(
    "pace", [{"hours_delay_factor": 0}, {"week_delay_factor": 25}, {"week_delay_factor": 2}]
)
def test_the_database_keeps_the_clock_sensible(team: Team, pace: dict[str, int]) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        EscalationPolicy.objects.filter(pk=team.policy.pk).update(**pace)
