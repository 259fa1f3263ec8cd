"""The demo's check-in: the demo peer checks in weekly with the demo telecommunicator,
who finds this week's in their inbox and can answer "Let's talk"."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from backline.checkins.models import Answer, Nudge, Plan
from backline.checkins.recurrence import Frequency
from backline.demo import data
from backline.notify.models import Channel, OutgoingMessage
from backline.support.models import SupportRequest


def test_the_demo_peer_checks_in_weekly_with_the_demo_telecommunicator(db: None) -> None:
    data.load()
    plan = Plan.objects.get()
    assert plan.peer is not None and plan.peer.email == "peer@example.org"
    assert plan.colleague.email == "telecom@example.org"
    assert plan.frequency == Frequency.WEEKLY and plan.next_at is not None
    nudge = Nudge.objects.get()
    assert OutgoingMessage.objects.filter(
        recipient=plan.colleague, channel=Channel.INAPP, subject="Backline: a peer is checking in"
    ).exists()
    colleague = Client()
    colleague.force_login(plan.colleague)
    assert (
        "Sam Okafor"
        in colleague.get(reverse("checkins:nudge", args=[nudge.link_id])).content.decode()
    )
    colleague.post(reverse("checkins:nudge_talk", args=[nudge.link_id]))
    assert Nudge.objects.get().answer == Answer.TALK
    assert SupportRequest.objects.get(requester=plan.colleague).preferred_peer == plan.peer
