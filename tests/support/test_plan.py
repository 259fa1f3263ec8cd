"""A request's plan: its policy's snapshot, versioned, read once into frozen types; an
older version is brought up to date, an unknown or damaged one is refused by name."""

from __future__ import annotations

import dataclasses
import json
import logging
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from backline.accounts.models import User
from backline.accounts.roles import Role
from backline.lib import clock
from backline.notify.models import OutgoingMessage
from backline.support import escalation, snapshot
from backline.support.models import (
    EscalationState,
    EscalationStep,
    StepTarget,
    SupportRequest,
    TargetKind,
    Urgency,
)
from tests import asking
from tests.asking import reach_out_form
from tests.harness import ClientOf, Clock, Recorder, Team
from tests.personas import World, make_person

# what today's snapshots looked like before they had a version, as stored
UNVERSIONED = {
    "policy": 7,
    "name": "Standard",
    "repeat": 1,
    "start_timeout_minutes": 30,
    "delay_factors": {"now": 1, "hours": 3, "week": 12},
    "steps": [
        {"delay_minutes": 5, "targets": [{"kind": "rotation", "id": 3}]},
        {
            "delay_minutes": 10,
            "targets": [{"kind": "user", "id": 4}, {"kind": "all_available", "id": None}],
        },
        {"delay_minutes": 5, "targets": [{"kind": "coordinator", "id": None}]},
    ],
}
# of a request started before the slower clock existed
BEFORE_THE_SLOWER_CLOCK = {k: v for k, v in UNVERSIONED.items() if k != "delay_factors"}
# of a request whose team had no policy
WITHOUT_A_POLICY: dict[str, Any] = {
    "policy": None,
    "repeat": 0,
    "start_timeout_minutes": 30,
    "steps": [],
}

NEWER = {**snapshot.of(None).to_json(), "version": snapshot.VERSION + 1}


def reach_out(requester: User, team: Team) -> SupportRequest:
    request, _token = asking.reach_out(requester, team.world.region, escalation.Ask("now", "call"))
    return request


def test_a_plan_round_trips_through_its_snapshot(team: Team) -> None:
    plan = snapshot.of(team.policy)
    assert plan == snapshot.Plan(
        policy_id=team.policy.pk,
        name="Standard",
        repeat=1,
        start_timeout_minutes=30,
        delay_factors=snapshot.DelayFactors(now=1, hours=3, week=12),
        steps=(
            snapshot.Step(5, (snapshot.Target(TargetKind.ROTATION, team.rotation.pk),)),
            snapshot.Step(5, (snapshot.Target(TargetKind.USER, team.b.pk),)),
            snapshot.Step(5, (snapshot.Target(TargetKind.COORDINATOR),)),
        ),
    )
    stored = json.loads(json.dumps(plan.to_json()))
    assert stored["version"] == snapshot.VERSION
    assert snapshot.parse(stored) == plan

    request = reach_out(team.world.telecommunicator, team)
    assert SupportRequest.objects.get(pk=request.pk).plan == plan  # as the database keeps it
    assert plan.delay(plan.steps[0], Urgency.WEEK) == timedelta(minutes=60)
    assert plan.start_timeout == timedelta(minutes=30)


def test_a_plan_cannot_be_changed(team: Team) -> None:
    plan = snapshot.of(team.policy)
    step = plan.steps[0]
    for thing, field, value in [
        (plan, "repeat", 5),
        (plan.delay_factors, "week", 1),
        (step, "delay_minutes", 1),
        (step.targets[0], "id", team.c.pk),
    ]:
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(thing, field, value)
    assert isinstance(plan.steps, tuple) and isinstance(step.targets, tuple)


@pytest.mark.parametrize(
    ("stored", "factors", "name"),
    [
        (UNVERSIONED, snapshot.DelayFactors(1, 3, 12), "Standard"),
        # it keeps its steps' own waits
        (BEFORE_THE_SLOWER_CLOCK, snapshot.DelayFactors(1, 1, 1), "Standard"),
        (WITHOUT_A_POLICY, snapshot.DelayFactors(1, 1, 1), ""),
    ],
)
def test_a_snapshot_without_a_version_is_read_as_version_1_and_brought_up_to_date(
    stored: dict[str, object], factors: snapshot.DelayFactors, name: str
) -> None:
    plan = snapshot.parse(stored)
    assert (plan.delay_factors, plan.name) == (factors, name)
    assert plan.to_json() == {
        **stored,
        "name": name,
        "delay_factors": factors.to_json(),
        "version": 2,
    }
    assert snapshot.parse({**stored, "version": 1}) == plan


def test_an_unversioned_snapshot_keeps_its_steps_and_targets() -> None:
    plan = snapshot.parse(UNVERSIONED)
    assert [step.delay_minutes for step in plan.steps] == [5, 10, 5]
    assert plan.steps[1].targets == (
        snapshot.Target(TargetKind.USER, 4),
        snapshot.Target(TargetKind.ALL_AVAILABLE),
    )
    assert (plan.policy_id, plan.repeat, plan.start_timeout_minutes) == (7, 1, 30)


@pytest.mark.parametrize("version", [snapshot.VERSION + 1, 0, -1, "2", 2.0, True, None])
def test_a_snapshot_of_an_unknown_version_is_refused_when_read(version: object) -> None:
    with pytest.raises(snapshot.UnknownVersion) as refused:
        snapshot.parse({**snapshot.of(None).to_json(), "version": version})
    assert refused.value.version == version
    assert f"version {version!r}" in str(refused.value)


def changed(path: tuple[str | int, ...], value: object) -> dict[str, Any]:
    """The current snapshot of UNVERSIONED with one value (found by ``path``) changed;
    ``...`` as the value removes it."""
    stored = snapshot.parse(UNVERSIONED).to_json()
    *inner, last = path
    holder: Any = stored  # a mapping or a list, as the path goes down the JSON
    for key in inner:
        holder = holder[key]
    if value is ...:
        del holder[last]
    else:
        holder[last] = value
    return stored


@pytest.mark.parametrize(
    ("stored", "said"),
    [
        ([], "is not an object"),
        (changed(("steps",), ...), "missing fields ['steps']"),
        (changed(("escalate_to",), "nobody"), "unknown fields ['escalate_to']"),
        (changed(("steps", 0, "targets", 0, "kind"), "pager"), "unknown kind 'pager'"),
        (changed(("steps", 1, "targets", 0, "id"), None), "its user is not a whole number"),
        (changed(("steps", 1, "targets", 1, "id"), 4), "names nobody"),
        (changed(("steps", 0, "delay_minutes"), True), "its wait is not a whole number"),
        (changed(("steps", 0, "delay_minutes"), "5"), "its wait is not a whole number"),
        (changed(("repeat",), -1), "its repeat is not a whole number of at least 0"),
        (changed(("delay_factors", "week"), 0), "delay factor week is not a whole number"),
        (changed(("delay_factors", "soon"), 2), "unknown fields ['soon']"),
        (changed(("steps",), {}), "its steps are not a list"),
        (changed(("steps", 2, "targets"), "coordinator"), "its targets are not a list"),
        (changed(("name",), 7), "its name is not text"),
    ],
)
def test_a_damaged_snapshot_is_refused_and_says_what_is_wrong(stored: object, said: str) -> None:
    with pytest.raises(snapshot.Malformed) as refused:
        snapshot.parse(stored)
    assert said in str(refused.value)


def test_a_request_with_a_snapshot_of_an_unknown_version_cannot_be_created(world: World) -> None:
    with pytest.raises(snapshot.UnknownVersion):
        SupportRequest.objects.create(
            region=world.region,
            requester=world.telecommunicator,
            urgency="now",
            policy_snapshot=NEWER,
        )
    with pytest.raises(snapshot.Malformed):
        SupportRequest.objects.create(
            region=world.region, requester=world.telecommunicator, urgency="now"
        )
    assert not SupportRequest.objects.exists()


def test_a_reach_out_whose_snapshot_cannot_be_read_is_refused_and_says_it_was_not_sent(
    team: Team,
    recorder: Recorder,
    client_of: ClientOf,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A Backline that writes snapshots of a version it cannot read (nothing in the
    database can make one: its checks hold every policy to what a plan holds). The
    request is not accepted, so no step of it can fail later; the same form goes once
    the snapshot can be read."""
    writes = snapshot.Plan.to_json
    monkeypatch.setattr(
        snapshot.Plan, "to_json", lambda plan: {**writes(plan), "version": snapshot.VERSION + 1}
    )
    requester = client_of(team.world.telecommunicator)
    form = reach_out_form()
    response = requester.post(reverse("support:reach_out"), form)
    assert response.status_code == 503
    page = response.content.decode()
    assert "Your request was not sent." in page
    assert "Please try again in a moment" in page
    assert 'href="tel:988"' in page and 'href="sms:988"' in page
    assert f'value="{form["once"]}"' in page  # the same form, to send again
    assert not SupportRequest.objects.exists()
    assert not OutgoingMessage.objects.exists()
    assert "reach out refused" in caplog.text
    assert f"version {snapshot.VERSION + 1}" in caplog.text

    monkeypatch.undo()
    response = requester.post(reverse("support:reach_out"), form)
    request = SupportRequest.objects.get()
    assert response["Location"] == reverse("support:request", args=[request.public_id])


def test_the_engine_logs_a_snapshot_of_an_unknown_version_by_name_and_pages_the_others(
    team: Team, recorder: Recorder, moment: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    newer = reach_out(team.world.telecommunicator, team)
    other = make_person("tom@harbor.test", "Tom Other", team.world.agency, Role.TELECOMMUNICATOR)
    fine = reach_out(other, team)
    moment.tick()
    assert len(recorder.take(to="a@mail.test")) == 2  # A, for each
    # written by a newer Backline (of two running side by side during an upgrade)
    SupportRequest.objects.filter(pk=newer.pk).update(policy_snapshot=NEWER)

    with caplog.at_level(logging.ERROR, logger="backline.support.escalation"):
        moment.later(minutes=5)  # step 2 of both is due
    assert fine.pages.filter(step_index=1, peer=team.b).exists()  # the other went out
    recorder.expect(to="+15550100002")  # once: the newer one's step 2 waits
    assert not newer.pages.filter(step_index=1).exists()
    [failed] = [
        r for r in caplog.records if r.exc_info and r.exc_info[0] is snapshot.UnknownVersion
    ]
    assert f"request {newer.pk}" in failed.getMessage()
    assert f"version {snapshot.VERSION + 1}" in caplog.text
    state = EscalationState.objects.get(request=newer)
    assert (state.step_index, state.next_escalation_at) == (1, clock.now() + timedelta(minutes=1))


def _before_the_rewrite() -> list[tuple[str, str]]:
    """What the migration that rewrites snapshots (whatever its number) comes after."""
    graph = MigrationExecutor(connection).loader.graph
    [rewrite] = [
        key
        for key in graph.nodes
        if key[0] == "support" and key[1].endswith("_policy_snapshots_to_current_version")
    ]
    return sorted(parent.key for parent in graph.node_map[rewrite].parents)


@pytest.mark.django_db(transaction=True)
def test_the_migration_rewrites_stored_snapshots_in_the_current_version(
    team: Team, caplog: pytest.LogCaptureFixture
) -> None:
    MigrationExecutor(connection).migrate(_before_the_rewrite())
    old, undated, no_policy, current, newer = (
        reach_out(
            make_person(f"t{i}@harbor.test", f"Tel {i}", team.world.agency, Role.TELECOMMUNICATOR),
            team,
        )
        for i in range(5)
    )
    stored = {
        old: UNVERSIONED,
        undated: BEFORE_THE_SLOWER_CLOCK,
        no_policy: WITHOUT_A_POLICY,
        current: current.policy_snapshot,
        newer: NEWER,
    }
    for request, value in stored.items():
        SupportRequest.objects.filter(pk=request.pk).update(policy_snapshot=value)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())  # to the newest, through this one

    after = dict(SupportRequest.objects.values_list("pk", "policy_snapshot"))
    for request in (old, undated, no_policy, current):
        assert after[request.pk]["version"] == snapshot.VERSION
        assert snapshot.parse(after[request.pk]) == snapshot.parse(stored[request])
    assert after[current.pk] == current.policy_snapshot
    assert after[newer.pk] == NEWER  # left as it was: the engine says so when it reads it
    assert f"unreadable: requests [{newer.pk}]" in caplog.text


def test_a_plan_keeps_every_step_in_order_with_all_its_targets_and_none(team: Team) -> None:
    """Read in one query: a step's several targets stay together, in the order they
    were added, and a step without any stays where it is (it is skipped when it fires)."""
    first = team.policy.steps.get(order=0)
    StepTarget.objects.create(step=first, kind=TargetKind.ALL_AVAILABLE)
    StepTarget.objects.create(step=first, kind=TargetKind.USER, user=team.c)
    EscalationStep.objects.filter(policy=team.policy, order=2).update(order=3)
    EscalationStep.objects.create(policy=team.policy, order=2, delay_minutes=7)
    plan = snapshot.of(team.policy)
    assert [step.delay_minutes for step in plan.steps] == [5, 5, 7, 5]
    assert plan.steps[0].targets == (
        snapshot.Target(TargetKind.ROTATION, team.rotation.pk),
        snapshot.Target(TargetKind.ALL_AVAILABLE),
        snapshot.Target(TargetKind.USER, team.c.pk),
    )
    assert plan.steps[2].targets == ()
    assert plan.steps[3].targets == (snapshot.Target(TargetKind.COORDINATOR),)
