""" "I'm good" where the nudge arrives: the push notification's button and a reply by
text, each valid for the colleague alone."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from django.test import Client
from django.urls import reverse

from backline.checkins import taps, texts
from backline.checkins.models import Answer, Nudge
from backline.notify import actions
from backline.notify.models import Channel
from tests.checkins.builders import plan, plan_form
from tests.harness import ClientOf, Clock, Recorder, Team, reachable

COLLEAGUE_PHONE = "+15550100777"


def _nudge(team: Team, client_of: ClientOf, recorder: Recorder, moment: Clock) -> Nudge:
    reachable(team.world.telecommunicator, Channel.SMS, COLLEAGUE_PHONE)
    plan(client_of(team.b), plan_form(team.world.telecommunicator))
    moment.to(datetime(2026, 3, 2, 17, tzinfo=UTC))
    moment.tick()
    sent = recorder.expect(to=COLLEAGUE_PHONE, subject="Backline: a peer is checking in")
    assert re.search(r"Reply \d{6} if you're good\.", sent.envelope.reply_prompt)
    return Nudge.objects.get()


def test_a_reply_answers_i_am_good_for_the_colleague_alone(
    team: Team, client_of: ClientOf, recorder: Recorder, moment: Clock
) -> None:
    nudge = _nudge(team, client_of, recorder, moment)
    found = actions.find(f"{texts.GOOD}:{nudge.link_id}")
    assert found is not None
    action, argument = found
    assert action.on_reply(argument, team.b.pk) is None  # not theirs: as an unknown code
    assert Nudge.objects.get().answer == Answer.WAITING
    said = action.on_reply(argument, team.world.telecommunicator.pk)
    assert said == "Backline: Thank you for letting your peer know. Take care."
    assert Nudge.objects.get().answer == Answer.GOOD
    again = action.on_reply(argument, team.world.telecommunicator.pk)
    assert again == "Backline: You already answered this check-in. Thank you."


def test_the_push_button_posts_its_key(
    team: Team, client_of: ClientOf, recorder: Recorder, moment: Clock
) -> None:
    nudge = _nudge(team, client_of, recorder, moment)
    colleague = Client()
    colleague.force_login(team.world.telecommunicator)
    wrong = reverse("checkins:nudge_good_tap", args=[nudge.link_id, "0" * 40])
    assert colleague.post(wrong).status_code == 404
    url = taps.tap_url(nudge.link_id, team.world.telecommunicator.pk)
    other = Client()
    other.force_login(team.b)
    assert other.post(url).status_code == 404
    assert Nudge.objects.get().answer == Answer.WAITING
    answered = colleague.post(url)
    assert answered.status_code == 200
    assert answered.json()["body"] == "Thank you for letting your peer know. Take care."
    assert Nudge.objects.get().answer == Answer.GOOD
