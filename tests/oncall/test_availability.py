"""The "available now" toggle with an end time, quiet hours, and who of the available
peers may be paged at a moment."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from django.urls import reverse

from backline.oncall import resolve, waking
from backline.oncall.models import Availability, QuietHours
from tests.harness import START, ClientOf
from tests.oncall import builders


def test_available_until_a_chosen_time_then_switched_off(
    team: builders.Peers, client_of: ClientOf
) -> None:
    peer = client_of(team.a)
    response = peer.post(reverse("oncall:availability"), {"until": "18:30"})
    assert response.status_code == 302
    availability = Availability.objects.get(user=team.a)
    assert availability.until == datetime(2026, 3, 3, 2, 30, tzinfo=UTC)  # 18:30 PST
    assert team.a.pk in resolve.available_now(team.world.region.pk, START)
    page = peer.get(reverse("oncall:home")).content.decode()
    assert "You are available until" in page and "18:30" in page

    peer.post(reverse("oncall:availability"), {"action": "off"})
    assert not Availability.objects.exists()
    assert team.a.pk not in resolve.available_now(team.world.region.pk, START)


def test_a_time_already_past_today_means_tomorrow(
    team: builders.Peers, client_of: ClientOf
) -> None:
    client_of(team.a).post(reverse("oncall:availability"), {"until": "06:00"})
    assert Availability.objects.get().until == datetime(2026, 3, 3, 14, tzinfo=UTC)


def test_changing_the_end_time_keeps_one_row(team: builders.Peers, client_of: ClientOf) -> None:
    peer = client_of(team.a)
    peer.post(reverse("oncall:availability"), {"until": "09:00"})
    peer.post(reverse("oncall:availability"), {"until": "10:00"})
    assert Availability.objects.get().until == datetime(2026, 3, 2, 18, tzinfo=UTC)


def test_a_bad_time_changes_nothing(team: builders.Peers, client_of: ClientOf) -> None:
    peer = client_of(team.a)
    peer.post(reverse("oncall:availability"), {"until": "09:00"})
    before = Availability.objects.get().until
    response = peer.post(reverse("oncall:availability"), {"until": "half past never"})
    assert response.status_code == 200
    assert "Enter a valid time" in response.content.decode()
    assert Availability.objects.get().until == before


def test_availability_ends_by_itself(team: builders.Peers, client_of: ClientOf) -> None:
    client_of(team.a).post(reverse("oncall:availability"), {"until": "09:00"})
    later = datetime(2026, 3, 2, 17, 0, 1, tzinfo=UTC)
    assert team.a.pk not in resolve.available_now(team.world.region.pk, later)


def test_only_peers_can_say_they_are_available(team: builders.Peers, client_of: ClientOf) -> None:
    for persona in (team.world.telecommunicator, team.world.coordinator):
        response = client_of(persona).post(reverse("oncall:availability"), {"until": "09:00"})
        assert response.status_code == 404
    assert not Availability.objects.exists()


def test_quiet_hours_are_set_changed_and_removed(team: builders.Peers, client_of: ClientOf) -> None:
    peer = client_of(team.a)
    form = peer.get(reverse("oncall:home")).context["quiet_form"]
    assert form.initial["time_zone"] == "America/Los_Angeles"
    peer.post(
        reverse("oncall:quiet_hours"),
        {"starts_at": "22:00", "ends_at": "07:00", "time_zone": "America/Los_Angeles"},
    )
    quiet = QuietHours.objects.get(user=team.a)
    assert (quiet.starts_at, quiet.ends_at) == (time(22), time(7))
    assert resolve.in_quiet_hours(quiet, datetime(2026, 3, 3, 8, tzinfo=UTC))  # midnight PST
    assert not resolve.in_quiet_hours(quiet, START)  # 07:00 sharp: no longer quiet

    peer.post(
        reverse("oncall:quiet_hours"),
        {"starts_at": "23:00", "ends_at": "06:00", "time_zone": "America/Chicago"},
    )
    quiet = QuietHours.objects.get(user=team.a)
    assert (quiet.starts_at, quiet.time_zone) == (time(23), "America/Chicago")
    assert "Quiet from 23:00 to 06:00" in peer.get(reverse("oncall:home")).content.decode()

    peer.post(reverse("oncall:quiet_hours"), {"action": "remove"})
    assert not QuietHours.objects.exists()


def test_bad_quiet_hours_change_nothing(team: builders.Peers, client_of: ClientOf) -> None:
    peer = client_of(team.a)
    good = {"starts_at": "22:00", "ends_at": "07:00", "time_zone": "America/Los_Angeles"}
    peer.post(reverse("oncall:quiet_hours"), good)
    for bad, message in (
        (good | {"ends_at": "22:00"}, "an end different from their start"),
        (good | {"time_zone": "Mars/Olympus"}, "is not a time zone Backline knows"),
        (good | {"starts_at": ""}, "This field is required"),
    ):
        response = peer.post(reverse("oncall:quiet_hours"), bad)
        assert response.status_code == 200
        assert message in response.content.decode()
        quiet = QuietHours.objects.get()
        assert (quiet.starts_at, quiet.ends_at, quiet.time_zone) == (
            time(22),
            time(7),
            "America/Los_Angeles",
        )


def test_quiet_hours_spare_the_merely_available_and_never_the_one_on_call(
    team: builders.Peers,
) -> None:
    """A is on call, B and C said "available now"; A and B are in their quiet hours."""
    builders.rotation(team.world.region, [team.a])
    for person in (team.b, team.c):
        Availability.objects.create(user=person, until=START + timedelta(hours=2), set_at=START)
    for person in (team.a, team.b):
        QuietHours.objects.create(
            user=person, time_zone="America/Los_Angeles", starts_at=time(6), ends_at=time(8)
        )
    peers = {team.a.pk, team.b.pk, team.c.pk}
    region = team.world.region.pk

    assert waking.available(region, peers, START, can_wait=False) == {team.a.pk, team.c.pk}
    # something that can wait: all three are available; whoever is asleep, on call or
    # not, is told apart by their rest, so a step can wait for the first to wake
    assert waking.available(region, peers, START, can_wait=True) == peers
    assert waking.awake(peers, START) == {team.c.pk}
