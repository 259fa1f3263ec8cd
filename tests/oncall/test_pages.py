"""Coordinators' pages for rotations, schedules and overrides; the "On call" page; and
outsiders, who get 404 for every object of another region."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, time, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from backline.accounts.roles import Role
from backline.oncall.models import Override, Rotation, RotationKind, Schedule, ScheduleWindow
from backline.support.models import StepTarget, TargetKind
from tests.harness import START, ClientOf
from tests.oncall import builders
from tests.personas import World


@pytest.fixture
def coordinator(team: builders.Peers, client_of: ClientOf) -> Client:
    client: Client = client_of(team.world.coordinator)
    return client


ROTATION = {
    "name": "Primary",
    "kind": RotationKind.WEEKLY,
    "shift_hours": "",
    "time_zone": "America/Chicago",
    "starts_on": "2026-03-02",
    "handoff_time": "08:00",
}


def test_create_a_rotation_and_order_its_members(
    team: builders.Peers, coordinator: Client, world: World
) -> None:
    response = coordinator.post(reverse("oncall:rotation_new"), ROTATION)
    rotation = Rotation.objects.get()
    assert response["Location"] == reverse("oncall:rotation", args=[rotation.pk])
    assert (rotation.region, rotation.shift_hours) == (team.world.region, 24 * 7)
    url = reverse("oncall:member_add", args=[rotation.pk])
    for person in (team.a, team.b, team.c):
        coordinator.post(url, {"user": person.pk})
    members: Callable[[], list[tuple[int, int]]] = lambda: list(  # noqa: E731
        rotation.members.values_list("user_id", "position")
    )
    assert members() == [(team.a.pk, 0), (team.b.pk, 1), (team.c.pk, 2)]

    refused = coordinator.post(url, {"user": world.telecommunicator.pk})  # not a peer
    assert "Select a valid choice" in refused.content.decode()
    assert coordinator.post(url, {"user": team.a.pk}).status_code == 200  # already in
    assert len(members()) == 3

    c = rotation.members.get(user=team.c)
    coordinator.post(reverse("oncall:member_move", args=[rotation.pk, c.pk]), {"direction": "up"})
    assert members() == [(team.a.pk, 0), (team.c.pk, 1), (team.b.pk, 2)]
    a = rotation.members.get(user=team.a)
    coordinator.post(reverse("oncall:member_move", args=[rotation.pk, a.pk]), {"direction": "up"})
    assert members()[0] == (team.a.pk, 0)  # already first
    coordinator.post(reverse("oncall:member_remove", args=[rotation.pk, a.pk]))
    assert members() == [(team.c.pk, 0), (team.b.pk, 1)]

    page = coordinator.get(reverse("oncall:rotation", args=[rotation.pk])).content.decode()
    assert "Cy Sea" in page and "Coming shifts" in page


def test_bad_rotations_change_nothing(team: builders.Peers, coordinator: Client) -> None:
    for data, message in (
        (ROTATION | {"kind": RotationKind.CUSTOM}, "Enter the length of a shift"),
        (ROTATION | {"kind": RotationKind.CUSTOM, "shift_hours": "700"}, "less than or equal"),
        (ROTATION | {"time_zone": "Central"}, "is not a time zone Backline knows"),
        (ROTATION | {"starts_on": "yesterday"}, "Enter a valid date"),
        (ROTATION | {"kind": "monthly"}, "Select a valid choice"),
    ):
        response = coordinator.post(reverse("oncall:rotation_new"), data)
        assert response.status_code == 200 and message in response.content.decode(), data
    assert not Rotation.objects.exists()
    coordinator.post(reverse("oncall:rotation_new"), ROTATION)
    clash = coordinator.post(reverse("oncall:rotation_new"), ROTATION | {"name": "primary"})
    assert "already exists" in clash.content.decode()
    rotation = Rotation.objects.get()
    edit = coordinator.post(
        reverse("oncall:rotation", args=[rotation.pk]),
        ROTATION | {"name": "Renamed", "handoff_time": "25:00"},
    )
    assert edit.status_code == 200 and "Enter a valid time" in edit.content.decode()
    rotation.refresh_from_db()
    assert (rotation.name, rotation.handoff_time) == ("Primary", time(8))
    custom = coordinator.post(
        reverse("oncall:rotation", args=[rotation.pk]),
        ROTATION | {"kind": RotationKind.CUSTOM, "shift_hours": "12"},
    )
    assert custom.status_code == 302
    rotation.refresh_from_db()
    assert (rotation.kind, rotation.shift_hours) == (RotationKind.CUSTOM, 12)


def test_a_rotation_in_use_is_not_deleted(team: builders.Peers, coordinator: Client) -> None:
    used = builders.rotation(team.world.region, [team.a])
    policy = builders.policy(team.world.region, used, default=False)
    coordinator.post(reverse("oncall:rotation_delete", args=[used.pk]), {"confirm": "yes"})
    assert Rotation.objects.filter(pk=used.pk).exists()
    unused = builders.rotation(team.world.region, [team.a], name="Spare")
    coordinator.post(reverse("oncall:rotation_delete", args=[unused.pk]), {"confirm": "yes"})
    assert not Rotation.objects.filter(pk=unused.pk).exists()
    # said, and back to its page; once the policy is gone, the rotation can go
    refused = coordinator.post(
        reverse("oncall:rotation_delete", args=[used.pk]), {"confirm": "yes"}, follow=True
    )
    assert refused.redirect_chain == [(reverse("oncall:rotation", args=[used.pk]), 302)]
    assert "Primary is used by an escalation policy or a schedule" in refused.content.decode()
    coordinator.post(reverse("policies:delete", args=[policy.pk]), {"confirm": "yes"})
    deleted = coordinator.post(
        reverse("oncall:rotation_delete", args=[used.pk]), {"confirm": "yes"}, follow=True
    )
    assert deleted.redirect_chain == [(reverse("oncall:rotations"), 302)]
    assert "Primary was deleted" in deleted.content.decode()


def test_a_rotation_in_a_schedule_and_a_schedule_in_a_policy_are_not_deleted(
    team: builders.Peers, coordinator: Client
) -> None:
    rotation = builders.rotation(team.world.region, [team.a])
    schedule = builders.schedule(team.world.region, rotation)
    policy = builders.policy(team.world.region)
    StepTarget.objects.create(step=policy.steps.get(), kind=TargetKind.SCHEDULE, schedule=schedule)
    for name, pk, message in (
        ("rotation", rotation.pk, "Primary is used by an escalation policy or a schedule"),
        ("schedule", schedule.pk, "Nights is used by an escalation policy. Remove it there"),
    ):
        refused = coordinator.post(
            reverse(f"oncall:{name}_delete", args=[pk]), {"confirm": "yes"}, follow=True
        )
        assert refused.redirect_chain == [(reverse(f"oncall:{name}", args=[pk]), 302)]
        assert message in refused.content.decode()
    assert Rotation.objects.filter(pk=rotation.pk).exists()
    assert Schedule.objects.filter(pk=schedule.pk).exists()


def test_schedules_and_windows(team: builders.Peers, coordinator: Client) -> None:
    rotation = builders.rotation(team.world.region, [team.a])
    coordinator.post(
        reverse("oncall:schedule_new"), {"name": "Nights", "time_zone": "America/Los_Angeles"}
    )
    schedule = Schedule.objects.get()
    url = reverse("oncall:window_add", args=[schedule.pk])
    base = {
        "rotation": rotation.pk,
        "weekdays": ["4", "0"],
        "starts_at": "22:00",
        "ends_at": "06:00",
    }
    assert coordinator.post(url, base).status_code == 302
    window = ScheduleWindow.objects.get()
    assert (window.weekdays, window.starts_at, window.ends_at) == ([0, 4], time(22), time(6))
    for data, message in (
        (base | {"weekdays": []}, "This field is required"),
        (base | {"weekdays": ["7"]}, "Select a valid choice"),
        (base | {"ends_at": "6pm"}, "Enter a valid time"),
    ):
        response = coordinator.post(url, data)
        assert response.status_code == 200 and message in response.content.decode(), data
    assert ScheduleWindow.objects.count() == 1
    page = coordinator.get(reverse("oncall:schedule", args=[schedule.pk])).content.decode()
    assert "Monday, Friday" in page and "(next day)" in page
    assert "These hours of the week have no window" in page
    coordinator.post(reverse("oncall:window_remove", args=[schedule.pk, window.pk]))
    assert not ScheduleWindow.objects.exists()
    coordinator.post(reverse("oncall:schedule_delete", args=[schedule.pk]), {"confirm": "yes"})
    assert not Schedule.objects.exists()


def local(delta: timedelta) -> str:
    from zoneinfo import ZoneInfo

    return (START + delta).astimezone(ZoneInfo("America/Los_Angeles")).strftime("%Y-%m-%dT%H:%M")


def test_overrides_are_validated(team: builders.Peers, coordinator: Client, world: World) -> None:
    rotation = builders.rotation(team.world.region, [team.a], starts_on=date(2026, 2, 1))
    good = {
        "rotation": rotation.pk,
        "covered_by": team.b.pk,
        "replaces": "",
        "starts_at": local(timedelta(hours=1)),
        "ends_at": local(timedelta(hours=5)),
    }
    for data, message in (
        (good | {"ends_at": local(timedelta(hours=1))}, "The end must be after the start"),
        (
            good | {"starts_at": local(timedelta(hours=-5)), "ends_at": local(timedelta(hours=-1))},
            "The end must be in the future",
        ),
        (good | {"covered_by": world.telecommunicator.pk}, "Select a valid choice"),
        (good | {"covered_by": world.outsider.pk}, "Select a valid choice"),
        (good | {"replaces": team.b.pk}, "cannot cover for themselves"),
        (good | {"starts_at": "soon"}, "Enter a valid date/time"),
    ):
        response = coordinator.post(reverse("oncall:overrides"), data)
        assert response.status_code == 200 and message in response.content.decode(), data
    assert not Override.objects.exists()
    coordinator.post(reverse("oncall:overrides"), good)
    override = Override.objects.get()
    assert override.starts_at == START + timedelta(hours=1)  # read in the coordinator's zone
    assert (override.covered_by, override.created_by) == (team.b, team.world.coordinator)
    assert "Bo Bee" in coordinator.get(reverse("oncall:overrides")).content.decode()


def test_the_on_call_page_shows_now_and_next(team: builders.Peers, client_of: ClientOf) -> None:
    builders.rotation(team.world.region, [team.a, team.b], kind=RotationKind.DAILY)
    page = client_of(team.c).get(reverse("oncall:home"))
    row = page.context["teams"][0]["rotations"][0]
    assert (row["current"]["person"], row["next"]["person"]) == (team.a, team.b)
    html = page.content.decode()
    assert "Pat Peer" in html and "Bo Bee" in html
    assert "Times are shown in America/Los_Angeles" in html


def test_the_on_call_page_costs_the_same_queries_for_one_rotation_or_four(
    team: builders.Peers, client_of: ClientOf
) -> None:
    peer = client_of(team.a)

    def queries() -> int:
        peer.get(reverse("oncall:home"))  # warm: sessions, caches
        with CaptureQueriesContext(connection) as captured:
            assert peer.get(reverse("oncall:home")).status_code == 200
        return len(captured.captured_queries)

    first = builders.rotation(team.world.region, [team.a, team.b], name="First")
    builders.schedule(team.world.region, first)
    one = queries()
    for name in ("Second", "Third", "Fourth"):
        more = builders.rotation(team.world.region, [team.b, team.a, team.c], name=name)
        builders.schedule(team.world.region, more, name=f"{name} nights")
    assert queries() == one


def test_the_nav_link_is_for_peers_and_coordinators(
    team: builders.Peers, client_of: ClientOf
) -> None:
    link = f'href="{reverse("oncall:home")}"'
    for persona, shown in (
        (team.a, True),
        (team.world.coordinator, True),
        (team.world.telecommunicator, False),
        (team.world.clinician, False),
        (team.world.administrator, False),
    ):
        assert (link in client_of(persona).get(reverse("home")).content.decode()) is shown


def test_every_page_has_no_inline_script_or_style(
    team: builders.Peers, client_of: ClientOf
) -> None:
    rotation = builders.rotation(team.world.region, [team.a, team.b])
    schedule = builders.schedule(team.world.region, rotation)
    policy = builders.policy(team.world.region, rotation)
    coordinator = client_of(team.world.coordinator)
    peer = client_of(team.a)
    for client, url in (
        (coordinator, reverse("oncall:home")),
        (coordinator, reverse("oncall:rotations")),
        (coordinator, reverse("oncall:rotation_new")),
        (coordinator, reverse("oncall:rotation", args=[rotation.pk])),
        (coordinator, reverse("oncall:schedules")),
        (coordinator, reverse("oncall:schedule_new")),
        (coordinator, reverse("oncall:schedule", args=[schedule.pk])),
        (coordinator, reverse("oncall:overrides")),
        (coordinator, reverse("policies:coverage")),
        (coordinator, reverse("policies:list")),
        (coordinator, reverse("policies:new")),
        (coordinator, reverse("policies:detail", args=[policy.pk])),
        (peer, reverse("oncall:home")),
        (peer, reverse("oncall:offer_new")),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert not re.findall(r"<script(?![^>]*\bsrc\b)[^>]*>", html), url
        assert " style=" not in html and " onclick=" not in html, url
        ids = re.findall(r'\sid="([^"]+)"', html)
        assert len(ids) == len(set(ids)), (url, sorted({i for i in ids if ids.count(i) > 1}))
        for control in re.findall(r'<(?:input|select|textarea)[^>]*\sid="([^"]+)"', html):
            assert f'for="{control}"' in html, (url, control)  # every control has a label


# --- outsiders ---------------------------------------------------------------------------

OBJECT_URLS = [
    ("oncall:rotation", "rotation", {}),
    ("oncall:rotation_delete", "rotation", {}),
    ("oncall:member_add", "rotation", {}),
    ("oncall:member_remove", "member", {}),
    ("oncall:member_move", "member", {}),
    ("oncall:schedule", "schedule", {}),
    ("oncall:schedule_delete", "schedule", {}),
    ("oncall:window_add", "schedule", {}),
    ("oncall:window_remove", "window", {}),
    ("oncall:override_delete", "override", {}),
    ("oncall:offer_take", "offer", {}),
    ("oncall:offer_withdraw", "offer", {}),
    ("oncall:offer_assign", "offer", {}),
    ("policies:detail", "policy", {}),
    ("policies:delete", "policy", {}),
    ("policies:default", "policy", {"default": "yes"}),
    ("policies:step_add", "policy", {"new-step-delay_minutes": "5"}),
    ("policies:step_edit", "step", {}),
    ("policies:step_remove", "step", {}),
    ("policies:step_move", "step", {"direction": "up"}),
    ("policies:target_add", "step", {}),
    ("policies:target_remove", "target", {}),
]


def test_outsiders_get_404_for_every_object_and_nothing_changes(
    team: builders.Peers, client_of: ClientOf, world: World
) -> None:
    from backline.oncall import swaps

    region = team.world.region
    rotation = builders.rotation(region, [team.a], starts_on=date(2026, 2, 1))
    schedule = builders.schedule(region, rotation)
    policy = builders.policy(region, rotation)
    step = policy.steps.get()
    override = Override.objects.create(
        rotation=rotation,
        starts_at=START + timedelta(days=1),
        ends_at=START + timedelta(days=2),
        covered_by=team.b,
    )
    offer = swaps.offer(rotation, team.a, START + timedelta(hours=1), START + timedelta(hours=2))
    args = {
        "rotation": {"pk": rotation.pk},
        "member": {"pk": rotation.pk, "member_pk": rotation.members.get().pk},
        "schedule": {"pk": schedule.pk},
        "window": {"pk": schedule.pk, "window_pk": schedule.windows.get().pk},
        "override": {"pk": override.pk},
        "offer": {"pk": offer.pk},
        "policy": {"pk": policy.pk},
        "step": {"pk": policy.pk, "step_pk": step.pk},
        "target": {"pk": policy.pk, "step_pk": step.pk, "target_pk": step.targets.get().pk},
    }
    # the outsider coordinates (and is a peer in) another region
    from backline.accounts.models import Membership

    Membership.objects.create(
        user=world.outsider,
        region=world.outside_region,
        agency=world.outside_agency,
        role=Role.PEER,
    )
    outsider = client_of(world.outsider)
    for name, kind, data in OBJECT_URLS:
        url = reverse(name, kwargs=args[kind])
        for method in ("get", "post"):
            response = getattr(outsider, method)(url, data)
            assert response.status_code in (404, 405), (name, method, response.status_code)
            if method == "post":
                assert response.status_code == 404, name
    assert Rotation.objects.filter(pk=rotation.pk).exists()
    assert rotation.members.count() == 1
    assert Schedule.objects.filter(pk=schedule.pk).exists() and schedule.windows.count() == 1
    assert Override.objects.count() == 1
    offer.refresh_from_db()
    assert offer.is_open
    assert policy.steps.count() == 1 and step.targets.count() == 1
    # and their own pages show nothing of this region
    for listing in ("oncall:rotations", "oncall:schedules", "oncall:overrides", "policies:list"):
        assert "Primary" not in outsider.get(reverse(listing)).content.decode()
    home = outsider.get(reverse("oncall:home")).content.decode()
    assert "Pat Peer" not in home and "Harbor" not in home
