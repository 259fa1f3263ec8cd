"""Answering in one tap, the waiting list, and answers that cannot be taken: a clear
message, nothing changed."""

from __future__ import annotations

from django.urls import reverse

from backline.accounts.models import User
from backline.accounts.roles import Role
from backline.meetings.models import Answer, Invitee, Meeting
from backline.notify.models import Channel, OutgoingMessage
from tests.harness import ClientOf, Clock
from tests.meetings import builders
from tests.personas import World, make_person


def _small(world: World, client_of: ClientOf, capacity: int = 1) -> Meeting:
    return builders.schedule(
        client_of(world.peer),
        builders.form(
            facilitators=[world.peer],
            invite=[world.telecommunicator, world.clinician, world.administrator],
            capacity=capacity,
        ),
    )


def _answer(meeting: Meeting, person: User) -> str:
    return Invitee.objects.get(meeting=meeting, person=person).answer


def test_one_tap_yes_maybe_no(world: World, moment: Clock, client_of: ClientOf) -> None:
    meeting = _small(world, client_of, capacity=3)
    tess = client_of(world.telecommunicator)
    page = tess.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert "Yes, I'm coming" in page and "0 of 3 seats taken" in page
    assert "your seat is kept" in builders.answer(tess, meeting, Answer.YES)
    assert _answer(meeting, world.telecommunicator) == Answer.YES
    assert "already answered" in builders.answer(tess, meeting, Answer.YES)  # a double tap
    assert (
        "1 of 3 seats taken"
        in tess.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    )
    builders.answer(tess, meeting, Answer.MAYBE)
    assert _answer(meeting, world.telecommunicator) == Answer.MAYBE
    builders.answer(tess, meeting, Answer.NO)
    assert _answer(meeting, world.telecommunicator) == Answer.NO


def test_a_full_session_offers_the_waiting_list_and_a_freed_seat_moves_it_up(
    world: World, moment: Clock, client_of: ClientOf
) -> None:
    meeting = _small(world, client_of, capacity=1)
    tess, cleo, ada = (
        client_of(p) for p in (world.telecommunicator, world.clinician, world.administrator)
    )
    builders.answer(tess, meeting, Answer.YES)
    told = builders.answer(cleo, meeting, Answer.YES)
    assert "Every seat is taken. Nothing was changed; you may join the waiting list." in told
    assert _answer(meeting, world.clinician) == ""
    page = cleo.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert "Join the waiting list" in page and "Yes, I'm coming" not in page
    assert "waiting list" in builders.answer(cleo, meeting, Answer.WAITING_LIST)
    moment.shift(minutes=1)
    builders.answer(ada, meeting, Answer.WAITING_LIST)
    assert "still taken" in builders.answer(cleo, meeting, Answer.YES)
    assert _answer(meeting, world.clinician) == Answer.WAITING_LIST

    OutgoingMessage.objects.all().delete()
    builders.answer(tess, meeting, Answer.NO)  # the seat frees: the first waiting gets it
    assert _answer(meeting, world.clinician) == Answer.YES
    assert _answer(meeting, world.administrator) == Answer.WAITING_LIST
    notified = OutgoingMessage.objects.filter(channel=Channel.INAPP)
    assert [(m.recipient_id, m.subject) for m in notified] == [
        (world.clinician.pk, "Backline: a seat is yours")
    ]


def test_more_seats_move_the_waiting_list_up(
    world: World, moment: Clock, client_of: ClientOf
) -> None:
    meeting = _small(world, client_of, capacity=1)
    builders.answer(client_of(world.telecommunicator), meeting, Answer.YES)
    builders.answer(client_of(world.clinician), meeting, Answer.WAITING_LIST)
    data = builders.form(facilitators=[world.peer], starts=meeting.starts_at, capacity=2)
    data["sequence"] = str(meeting.sequence)
    response = client_of(world.peer).post(reverse("meetings:edit", args=[meeting.pk]), data)
    assert response.status_code == 302
    assert _answer(meeting, world.clinician) == Answer.YES


def test_no_answer_for_a_cancelled_session(
    world: World, moment: Clock, client_of: ClientOf
) -> None:
    meeting = _small(world, client_of)
    client_of(world.peer).post(reverse("meetings:cancel", args=[meeting.pk]), {"confirm": "yes"})
    meeting.refresh_from_db()
    told = builders.answer(client_of(world.telecommunicator), meeting, Answer.YES)
    assert "This session was cancelled. Nothing was changed." in told
    assert _answer(meeting, world.telecommunicator) == ""


def test_an_answer_from_a_page_older_than_a_change_changes_nothing(
    world: World, moment: Clock, client_of: ClientOf
) -> None:
    meeting = _small(world, client_of)
    Meeting.objects.filter(pk=meeting.pk).update(sequence=1)  # changed since the page
    told = builders.answer(client_of(world.telecommunicator), meeting, Answer.YES, sequence=0)
    assert "changed since you opened it" in told
    assert _answer(meeting, world.telecommunicator) == ""


def test_an_answer_after_the_end_changes_nothing(
    world: World, moment: Clock, client_of: ClientOf
) -> None:
    meeting = _small(world, client_of)
    moment.to(meeting.ends_at)
    told = builders.answer(client_of(world.telecommunicator), meeting, Answer.YES)
    assert "This session is over" in told


def test_an_unknown_answer_changes_nothing(
    world: World, moment: Clock, client_of: ClientOf
) -> None:
    meeting = _small(world, client_of)
    told = builders.answer(client_of(world.telecommunicator), meeting, "definitely")
    assert "Choose one of the answers" in told
    assert _answer(meeting, world.telecommunicator) == ""


def test_only_invitees_answer(world: World, moment: Clock, client_of: ClientOf) -> None:
    meeting = _small(world, client_of)
    uninvited = make_person("una@harbor.test", "Una Invited", world.agency, Role.TELECOMMUNICATOR)
    for person in (world.peer, uninvited, world.outsider):  # the facilitator is not invited
        response = client_of(person).post(
            reverse("meetings:answer", args=[meeting.pk]),
            {"answer": Answer.YES, "sequence": "0"},
        )
        assert response.status_code == 404
    assert not Invitee.objects.filter(answer=Answer.YES).exists()
