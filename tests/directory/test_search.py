"""Searching the directory: words, each filter, "open now" in each service's own time
zone (across a daylight-saving change and past midnight), and only one's own teams."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from backline.accounts.models import User
from backline.directory import hours, search
from backline.directory.models import Resource
from tests.directory.builders import EVERY_DAY, WEEKDAYS, entry
from tests.personas import World

FRIDAY = 1 << 4
NOW = datetime(2026, 3, 2, 18, tzinfo=UTC)  # a Monday, 10:00 in Los Angeles


def names(viewer: User, now: datetime = NOW, **chosen: Any) -> list[str]:
    return [r.name for r in search.find(viewer, chosen, now)]


@pytest.fixture
def directory(world: World) -> World:
    region = world.region
    entry(
        region,
        "Dr. Ana Morales",
        kind="clinician",
        description="EMDR and trauma care for dispatchers",
        telehealth=True,
        cost="insurance",
        languages=(("es", "Spanish"), ("en", "English")),
        specialties=("emdr", "trauma"),
        hours=((WEEKDAYS, time(9), time(17)),),
    )
    entry(
        region,
        "Dr. Sam Lee",
        kind="clinician",
        description="Couples counseling",
        cost="self_pay",
        specialties=("couples",),
        hours=((WEEKDAYS, time(12), time(20)),),
    )
    entry(
        region,
        "988 Suicide & Crisis Lifeline",
        organization="988 Lifeline",
        kind="crisis_line",
        always_open=True,
        cost="free",
        telehealth=True,
    )
    entry(region, "Peer group (closed)", kind="support_group", status="inactive", cost="free")
    entry(world.outside_region, "Prairie Counseling", cost="free", telehealth=True)
    return world


def test_words_match_names_descriptions_and_organizations(directory: World) -> None:
    peer = directory.peer
    assert names(peer, q="emdr") == ["Dr. Ana Morales"]
    assert names(peer, q="lifeline") == ["988 Suicide & Crisis Lifeline"]
    assert names(peer, q="couples DR") == ["Dr. Sam Lee"]  # every word, in any case
    assert names(peer, q="harbor counseling") == ["Dr. Ana Morales", "Dr. Sam Lee"]
    assert names(peer, q="nothing like this") == []


def test_every_filter(directory: World) -> None:
    tc = directory.telecommunicator
    everything = ["988 Suicide & Crisis Lifeline", "Dr. Ana Morales", "Dr. Sam Lee"]
    assert names(tc) == everything  # the inactive group is not found
    assert names(tc, kind="clinician") == ["Dr. Ana Morales", "Dr. Sam Lee"]
    assert names(tc, language="es") == ["Dr. Ana Morales"]
    assert names(tc, cost="free") == ["988 Suicide & Crisis Lifeline"]
    assert names(tc, telehealth=True) == ["988 Suicide & Crisis Lifeline", "Dr. Ana Morales"]
    assert names(tc, specialty="couples") == ["Dr. Sam Lee"]
    assert names(tc, language="es", telehealth=True) == ["Dr. Ana Morales"]
    assert names(tc, open_now=True) == ["988 Suicide & Crisis Lifeline", "Dr. Ana Morales"]
    assert names(tc, language="es", telehealth=True, open_now=True) == ["Dr. Ana Morales"]


def test_a_member_of_another_team_finds_nothing_of_this_one(directory: World) -> None:
    assert names(directory.outsider) == ["Prairie Counseling"]
    assert names(directory.outsider, q="morales") == []
    assert (
        not Resource.objects.visible_to(directory.outsider).filter(region=directory.region).exists()
    )


def test_the_language_choices_are_the_teams_own(directory: World) -> None:
    spoken = search.languages_of(Resource.objects.visible_to(directory.peer))
    assert spoken == [("en", "English"), ("es", "Spanish")]


def at(resource: Resource, when: datetime) -> tuple[bool, bool]:
    """Whether ``resource`` is open at ``when``: as a page shows it, and as a search
    finds it."""
    one = hours.is_open(Resource.objects.get(pk=resource.pk), when)
    zones = [resource.time_zone]
    many = Resource.objects.filter(hours.open_filter(zones, when), pk=resource.pk).exists()
    return one, many


def test_open_now_follows_the_services_zone_across_a_daylight_saving_change(
    world: World,
) -> None:
    office = entry(
        world.region,
        "New York office hours",
        time_zone="America/New_York",
        hours=((WEEKDAYS, time(9), time(17)),),
    )
    # 13:30 UTC is 08:30 in New York on Monday 2 March (EST), 09:30 on 9 March (EDT)
    assert at(office, datetime(2026, 3, 2, 13, 30, tzinfo=UTC)) == (False, False)
    assert at(office, datetime(2026, 3, 9, 13, 30, tzinfo=UTC)) == (True, True)
    # 21:30 UTC is 16:30 in New York in winter, 17:30 in summer
    assert at(office, datetime(2026, 3, 2, 21, 30, tzinfo=UTC)) == (True, True)
    assert at(office, datetime(2026, 3, 9, 21, 30, tzinfo=UTC)) == (False, False)
    # the weekend: closed
    assert at(office, datetime(2026, 3, 7, 15, tzinfo=UTC)) == (False, False)


def test_overnight_hours_run_past_midnight(world: World) -> None:
    night = entry(
        world.region,
        "Friday night line",
        time_zone="America/Chicago",
        hours=((FRIDAY, time(22), time(6)),),
    )
    chicago = [  # (local time on Friday 6 March 2026 or after, open)
        (datetime(2026, 3, 6, 21, 59), False),
        (datetime(2026, 3, 6, 22, 0), True),
        (datetime(2026, 3, 7, 3, 0), True),  # Saturday, small hours
        (datetime(2026, 3, 7, 6, 0), False),
        (datetime(2026, 3, 5, 23, 0), False),  # Thursday night
        (datetime(2026, 3, 9, 3, 0), False),  # Monday small hours
    ]
    for local, expected in chicago:
        when = local.replace(tzinfo=ZoneInfo("America/Chicago"))
        assert at(night, when) == (expected, expected), local


def test_overnight_hours_across_the_spring_change(world: World) -> None:
    """On the night clocks go forward (Sunday 8 March 2026, 02:00 → 03:00), a line open
    Saturday 22:00 to 06:00 is open at 05:30 local, which is 10:30 UTC, not 11:30."""
    night = entry(
        world.region,
        "Saturday night line",
        time_zone="America/Chicago",
        hours=((1 << 5, time(22), time(6)),),
    )
    assert at(night, datetime(2026, 3, 8, 10, 30, tzinfo=UTC)) == (True, True)
    assert at(night, datetime(2026, 3, 8, 11, 30, tzinfo=UTC)) == (False, False)


def test_a_24_7_line_is_always_open(world: World) -> None:
    line = entry(world.region, "Always", always_open=True)
    every_hour = entry(world.region, "Every hour", hours=((EVERY_DAY, time(0), time(0)),))
    for hour in range(0, 24, 5):
        when = datetime(2026, 3, 8, hour, tzinfo=UTC)
        assert at(line, when) == (True, True)
        assert at(every_hour, when) == (True, True)


def test_open_now_is_the_same_moment_whatever_the_viewers_zone(directory: World) -> None:
    """A viewer in Los Angeles at 06:30 their time sees a New York office open at 09:30."""
    entry(
        directory.region,
        "New York desk",
        time_zone="America/New_York",
        hours=((WEEKDAYS, time(9), time(10)),),
    )
    found = names(directory.peer, datetime(2026, 3, 2, 14, 30, tzinfo=UTC), open_now=True)
    assert found == ["988 Suicide & Crisis Lifeline", "New York desk"]
