"""Scheduling and changing a session: who may, and bad input refused in plain words with
nothing saved and nothing sent."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from backline.lib import clock
from backline.meetings.models import Answer, Invitee, Meeting
from backline.notify.models import OutgoingMessage
from tests.harness import ClientOf, Clock
from tests.meetings import builders
from tests.personas import World


def _refused(client: object, data: dict[str, object], *words: str) -> None:
    response = client.post(reverse("meetings:new"), data)  # type: ignore[attr-defined]
    assert response.status_code == 200
    page = response.content.decode()
    for said in words:
        assert said in page
    assert not Meeting.objects.exists()
    assert not OutgoingMessage.objects.exists()


def test_a_coordinator_schedules_for_the_whole_team(
    world: World, moment: Clock, client_of: ClientOf
) -> None:
    meeting = builders.schedule(
        client_of(world.coordinator),
        builders.form(facilitators=[world.peer], everyone=True, zone_of=world.coordinator),
    )
    invited = set(Invitee.objects.filter(meeting=meeting).values_list("person", flat=True))
    team = {world.telecommunicator, world.coordinator, world.clinician, world.administrator}
    assert invited == {p.pk for p in team}  # the facilitator is there anyway
    assert list(meeting.facilitators.all()) == [world.peer]
    assert meeting.organiser == world.coordinator
    assert meeting.remind_day_at == meeting.starts_at - timedelta(days=1)
    assert meeting.remind_hour_at == meeting.starts_at - timedelta(hours=1)


def test_a_session_ending_before_it_starts_is_refused(
    world: World, moment: Clock, client_of: ClientOf
) -> None:
    data = builders.form(facilitators=[world.peer], invite=[world.telecommunicator])
    data["end"] = "06:00"
    data["start"] = "07:00"
    _refused(client_of(world.peer), data, "A session ends after it starts, on the same day.")


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ({"capacity": "0"}, "A session needs at least one seat."),
        ({"capacity": "501"}, "A session has at most 500 seats."),
        ({"capacity": "many"}, "Enter the number of seats, as a whole number."),
        ({"place": "", "video_link": ""}, "Say where it happens"),
        ({"video_link": "not a link"}, "Enter a valid URL."),
        ({"invite": "nobody@elsewhere.test"}, "Nobody of the team uses nobody@elsewhere.test"),
        ({"invite": "out@prairie.test"}, "Nobody of the team uses out@prairie.test"),
        ({"invite": ""}, "Invite the whole team, or someone by their address."),
        ({"facilitators": []}, "This field is required."),
        ({"kind": "party"}, "Select a valid choice."),
    ],
)
def test_bad_input_is_refused(
    world: World, moment: Clock, client_of: ClientOf, change: dict[str, object], said: str
) -> None:
    data = builders.form(facilitators=[world.peer], invite=[world.telecommunicator])
    _refused(client_of(world.peer), {**data, **change}, said)


def test_a_time_past_is_refused(world: World, moment: Clock, client_of: ClientOf) -> None:
    data = builders.form(
        facilitators=[world.peer],
        invite=[world.telecommunicator],
        starts=clock.now() - timedelta(hours=2),
    )
    _refused(client_of(world.peer), data, "That time has passed.")


def test_a_facilitator_is_a_peer_of_the_team(
    world: World, moment: Clock, client_of: ClientOf
) -> None:
    data = builders.form(facilitators=[world.telecommunicator], invite=[world.clinician])
    _refused(client_of(world.coordinator), data, "Select a valid choice.")


def test_fewer_seats_than_people_coming_is_refused(
    world: World, moment: Clock, client_of: ClientOf
) -> None:
    peer = client_of(world.peer)
    data = builders.form(
        facilitators=[world.peer], invite=[world.telecommunicator, world.clinician], capacity=3
    )
    meeting = builders.schedule(peer, data)
    builders.answer(client_of(world.telecommunicator), meeting, Answer.YES)
    builders.answer(client_of(world.clinician), meeting, Answer.YES)
    sent = OutgoingMessage.objects.count()
    response = peer.post(
        reverse("meetings:edit", args=[meeting.pk]), {**data, "capacity": "1", "sequence": "0"}
    )
    assert response.status_code == 200
    assert "2 people are coming: the session needs at least as many seats." in (
        response.content.decode()
    )
    meeting.refresh_from_db()
    assert (meeting.capacity, meeting.sequence) == (3, 0)
    assert OutgoingMessage.objects.count() == sent


def test_a_stale_or_repeated_change_is_refused(
    world: World, moment: Clock, client_of: ClientOf
) -> None:
    """Two facilitators edit at once, or one form is sent twice: the first is saved,
    the second is told and saves nothing."""
    peer = client_of(world.peer)
    data = builders.form(facilitators=[world.peer], invite=[world.telecommunicator])
    meeting = builders.schedule(peer, data)
    edit = reverse("meetings:edit", args=[meeting.pk])
    first = peer.post(edit, {**data, "place": "Room 3", "sequence": "0"})
    assert first.status_code == 302
    sent = OutgoingMessage.objects.count()
    second = peer.post(edit, {**data, "place": "Room 4", "sequence": "0"}, follow=True)
    assert "changed since you opened it" in second.content.decode()
    meeting.refresh_from_db()
    assert (meeting.place, meeting.sequence) == ("Room 3", 1)
    assert OutgoingMessage.objects.count() == sent


def test_a_second_cancel_changes_nothing(world: World, moment: Clock, client_of: ClientOf) -> None:
    peer = client_of(world.peer)
    meeting = builders.schedule(
        peer, builders.form(facilitators=[world.peer], invite=[world.telecommunicator])
    )
    cancel = reverse("meetings:cancel", args=[meeting.pk])
    assert peer.post(cancel, {}).status_code == 302  # without the confirm step: nothing
    assert not Meeting.objects.get().cancelled
    peer.post(cancel, {"confirm": "yes"})
    sent = OutgoingMessage.objects.count()
    again = peer.post(cancel, {"confirm": "yes"}, follow=True)
    assert "This session was cancelled. Nothing was changed." in again.content.decode()
    assert OutgoingMessage.objects.count() == sent
    assert Meeting.objects.get().sequence == 1


def test_only_the_organiser_and_facilitators_change_it(
    world: World, moment: Clock, client_of: ClientOf
) -> None:
    meeting = builders.schedule(
        client_of(world.peer),
        builders.form(facilitators=[world.peer], invite=[world.coordinator]),
    )
    coordinator = client_of(world.coordinator)  # invited, not organising
    assert coordinator.get(reverse("meetings:edit", args=[meeting.pk])).status_code == 404
    cancel = coordinator.post(reverse("meetings:cancel", args=[meeting.pk]), {"confirm": "yes"})
    assert cancel.status_code == 404
    assert not Meeting.objects.get().cancelled


@pytest.mark.parametrize(
    ("change", "constraint"),
    [
        ({"capacity": 0}, "meeting_capacity_in_range"),
        ({"ends_at": "starts"}, "meeting_ends_after_it_starts"),
        ({"place": "", "video_link": ""}, "meeting_has_a_place_or_a_link"),
    ],
)
def test_the_database_holds_the_invariants(
    world: World, change: dict[str, object], constraint: str
) -> None:
    now = clock.now()
    values: dict[str, object] = {
        "region": world.region,
        "kind": "training",
        "starts_at": now,
        "ends_at": now + timedelta(hours=1),
        "place": "Room 1",
        "capacity": 4,
        **change,
    }
    if values["ends_at"] == "starts":
        values["ends_at"] = now
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        Meeting.objects.create(**values)


def test_one_invitation_per_person(world: World) -> None:
    meeting = builders.row(world, invite=[world.telecommunicator])
    with pytest.raises(IntegrityError), transaction.atomic():
        Invitee.objects.create(meeting=meeting, person=world.telecommunicator)
