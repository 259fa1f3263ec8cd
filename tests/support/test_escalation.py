"""Escalation stories: a request, a moving clock, and who gets paged when."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Unpack
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from backline.accounts.roles import Role
from backline.engine.loop import seconds_until_due
from backline.lib import clock
from backline.notify.inapp.counts import unread_count
from backline.notify.models import Channel, NotificationRule, OutgoingMessage, Status
from backline.oncall.models import (
    Availability,
    QuietHours,
    RotationMember,
    Schedule,
    ScheduleWindow,
)
from backline.support import escalation, lifecycle, snapshot
from backline.support.models import (
    EscalationState,
    EventKind,
    Exclusion,
    RequestStatus,
    StepTarget,
    SupportRequest,
    TargetKind,
)
from tests import asking
from tests.asking import Asked
from tests.harness import ClientOf, Clock, Recorder, Team, reachable
from tests.personas import make_person


def reach_out(team: Team, **ask: Unpack[Asked]) -> SupportRequest:
    request, _token = asking.reach_out(
        team.world.telecommunicator,
        team.world.region,
        escalation.Ask("now", "call", **ask),
    )
    return request


def events(request: SupportRequest) -> list[str]:
    return list(request.events.values_list("kind", flat=True))


def test_the_story_of_an_unanswered_request(team: Team, recorder: Recorder, moment: Clock) -> None:
    request, _token = escalation.reach_out(
        team.world.telecommunicator, team.world.region, escalation.Ask("now", "call")
    )
    # the request is made with its escalation due at once: the engine's next tick pages
    # the first step and sends the page
    assert request.escalation.next_escalation_at == request.requested_at
    assert not OutgoingMessage.objects.filter(recipient=team.a).exists()
    moment.tick()
    recorder.expect(to="a@mail.test")  # A, on call

    moment.later(minutes=4, seconds=59)
    recorder.expect_nothing()
    moment.later(seconds=1)  # after 5 minutes the second step pages B by SMS
    recorder.expect(channel=Channel.SMS, to="+15550100002")

    moment.later(minutes=5)  # then the coordinator
    recorder.expect(to="coord@mail.test")

    moment.later(minutes=5)  # repeat once: A again
    recorder.expect(to="a@mail.test")
    moment.later(minutes=5)  # B again
    recorder.expect(to="+15550100002")
    moment.later(minutes=5)  # the coordinator again
    recorder.expect(to="coord@mail.test")
    request.refresh_from_db()
    assert request.exhausted_at is None
    moment.later(minutes=5)  # the last step passed unanswered, twice: never silence
    request.refresh_from_db()
    assert request.exhausted_at is not None
    assert EventKind.EXHAUSTED in events(request)
    assert "still unanswered" in recorder.expect(to="coord@mail.test").subject
    moment.later(minutes=1)  # and the team keeps trying
    recorder.expect(to="a@mail.test")


def test_notifications_are_lock_screen_safe(team: Team, recorder: Recorder, moment: Clock) -> None:
    reach_out(team, note="my partner left and the call tonight was a child")
    moment.tick()
    page = recorder.expect(to="a@mail.test")
    text = f"{page.subject} {page.body}"
    assert "Tess" not in text and "Caller" not in text and "child" not in text
    assert "/support/pages/" in page.link


def test_an_empty_step_is_skipped_at_once_and_logged(
    team: Team, recorder: Recorder, moment: Clock
) -> None:
    RotationMember.objects.all().delete()  # nobody in the rotation
    request = reach_out(team)
    moment.tick()
    recorder.expect(to="+15550100002")  # B, without waiting
    assert events(request)[:2] == [EventKind.SKIPPED, EventKind.PAGED]


def test_a_policy_with_nobody_alerts_the_coordinator_at_once(
    team: Team, recorder: Recorder, moment: Clock
) -> None:
    StepTarget.objects.exclude(kind=TargetKind.COORDINATOR).delete()
    StepTarget.objects.filter(kind=TargetKind.COORDINATOR).delete()
    request = reach_out(team)
    moment.tick()
    request.refresh_from_db()
    assert request.exhausted_at is not None
    recorder.expect(to="coord@mail.test")


def test_all_available_peers_at_once_first_to_accept_wins(
    team: Team, recorder: Recorder, moment: Clock
) -> None:
    step = team.policy.steps.get(order=0)
    step.targets.all().delete()
    StepTarget.objects.create(step=step, kind=TargetKind.ALL_AVAILABLE)
    Availability.objects.create(user=team.c, until=clock.now() + timedelta(hours=2))
    request = reach_out(team)
    moment.tick()
    assert {s.address for s in recorder.take()} == {"a@mail.test", "c@mail.test"}
    assert lifecycle.acknowledge(request, team.c, timedelta(minutes=5))
    assert not lifecycle.acknowledge(request, team.a, timedelta(minutes=5))
    request.refresh_from_db()
    assert request.acknowledged_by == team.c
    taken = OutgoingMessage.objects.filter(
        recipient=team.a, channel=Channel.INAPP, subject__contains="taken"
    )
    assert taken.exists()


def test_quiet_hours_keep_off_duty_peers_out_of_all_available(
    team: Team, recorder: Recorder, moment: Clock
) -> None:
    step = team.policy.steps.get(order=0)
    step.targets.all().delete()
    StepTarget.objects.create(step=step, kind=TargetKind.ALL_AVAILABLE)
    Availability.objects.create(user=team.c, until=clock.now() + timedelta(hours=2))
    local = clock.now().astimezone(ZoneInfo("America/Los_Angeles"))
    QuietHours.objects.create(
        user=team.c,
        time_zone="America/Los_Angeles",
        starts_at=(local - timedelta(hours=1)).time(),
        ends_at=(local + timedelta(hours=1)).time(),
    )
    reach_out(team)
    moment.tick()
    assert {s.address for s in recorder.take()} == {"a@mail.test"}  # A is on call: paged


def test_acknowledging_stops_escalation_and_tells_the_requester(
    team: Team, recorder: Recorder, moment: Clock
) -> None:
    request = reach_out(team)
    moment.tick()
    recorder.expect(to="a@mail.test")
    assert lifecycle.acknowledge(request, team.a, timedelta(minutes=15))
    moment.later(minutes=20)
    recorder.expect_nothing()  # B was never paged
    request.refresh_from_db()
    assert request.status == RequestStatus.ACKNOWLEDGED
    assert request.acknowledged_at is not None
    assert request.coming_by == request.acknowledged_at + timedelta(minutes=15)
    coming = OutgoingMessage.objects.get(
        recipient=team.world.telecommunicator, channel=Channel.INAPP
    )
    assert "peer is coming" in coming.subject.lower()


def test_pending_later_rules_are_cancelled_when_taken(
    team: Team, recorder: Recorder, moment: Clock
) -> None:
    method = team.a.contact_methods.get()
    NotificationRule.objects.create(user=team.a, contact_method=method, delay_minutes=0)
    NotificationRule.objects.create(user=team.a, contact_method=method, delay_minutes=3)
    request = reach_out(team)
    moment.tick()
    lifecycle.acknowledge(request, team.a, timedelta(minutes=5))
    moment.later(minutes=4)
    recorder.expect(to="a@mail.test")  # once: the rule at 3 minutes was cancelled
    assert OutgoingMessage.objects.filter(status=Status.CANCELLED).count() == 1


def test_taken_but_not_started_goes_back_into_escalation(
    team: Team, recorder: Recorder, moment: Clock
) -> None:
    request = reach_out(team)
    moment.tick()
    recorder.expect(to="a@mail.test")
    lifecycle.acknowledge(request, team.a, timedelta(minutes=5))
    moment.later(minutes=29)
    request.refresh_from_db()
    assert request.status == RequestStatus.ACKNOWLEDGED
    moment.later(minutes=1)
    request.refresh_from_db()
    assert request.status == RequestStatus.OPEN
    assert request.acknowledged_by is None
    assert EventKind.REOPENED in events(request)
    recorder.expect(to="a@mail.test")  # paged again from the first step


def test_started_and_closed_requests_forget_their_note(
    team: Team, recorder: Recorder, moment: Clock
) -> None:
    request = reach_out(team, note="rough night")
    lifecycle.acknowledge(request, team.a, timedelta(minutes=5))
    assert lifecycle.start(request, team.a)
    moment.later(hours=2)
    request.refresh_from_db()
    assert request.status == RequestStatus.STARTED  # started: no more escalation
    assert lifecycle.close(request, team.a)
    request.refresh_from_db()
    assert request.status == RequestStatus.CLOSED
    assert request.note == "" and request.sealed_routing == ""
    assert not lifecycle.close(request, team.a)  # closing twice changes nothing
    with pytest.raises(lifecycle.NotAllowed):
        lifecycle.start(request, team.b)


def test_the_requester_cancels(team: Team, recorder: Recorder, moment: Clock) -> None:
    request = reach_out(team)
    moment.tick()
    recorder.expect(to="a@mail.test")
    assert lifecycle.cancel(request)
    moment.later(minutes=30)
    recorder.expect_nothing()
    assert not lifecycle.acknowledge(request, team.a, timedelta(minutes=5))
    assert not lifecycle.cancel(request)


def test_exclusions_are_never_paged_and_cannot_take(
    team: Team, recorder: Recorder, moment: Clock
) -> None:
    Exclusion.objects.create(owner=team.world.telecommunicator, excluded=team.a)
    request = reach_out(team)
    moment.tick()
    recorder.expect_nothing()  # the rotation's step waits its 5 minutes, paging nobody
    moment.later(minutes=5)
    recorder.expect_nothing(to="a@mail.test")
    recorder.expect(to="+15550100002")  # then B, on time
    with pytest.raises(lifecycle.NotAllowed):
        lifecycle.acknowledge(request, team.a, timedelta(minutes=5))


def test_a_peer_from_outside_my_agency(team: Team, recorder: Recorder, moment: Clock) -> None:
    step = team.policy.steps.get(order=0)
    step.targets.all().delete()
    StepTarget.objects.create(step=step, kind=TargetKind.ALL_AVAILABLE)
    for peer in (team.b, team.c):
        Availability.objects.create(user=peer, until=clock.now() + timedelta(hours=2))
    reach_out(team, outside_agency=True)
    moment.tick()
    recorder.expect(to="c@mail.test")  # A and B share my agency


def test_the_policy_is_snapshotted_when_the_request_starts(
    team: Team, recorder: Recorder, moment: Clock
) -> None:
    request = reach_out(team)
    team.policy.steps.get(order=1).targets.all().delete()  # edited during the request
    moment.tick()
    recorder.expect(to="a@mail.test")
    moment.later(minutes=5)
    recorder.expect(to="+15550100002")  # B, as the snapshot said
    assert request.plan.steps[1].targets == (snapshot.Target(TargetKind.USER, team.b.pk),)


def test_one_open_request_per_person(team: Team, recorder: Recorder, moment: Clock) -> None:
    reach_out(team)
    with pytest.raises(escalation.AlreadyOpen):
        reach_out(team)
    assert SupportRequest.objects.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        SupportRequest.objects.create(
            region=team.world.region,
            requester=team.world.telecommunicator,
            urgency="now",
            policy_snapshot=snapshot.of(None).to_json(),
        )


def test_an_anonymous_request_stores_no_identity(
    team: Team, recorder: Recorder, moment: Clock
) -> None:
    request, token = asking.reach_out(
        team.world.telecommunicator,
        team.world.region,
        escalation.Ask(
            urgency="hours",
            contact="call",
            anonymous=True,
            callback_number="+15550100999",
            note="just need to talk",
        ),
    )
    assert token and request.requester is None and request.anonymous
    with connection.cursor() as cursor:
        cursor.execute("SELECT note, callback_number FROM support_supportrequest")
        raw_note, raw_number = cursor.fetchone()
    assert "talk" not in raw_note and "0999" not in raw_number  # sealed at rest
    request.refresh_from_db()
    assert request.callback_number == "+15550100999"
    lifecycle.acknowledge(request, team.a, timedelta(minutes=5))
    lifecycle.close(request, team.a)
    request.refresh_from_db()
    assert request.callback_number == "" and request.note == ""


def test_a_transport_that_fails_falls_back_to_the_next_method(
    team: Team, recorder: Recorder, moment: Clock
) -> None:
    reachable(team.a, Channel.SMS, "+15550100001")
    recorder.fail(Channel.EMAIL)
    reach_out(team)
    moment.tick()
    for _ in range(4):
        moment.later(minutes=1)
    recorder.expect(to="+15550100001")  # e-mail failed three times, then SMS


def test_a_schedule_step_pages_whoever_its_window_puts_on_call(
    team: Team, recorder: Recorder, moment: Clock
) -> None:
    schedule = Schedule.objects.create(
        region=team.world.region, name="Evenings", time_zone="America/Los_Angeles"
    )
    ScheduleWindow.objects.create(
        schedule=schedule,
        rotation=team.rotation,
        weekdays=list(range(7)),
        starts_at=time(0),
        ends_at=time(23, 59),
    )
    step = team.policy.steps.get(order=0)
    step.targets.all().delete()
    StepTarget.objects.create(step=step, kind=TargetKind.SCHEDULE, schedule=schedule)
    reach_out(team)
    moment.tick()
    recorder.expect(to="a@mail.test")


def test_the_engine_knows_how_long_it_may_sleep(
    team: Team, recorder: Recorder, moment: Clock
) -> None:
    assert seconds_until_due() is None  # nothing waits
    request = reach_out(team)
    assert seconds_until_due() == 0  # the first e-mail is due now
    moment.tick()
    recorder.expect(to="a@mail.test")
    assert seconds_until_due() == 5 * 60  # the second step
    NotificationRule.objects.create(
        user=team.b,
        contact_method=team.b.contact_methods.get(),
        delay_minutes=7,
    )
    moment.later(minutes=5)  # B is paged; B's rule sends the SMS 7 minutes later
    assert seconds_until_due() == 5 * 60  # the third step comes first
    moment.later(minutes=5)
    recorder.expect(to="coord@mail.test")
    assert seconds_until_due() == 2 * 60  # now B's SMS does
    lifecycle.acknowledge(request, team.a, timedelta(minutes=10))
    # the SMS was cancelled; the acknowledgement's start timeout is what waits
    assert seconds_until_due() == request.plan.start_timeout.total_seconds()


def test_a_request_that_fails_to_escalate_does_not_hold_up_the_others(
    team: Team, recorder: Recorder, moment: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    broken = reach_out(team)
    other = make_person("tom@harbor.test", "Tom Other", team.world.agency, Role.TELECOMMUNICATOR)
    fine, _token = asking.reach_out(other, team.world.region, escalation.Ask("now", "call"))
    damaged = broken.policy_snapshot
    damaged["steps"][1]["targets"] = [{"kind": "no-such-kind", "id": None}]  # bad data
    SupportRequest.objects.filter(pk=broken.pk).update(policy_snapshot=damaged)
    moment.tick()
    assert len(recorder.take(to="a@mail.test")) == 2  # A, for each

    moment.later(minutes=5)  # step 2 of both is due
    assert fine.pages.filter(step_index=1, peer=team.b).exists()  # the other went out
    recorder.expect(to="+15550100002")
    assert not broken.pages.filter(step_index=1).exists()
    assert "escalation failed" in caplog.text
    state = EscalationState.objects.get(request=broken)
    assert (state.step_index, state.next_escalation_at) == (1, clock.now() + timedelta(minutes=1))


def test_notifications_resolve_themselves_when_the_request_is_taken_and_ends(
    team: Team, recorder: Recorder, moment: Clock, client_of: ClientOf
) -> None:
    request = reach_out(team)
    moment.later(minutes=5)  # A, then B, are paged
    assert {s.address for s in recorder.take()} == {"a@mail.test", "+15550100002"}
    assert unread_count(team.a.pk) == 1 and unread_count(team.b.pk) == 1
    lifecycle.acknowledge(request, team.b, timedelta(minutes=5))
    assert unread_count(team.a.pk) == 1  # only "another peer took it", the page is resolved
    page = OutgoingMessage.objects.get(
        recipient=team.a, channel="inapp", group_key=request.group_key
    )
    assert page.resolution == "Taken by a peer. No action is needed."
    mine = OutgoingMessage.objects.get(
        recipient=team.b, channel="inapp", group_key=request.group_key
    )
    assert mine.resolution == "You took this request."
    inbox = client_of(team.a).get(reverse("notify:inbox")).content.decode()
    assert "Taken by a peer. No action is needed." in inbox

    requester = team.world.telecommunicator
    assert unread_count(requester.pk) == 1  # a peer is coming
    lifecycle.close(request, team.b)
    assert unread_count(requester.pk) == 0  # no longer news: it has ended
    coming = OutgoingMessage.objects.get(recipient=requester, channel="inapp")
    assert coming.resolution == "This request has ended."


def test_a_peer_is_coming_is_withdrawn_when_contact_does_not_start(
    team: Team, recorder: Recorder, moment: Clock
) -> None:
    request = reach_out(team)
    lifecycle.acknowledge(request, team.a, timedelta(minutes=5))
    moment.later(minutes=31)  # not started in time: back into escalation
    recorder.expect(to="a@mail.test")  # paged again, from the first step
    coming = OutgoingMessage.objects.get(recipient=team.world.telecommunicator, channel="inapp")
    assert coming.resolved_at is not None and "looking for a peer again" in coming.resolution
