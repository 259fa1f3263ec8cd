"""The engine's check-ins, as stories: the peer's reminder, the colleague's lock-screen
safe nudge, its three answers, snoozes, opt-outs, and answers that come too late."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from backline.checkins import answers, due
from backline.checkins.models import Answer, Nudge, OptOut, Plan
from backline.notify.models import Channel, OutgoingMessage
from backline.support.models import Exclusion, Page, SupportRequest
from tests.checkins.builders import plan, plan_form
from tests.harness import ClientOf, Clock, Recorder, Team, reachable

COLLEAGUE = "tess@mail.test"
B_PHONE = "+15550100002"
NUDGE = "Backline: a peer is checking in"


@pytest.fixture
def colleague(team: Team) -> Client:
    reachable(team.world.telecommunicator, Channel.EMAIL, COLLEAGUE)
    client = Client()
    client.force_login(team.world.telecommunicator)
    return client


def _nudged(recorder: Recorder) -> str:
    """The colleague's nudge: lock-screen safe, and its link's token."""
    sent = recorder.expect(to=COLLEAGUE, subject=NUDGE)
    assert "Bo" not in f"{sent.subject} {sent.body}"  # never the peer's name
    for word in ("stress", "support", "help", "worried"):
        assert word not in f"{sent.subject} {sent.body}".lower()
    token = sent.link.rstrip("/").rsplit("/", 1)[-1]
    assert Nudge.objects.filter(link_id=token).exists()
    return token


def test_the_peer_is_reminded_and_the_colleague_nudged_at_nine_their_time(
    team: Team, colleague: Client, client_of: ClientOf, recorder: Recorder, moment: Clock
) -> None:
    # a Monday at 7:00 in Los Angeles; the plan starts on Wednesday at 9:00 there
    planned = plan(client_of(team.b), plan_form(team.world.telecommunicator,
                   starts_on=date(2026, 3, 4), ends_on=date(2026, 3, 18)))  # fmt: skip
    assert planned.time_zone == "America/Los_Angeles"
    assert planned.next_at == datetime(2026, 3, 4, 17, tzinfo=UTC)
    moment.to(datetime(2026, 3, 4, 15, 59, tzinfo=UTC))
    moment.tick()
    recorder.expect_nothing()
    moment.later(minutes=1)  # an hour before
    reminder = recorder.expect(to=B_PHONE, subject="Backline: a check-in you planned is coming up")
    assert "Tess" not in reminder.body
    moment.later(minutes=59)
    recorder.expect_nothing()
    moment.later(minutes=1)
    token = _nudged(recorder)
    assert OutgoingMessage.objects.filter(
        recipient=team.world.telecommunicator, channel=Channel.INAPP, subject=NUDGE
    ).exists()
    # the next one, after the clocks changed on March 8: still 9:00 in Los Angeles
    assert Plan.objects.get(pk=planned.pk).next_at == datetime(2026, 3, 11, 16, tzinfo=UTC)
    moment.to(datetime(2026, 3, 11, 15, tzinfo=UTC))
    moment.tick()
    recorder.expect(to=B_PHONE)
    moment.later(hours=1)
    assert _nudged(recorder) != token


def test_i_am_good_closes_the_check_in_and_a_second_tap_changes_nothing(
    team: Team, colleague: Client, client_of: ClientOf, recorder: Recorder, moment: Clock
) -> None:
    plan(client_of(team.b), plan_form(team.world.telecommunicator))
    moment.to(datetime(2026, 3, 2, 17, tzinfo=UTC))
    moment.tick()
    token = _nudged(recorder)
    page = colleague.get(reverse("checkins:nudge", args=[token]))
    assert "Bo Bee" in page.content.decode()  # signed in, the colleague sees who
    answered = colleague.post(reverse("checkins:nudge_good", args=[token]))
    assert answered.status_code == 302
    nudge = Nudge.objects.get(link_id=token)
    assert nudge.answer == Answer.GOOD
    again = colleague.post(reverse("checkins:nudge_talk", args=[token]), follow=True)
    assert "You already answered this check-in" in again.content.decode()
    assert Nudge.objects.get(link_id=token).answered_at == nudge.answered_at
    assert not SupportRequest.objects.exists()


def test_not_now_asks_again_tomorrow_morning(
    team: Team, colleague: Client, client_of: ClientOf, recorder: Recorder, moment: Clock
) -> None:
    plan(client_of(team.b), plan_form(team.world.telecommunicator))
    moment.to(datetime(2026, 3, 2, 17, tzinfo=UTC))
    moment.tick()
    token = _nudged(recorder)
    refused = colleague.post(reverse("checkins:nudge_later", args=[token]), {"until": "never"})
    assert Nudge.objects.get(link_id=token).answer == Answer.WAITING
    assert refused.status_code == 302
    colleague.post(reverse("checkins:nudge_later", args=[token]), {"until": "tomorrow"})
    nudge = Nudge.objects.get(link_id=token)
    assert nudge.answer == Answer.LATER
    assert nudge.snoozed_until == datetime(2026, 3, 3, 17, tzinfo=UTC)  # 9:00 in Los Angeles
    moment.to(datetime(2026, 3, 3, 16, 59, tzinfo=UTC))
    moment.tick()
    recorder.expect_nothing()
    moment.later(minutes=1)
    assert _nudged(recorder) == token  # the same check-in, asked again
    assert Nudge.objects.get(link_id=token).answer == Answer.WAITING
    colleague.force_login(team.world.telecommunicator)  # a day later: signed in again
    colleague.post(reverse("checkins:nudge_good", args=[token]))
    assert Nudge.objects.get(link_id=token).answer == Answer.GOOD


@pytest.mark.parametrize(
    ("choice", "now", "until"),
    [
        ("hour", datetime(2026, 3, 2, 17, tzinfo=UTC), datetime(2026, 3, 2, 18, tzinfo=UTC)),
        # tonight at 19:00 in Los Angeles; late in the evening, an hour from now
        ("tonight", datetime(2026, 3, 2, 17, tzinfo=UTC), datetime(2026, 3, 3, 3, tzinfo=UTC)),
        ("tonight", datetime(2026, 3, 3, 5, tzinfo=UTC), datetime(2026, 3, 3, 6, tzinfo=UTC)),
        ("tomorrow", datetime(2026, 3, 7, 17, tzinfo=UTC), datetime(2026, 3, 8, 16, tzinfo=UTC)),
    ],
)
def test_when_not_now_asks_again(choice: str, now: datetime, until: datetime) -> None:
    assert answers.snooze_until(choice, ZoneInfo("America/Los_Angeles"), now) == until


def test_lets_talk_pages_the_planning_peer_first(
    team: Team, colleague: Client, client_of: ClientOf, recorder: Recorder, moment: Clock
) -> None:
    # A is on call; B planned the check-in: B is paged for it, A is not
    plan(client_of(team.b), plan_form(team.world.telecommunicator))
    moment.to(datetime(2026, 3, 2, 17, tzinfo=UTC))
    moment.tick()
    token = _nudged(recorder)
    talked = colleague.post(reverse("checkins:nudge_talk", args=[token]))
    made = SupportRequest.objects.get()
    assert talked["Location"] == reverse("support:request", args=[made.public_id])
    assert made.requester == team.world.telecommunicator and made.preferred_peer == team.b
    assert Nudge.objects.get(link_id=token).answer == Answer.TALK
    moment.tick()
    recorder.expect(to=B_PHONE, containing="support request")
    recorder.expect_nothing(to="a@mail.test")
    assert list(Page.objects.values_list("peer", flat=True)) == [team.b.pk]
    # a double tap asks for nothing more
    again = colleague.post(reverse("checkins:nudge_talk", args=[token]), follow=True)
    assert "You already answered this check-in" in again.content.decode()
    assert SupportRequest.objects.count() == 1


def test_lets_talk_never_pages_a_peer_the_colleague_excluded(
    team: Team, colleague: Client, client_of: ClientOf, recorder: Recorder, moment: Clock
) -> None:
    plan(client_of(team.b), plan_form(team.world.telecommunicator))
    Exclusion.objects.create(owner=team.world.telecommunicator, excluded=team.b)
    moment.to(datetime(2026, 3, 2, 17, tzinfo=UTC))
    moment.tick()
    token = _nudged(recorder)
    colleague.post(reverse("checkins:nudge_talk", args=[token]))
    moment.tick()
    recorder.ignore_rest()
    assert not Page.objects.filter(peer=team.b).exists()


def test_an_answer_after_the_plan_was_deleted_changes_nothing(
    team: Team, colleague: Client, client_of: ClientOf, recorder: Recorder, moment: Clock
) -> None:
    peer = client_of(team.b)
    planned = plan(peer, plan_form(team.world.telecommunicator))
    moment.to(datetime(2026, 3, 2, 17, tzinfo=UTC))
    moment.tick()
    token = _nudged(recorder)
    peer.post(reverse("checkins:plan_delete", args=[planned.pk]), {"confirm": "yes"})
    assert not Plan.objects.exists()
    answered = colleague.post(reverse("checkins:nudge_talk", args=[token]), follow=True)
    assert (
        "This check-in was ended by the peer, so nothing was changed." in answered.content.decode()
    )
    assert Nudge.objects.get(link_id=token).answer == Answer.WAITING
    assert not SupportRequest.objects.exists()


def test_opting_out_from_the_nudge_stops_that_peers_check_ins(
    team: Team, colleague: Client, client_of: ClientOf, recorder: Recorder, moment: Clock
) -> None:
    plan(client_of(team.b), plan_form(team.world.telecommunicator))
    plan(client_of(team.c), plan_form(team.world.telecommunicator))
    moment.to(datetime(2026, 3, 2, 17, tzinfo=UTC))
    moment.tick()
    recorder.take(to=COLLEAGUE)
    from_b = Nudge.objects.get(plan__peer=team.b).link_id
    unconfirmed = colleague.post(reverse("checkins:nudge_opt_out", args=[from_b]))
    assert unconfirmed.status_code == 302 and not OptOut.objects.exists()
    colleague.post(reverse("checkins:nudge_opt_out", args=[from_b]), {"confirm": "yes"})
    assert OptOut.objects.get().peer == team.b
    assert list(Plan.objects.values_list("peer", flat=True)) == [team.c.pk]
    answered = colleague.post(reverse("checkins:nudge_good", args=[from_b]), follow=True)
    assert "nothing was changed" in answered.content.decode()
    assert Nudge.objects.get(link_id=from_b).answer == Answer.WAITING
    # B may not plan another; C's go on
    again = client_of(team.b).post(
        reverse("checkins:plan_new"),
        plan_form(team.world.telecommunicator, starts_on=date(2026, 3, 9)),
    )
    assert "asked not to receive check-ins" in again.content.decode()
    moment.to(datetime(2026, 3, 9, 16, tzinfo=UTC))
    moment.tick()
    recorder.take(to="c@mail.test")
    assert _nudged(recorder)


def test_opting_out_of_all_check_ins_from_the_settings(
    team: Team, colleague: Client, client_of: ClientOf, recorder: Recorder, moment: Clock
) -> None:
    plan(client_of(team.b), plan_form(team.world.telecommunicator))
    colleague.post(reverse("checkins:opt_out_all"), {"confirm": "yes"})
    assert OptOut.objects.filter(peer__isnull=True).exists() and not Plan.objects.exists()
    moment.to(datetime(2026, 3, 2, 17, tzinfo=UTC))
    assert due.send_due() == 0
    refused = client_of(team.c).post(
        reverse("checkins:plan_new"), plan_form(team.world.telecommunicator)
    )
    assert "asked not to receive check-ins" in refused.content.decode()
    colleague.post(reverse("checkins:opt_in_all"))
    assert not OptOut.objects.exists()
    recorder.expect_nothing()


def test_two_engines_send_each_check_in_once(
    team: Team, colleague: Client, client_of: ClientOf, recorder: Recorder, moment: Clock
) -> None:
    plan(client_of(team.b), plan_form(team.world.telecommunicator))
    moment.to(datetime(2026, 3, 2, 17, tzinfo=UTC))
    stale = list(Plan.objects.all())
    assert due.send_due() == 1  # the nudge; its reminder, as late as it, is not sent
    # a second engine that read the same rows before the first one moved them
    for plan_row in stale:
        assert not Plan.objects.filter(pk=plan_row.pk, next_at=plan_row.next_at).exists()
    assert due.send_due() == 0
    assert Nudge.objects.count() == 1
    moment.tick()
    _nudged(recorder)


def test_a_stopped_engine_sends_one_nudge_not_every_missed_one(
    team: Team, colleague: Client, client_of: ClientOf, recorder: Recorder, moment: Clock
) -> None:
    planned = plan(client_of(team.b), plan_form(team.world.telecommunicator))
    moment.to(datetime(2026, 3, 23, 18, tzinfo=UTC))  # three Mondays later
    moment.tick()
    _nudged(recorder)
    assert Plan.objects.get(pk=planned.pk).next_at == datetime(2026, 3, 30, 16, tzinfo=UTC)


def test_the_settings_stop_one_peers_check_ins_once_they_arrived(
    team: Team, colleague: Client, client_of: ClientOf, recorder: Recorder, moment: Clock
) -> None:
    plan(client_of(team.b), plan_form(team.world.telecommunicator))
    before = colleague.get(reverse("checkins:settings")).content.decode()
    assert "Bo Bee" not in before  # a plan that sent nothing yet is not shown
    moment.to(datetime(2026, 3, 2, 17, tzinfo=UTC))
    moment.tick()
    _nudged(recorder)
    assert "Bo Bee" in colleague.get(reverse("checkins:settings")).content.decode()
    stop = reverse("checkins:opt_out_peer")
    colleague.post(stop, {"peer": team.b.pk})  # not confirmed
    assert not OptOut.objects.exists()
    colleague.post(stop, {"peer": team.c.pk, "confirm": "yes"})  # never checked in
    assert not OptOut.objects.exists()
    colleague.post(stop, {"peer": team.b.pk, "confirm": "yes"})
    assert OptOut.objects.get().peer == team.b and not Plan.objects.exists()
