"""Escalation policies: steps and their targets, the exactly-one-thing constraint, and one
team policy (default) per region."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from backline.accounts.roles import Role
from backline.oncall.models import Rotation
from backline.support import snapshot
from backline.support.models import EscalationPolicy, EscalationStep, StepTarget, TargetKind
from backline.support.policy_views import set_default
from tests.harness import ClientOf, Response
from tests.oncall import builders
from tests.personas import World


@pytest.fixture
def coordinator(team: builders.Peers, client_of: ClientOf) -> Client:
    return client_of(team.world.coordinator)


def new_policy(coordinator: Client, name: str = "Standard", **extra: str) -> EscalationPolicy:
    data = {
        "name": name,
        "repeat": "1",
        "start_timeout_minutes": "30",
        "hours_delay_factor": "3",
        "week_delay_factor": "12",
    } | extra
    response = coordinator.post(reverse("policies:new"), data)
    assert response.status_code == 302, response.content.decode()
    return EscalationPolicy.objects.get(name=name)


def add_step(coordinator: Client, policy: EscalationPolicy, minutes: str = "5") -> Response:
    return coordinator.post(
        reverse("policies:step_add", args=[policy.pk]), {"new-step-delay_minutes": minutes}
    )


def add_target(coordinator: Client, step: EscalationStep, **data: object) -> Response:
    fields = {f"target-{step.pk}-{key}": value for key, value in data.items()}
    return coordinator.post(reverse("policies:target_add", args=[step.policy_id, step.pk]), fields)


def test_build_a_policy_step_by_step(team: builders.Peers, coordinator: Client) -> None:
    region = team.world.region
    primary = builders.rotation(region, [team.a, team.b])
    nights = builders.schedule(region, primary)
    policy = new_policy(coordinator)
    assert not policy.is_default
    for minutes in ("5", "10", "15"):
        assert add_step(coordinator, policy, minutes).status_code == 302
    first, second, third = policy.steps.order_by("order")
    add_target(coordinator, first, kind=TargetKind.ROTATION, rotation=primary.pk)
    add_target(coordinator, first, kind=TargetKind.SCHEDULE, schedule=nights.pk)
    add_target(coordinator, second, kind=TargetKind.ALL_AVAILABLE)
    add_target(coordinator, second, kind=TargetKind.USER, user=team.c.pk)
    add_target(coordinator, third, kind=TargetKind.COORDINATOR)
    page = coordinator.get(reverse("policies:detail", args=[policy.pk])).content.decode()
    assert "Whoever is on call in a rotation: <strong>Primary</strong>" in page
    assert "Step 3, then wait 15 minutes" in page

    plan = snapshot.of(policy)
    assert [s.delay_minutes for s in plan.steps] == [5, 10, 15]
    assert sorted((t.kind, t.id) for t in plan.steps[0].targets) == [
        ("rotation", primary.pk),
        ("schedule", nights.pk),
    ]
    assert sorted(t.kind for t in plan.steps[1].targets) == ["all_available", "user"]

    # move the coordinator step to the front, then remove the middle one
    coordinator.post(reverse("policies:step_move", args=[policy.pk, third.pk]), {"direction": "up"})
    coordinator.post(reverse("policies:step_move", args=[policy.pk, third.pk]), {"direction": "up"})
    assert [s.pk for s in policy.steps.order_by("order")] == [third.pk, first.pk, second.pk]
    coordinator.post(reverse("policies:step_remove", args=[policy.pk, first.pk]))
    assert list(policy.steps.order_by("order").values_list("pk", "order")) == [
        (third.pk, 0),
        (second.pk, 1),
    ]
    coordinator.post(
        reverse("policies:step_edit", args=[policy.pk, second.pk]),
        {f"step-{second.pk}-delay_minutes": "20"},
    )
    second.refresh_from_db()
    assert second.delay_minutes == 20
    target = second.targets.get(kind=TargetKind.USER)
    coordinator.post(reverse("policies:target_remove", args=[policy.pk, second.pk, target.pk]))
    assert list(second.targets.values_list("kind", flat=True)) == [TargetKind.ALL_AVAILABLE]


def test_bad_targets_change_nothing(
    team: builders.Peers, coordinator: Client, world: World
) -> None:
    region = team.world.region
    mine = builders.rotation(region, [team.a])
    theirs = Rotation.objects.create(
        region=world.outside_region,
        name="Prairie",
        time_zone="America/Chicago",
        starts_on=mine.starts_on,
    )
    policy = new_policy(coordinator)
    add_step(coordinator, policy)
    step = policy.steps.get()
    for data, message in (
        ({"kind": TargetKind.ROTATION}, "Choose one for this kind of target"),
        ({"kind": TargetKind.ROTATION, "rotation": theirs.pk}, "Select a valid choice"),
        ({"kind": TargetKind.USER, "user": world.outsider.pk}, "Select a valid choice"),
        ({"kind": TargetKind.USER, "user": world.clinician.pk}, "Select a valid choice"),
        ({"kind": "everyone"}, "Select a valid choice"),
        ({}, "This field is required"),
    ):
        response = add_target(coordinator, step, **data)
        assert response.status_code == 200
        assert message in response.content.decode(), data
    assert not StepTarget.objects.exists()

    add_target(coordinator, step, kind=TargetKind.ROTATION, rotation=mine.pk, user=team.b.pk)
    target = StepTarget.objects.get()  # the person chosen by mistake is ignored
    assert (target.rotation, target.user) == (mine, None)
    again = add_target(coordinator, step, kind=TargetKind.ROTATION, rotation=mine.pk)
    assert "already pages them" in again.content.decode()
    assert StepTarget.objects.count() == 1


def test_a_target_is_exactly_one_thing_in_the_database(team: builders.Peers) -> None:
    policy = builders.policy(team.world.region)
    step = policy.steps.get()
    rotation = builders.rotation(team.world.region, [team.a])
    for bad in (
        {"kind": TargetKind.USER},
        {"kind": TargetKind.USER, "user": team.a, "rotation": rotation},
        {"kind": TargetKind.ROTATION, "user": team.a},
        {"kind": TargetKind.ALL_AVAILABLE, "rotation": rotation},
        {"kind": TargetKind.COORDINATOR, "user": team.a},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            StepTarget.objects.create(step=step, **bad)


def test_bad_policy_and_step_values_change_nothing(
    team: builders.Peers, coordinator: Client
) -> None:
    policy = new_policy(coordinator)
    for data, message in (
        ({"repeat": "11"}, "less than or equal to 10"),
        ({"start_timeout_minutes": "0"}, "greater than or equal to 1"),
        ({"name": ""}, "This field is required"),
    ):
        response = coordinator.post(
            reverse("policies:detail", args=[policy.pk]),
            {"name": "Renamed", "repeat": "2", "start_timeout_minutes": "20"} | data,
        )
        assert response.status_code == 200 and message in response.content.decode()
        policy.refresh_from_db()
        assert (policy.name, policy.repeat, policy.start_timeout_minutes) == ("Standard", 1, 30)
    new_policy(coordinator, name="Backup")
    clash = coordinator.post(
        reverse("policies:new"), {"name": "backup", "repeat": "1", "start_timeout_minutes": "30"}
    )
    assert "already exists" in clash.content.decode()
    for minutes in ("0", "1441", "soon"):
        response = add_step(coordinator, policy, minutes)
        assert response.status_code == 200
    assert not EscalationStep.objects.exists()


def test_one_team_policy_per_region(team: builders.Peers, coordinator: Client) -> None:
    first = new_policy(coordinator, name="First")
    second = new_policy(coordinator, name="Second")
    coordinator.post(reverse("policies:default", args=[first.pk]), {"default": "yes"})
    first.refresh_from_db()
    assert first.is_default
    coordinator.post(reverse("policies:default", args=[second.pk]), {"default": "yes"})
    assert list(EscalationPolicy.objects.filter(is_default=True)) == [second]
    # the database refuses a second default, whatever the pages do
    with pytest.raises(IntegrityError), transaction.atomic():
        EscalationPolicy.objects.filter(pk=first.pk).update(is_default=True)
    # the team's policy cannot be deleted; another one can
    coordinator.post(reverse("policies:delete", args=[second.pk]), {"confirm": "yes"})
    assert EscalationPolicy.objects.filter(pk=second.pk).exists()
    coordinator.post(reverse("policies:delete", args=[first.pk]), {"confirm": "yes"})
    assert not EscalationPolicy.objects.filter(pk=first.pk).exists()
    response = coordinator.post(
        reverse("policies:default", args=[second.pk]), {"default": "no"}, follow=True
    )
    assert "new requests page nobody" in response.content.decode()
    assert not EscalationPolicy.objects.filter(is_default=True).exists()
    listed = coordinator.get(reverse("policies:list")).content.decode()
    assert "has no team policy" in listed


def test_set_default_keeps_other_regions_alone(team: builders.Peers, world: World) -> None:
    mine = builders.policy(team.world.region, default=False)
    theirs = builders.policy(world.outside_region, default=True)
    set_default(mine, True)
    assert EscalationPolicy.objects.get(pk=theirs.pk).is_default
    assert EscalationPolicy.objects.get(pk=mine.pk).is_default


def test_a_new_policy_in_a_second_region(
    team: builders.Peers, coordinator: Client, world: World
) -> None:
    from backline.accounts.models import Membership

    Membership.objects.create(
        user=team.world.coordinator,
        region=world.outside_region,
        agency=world.outside_agency,
        role=Role.COORDINATOR,
    )
    page = coordinator.get(reverse("policies:new"))
    assert 'name="region"' in page.content.decode()
    coordinator.post(
        reverse("policies:new"),
        {
            "region": world.outside_region.pk,
            "name": "Prairie",
            "repeat": "0",
            "start_timeout_minutes": "5",
            "hours_delay_factor": "1",
            "week_delay_factor": "1",
        },
    )
    assert EscalationPolicy.objects.get(name="Prairie").region == world.outside_region
