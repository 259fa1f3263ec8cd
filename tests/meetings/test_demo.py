"""The demo's sessions: a past debriefing, an upcoming support group with answers, and a
training with a waiting list; the demo telecommunicator answers in one tap."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from backline.demo import data
from backline.lib import clock
from backline.meetings.models import Answer, Invitee, Kind, Meeting
from backline.notify.models import Channel, OutgoingMessage


def test_the_demo_has_sessions_to_answer(db: None) -> None:
    data.load()
    now = clock.now()
    past, group, training = Meeting.objects.order_by("starts_at")
    assert past.kind == Kind.DEBRIEFING and past.ends_at < now
    assert group.kind == Kind.SUPPORT_GROUP and group.starts_at > now
    assert training.kind == Kind.TRAINING
    answers = list(Invitee.objects.filter(meeting=group).values_list("answer", flat=True))
    assert answers.count(Answer.YES) == 4 and answers.count(Answer.MAYBE) == 2
    assert training.coming() == training.capacity
    assert training.invitees.waiting_list().count() == 2

    colleague = Invitee.objects.get(meeting=group, person__email="telecom@example.org").person
    assert OutgoingMessage.objects.filter(
        recipient=colleague, channel=Channel.INAPP, subject="Backline: an invitation"
    ).exists()
    client = Client()
    client.force_login(colleague)
    page = client.get(reverse("meetings:detail", args=[group.pk])).content.decode()
    assert "4 of 12 seats taken" in page
    client.post(reverse("meetings:answer", args=[group.pk]), {"answer": "yes", "sequence": "0"})
    assert Invitee.objects.get(meeting=group, person=colleague).answer == Answer.YES
