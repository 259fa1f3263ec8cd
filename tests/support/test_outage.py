"""A page outlives an outage: tried for as long as its request is open, and no longer."""

from __future__ import annotations

from datetime import timedelta

from backline.notify.models import Channel, OutgoingMessage, Status
from backline.support import lifecycle
from tests.harness import Clock, Recorder, Team
from tests.support.test_escalation import reach_out


def test_a_page_is_tried_through_a_long_outage_and_goes_out_when_mail_is_back(
    team: Team, recorder: Recorder, moment: Clock
) -> None:
    recorder.fail(Channel.EMAIL)
    reach_out(team)
    for _ in range(4 * 60 // 20):  # the mail server is down for four minutes
        moment.later(seconds=20)
    page = OutgoingMessage.objects.get(recipient=team.a, channel=Channel.EMAIL)
    assert page.status == Status.PENDING and page.attempts >= 5
    recorder.restore(Channel.EMAIL)
    moment.later(minutes=2)  # at most one capped back-off later
    page.refresh_from_db()
    assert page.status == Status.SENT
    recorder.expect(to="a@mail.test")  # once
    recorder.expect(to="+15550100002")  # step 2 went on meanwhile


def test_once_the_request_is_taken_its_pages_are_no_longer_tried(
    team: Team, recorder: Recorder, moment: Clock
) -> None:
    recorder.fail(Channel.EMAIL)
    request = reach_out(team)
    moment.later(seconds=30)
    assert lifecycle.acknowledge(request, team.a, timedelta(minutes=15))
    recorder.restore(Channel.EMAIL)
    moment.later(minutes=5)
    page = OutgoingMessage.objects.get(recipient=team.a, channel=Channel.EMAIL)
    assert page.status == Status.CANCELLED
    recorder.expect_nothing(to="a@mail.test")
