"""Escalation stories of care for the peers: a peer on a break is paged by no step, and
a peer already with a colleague is not rung first by "all available peers"."""

from __future__ import annotations

from datetime import timedelta

import pytest

from backline.accounts.models import User
from backline.accounts.roles import Role
from backline.lib import clock
from backline.oncall import breaks
from backline.oncall.models import Availability
from backline.support import escalation, lifecycle, targets
from backline.support.models import EventKind, StepTarget, SupportRequest, TargetKind
from tests.harness import Clock, Recorder, Team
from tests.personas import make_person


def reach_out(team: Team, moment: Clock, who: User | None = None) -> SupportRequest:
    """Reach out, and let the engine page and send, as it does at once."""
    request, _token = escalation.reach_out(
        who or team.world.telecommunicator, team.world.region, escalation.Ask("now", "call")
    )
    moment.tick()
    return request


def a_break(peer: User, days: int = 3) -> None:
    breaks.take(peer, clock.now() + timedelta(days=days), clock.now())


def first_step_pages_all_available(team: Team) -> None:
    step = team.policy.steps.get(order=0)
    step.targets.all().delete()
    StepTarget.objects.create(step=step, kind=TargetKind.ALL_AVAILABLE)


def colleague(team: Team, email: str) -> User:
    """Another telecommunicator of the team, to ask for support."""
    name = email.split("@")[0].title()
    return make_person(email, name, team.world.agency, Role.TELECOMMUNICATOR)


# --- "I need a break" --------------------------------------------------------------


def test_a_peer_on_a_break_is_not_paged_on_their_shift(
    team: Team, recorder: Recorder, moment: Clock
) -> None:
    a_break(team.a)
    request = reach_out(team, moment)
    # A is on call, but on a break: the rotation's step has nobody, and is skipped at once
    recorder.expect(to="+15550100002")  # B, the next step, without waiting
    recorder.expect_nothing(to="a@mail.test")
    assert list(request.events.values_list("kind", flat=True))[:2] == [
        EventKind.SKIPPED,
        EventKind.PAGED,
    ]
    moment.later(minutes=5)
    recorder.expect(to="coord@mail.test")
    moment.later(minutes=5)  # the second pass: A is still away
    recorder.expect(to="+15550100002")
    recorder.expect_nothing(to="a@mail.test")


def test_a_peer_on_a_break_is_not_paged_by_name(
    team: Team, recorder: Recorder, moment: Clock
) -> None:
    a_break(team.b)
    reach_out(team, moment)
    recorder.expect(to="a@mail.test")
    moment.later(minutes=5)  # B's step: B is away, so the coordinator straight after
    recorder.expect(to="coord@mail.test")
    recorder.expect_nothing(to="+15550100002")


def test_a_peer_on_a_break_is_not_among_all_available_peers(
    team: Team, recorder: Recorder, moment: Clock
) -> None:
    first_step_pages_all_available(team)
    Availability.objects.create(user=team.c, until=clock.now() + timedelta(hours=2))
    a_break(team.c)  # taking a break ends "available now"
    assert not Availability.objects.filter(user=team.c).exists()
    Availability.objects.create(user=team.c, until=clock.now() + timedelta(hours=2))
    reach_out(team, moment)
    assert [d.address for d in recorder.take()] == ["a@mail.test"]
    assert team.c.pk not in targets.Team.of(team.world.region.pk).available(clock.now(), False)


def test_paging_resumes_when_the_break_ends_or_is_ended_early(
    team: Team, recorder: Recorder, moment: Clock
) -> None:
    a_break(team.a, days=1)
    assert breaks.end(team.a)  # back early
    first = reach_out(team, moment)
    recorder.expect(to="a@mail.test")
    assert lifecycle.cancel(first)
    recorder.ignore_rest()  # the page is withdrawn
    a_break(team.a, days=1)
    moment.shift(days=1, seconds=1)  # the break is over by its date
    reach_out(team, moment, colleague(team, "tia@harbor.test"))
    recorder.expect(to="a@mail.test", containing="support request")


# --- busy peers are not rung first ---------------------------------------------------


@pytest.fixture
def c_is_busy(team: Team, recorder: Recorder, moment: Clock) -> SupportRequest:
    """C, available now, took an earlier request from another colleague and is with them."""
    first_step_pages_all_available(team)
    Availability.objects.create(user=team.c, until=clock.now() + timedelta(hours=4))
    earlier = reach_out(team, moment, colleague(team, "una@harbor.test"))
    assert {d.address for d in recorder.take()} == {"a@mail.test", "c@mail.test"}
    assert lifecycle.acknowledge(earlier, team.c, timedelta(minutes=5))
    assert lifecycle.start(earlier, team.c)
    recorder.take()  # "taken" notices
    return earlier


def test_a_busy_peer_is_skipped_while_another_is_available(
    team: Team, recorder: Recorder, moment: Clock, c_is_busy: SupportRequest
) -> None:
    reach_out(team, moment)
    assert [d.address for d in recorder.take()] == ["a@mail.test"]


def test_busy_peers_are_paged_when_nobody_else_is_available(
    team: Team, recorder: Recorder, moment: Clock, c_is_busy: SupportRequest
) -> None:
    a_break(team.a)  # the only other one is away
    reach_out(team, moment)
    assert [d.address for d in recorder.take()] == ["c@mail.test"]


def test_when_every_available_peer_is_busy_all_of_them_are_paged(
    team: Team, recorder: Recorder, moment: Clock, c_is_busy: SupportRequest
) -> None:
    second = reach_out(team, moment, colleague(team, "vic@harbor.test"))
    recorder.expect(to="a@mail.test")
    assert lifecycle.acknowledge(second, team.a, timedelta(minutes=5))
    recorder.take()
    reach_out(team, moment)  # A and C are both with a colleague: both are rung
    assert {d.address for d in recorder.take()} == {"a@mail.test", "c@mail.test"}


def test_a_closed_contact_is_not_busy(
    team: Team, recorder: Recorder, moment: Clock, c_is_busy: SupportRequest
) -> None:
    assert lifecycle.close(c_is_busy, team.c)
    recorder.take()
    reach_out(team, moment)
    assert {d.address for d in recorder.take()} == {"a@mail.test", "c@mail.test"}


def test_a_busy_peer_on_call_is_still_paged_by_their_rotation(
    team: Team, recorder: Recorder, moment: Clock
) -> None:
    earlier = reach_out(team, moment, colleague(team, "una@harbor.test"))
    recorder.expect(to="a@mail.test")
    assert lifecycle.acknowledge(earlier, team.a, timedelta(minutes=5))
    recorder.take()
    reach_out(team, moment)  # the rotation names A: their shift, busy or not
    recorder.expect(to="a@mail.test")
