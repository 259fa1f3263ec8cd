"""A peer who leaves the team: their plans pause, the coordinator is told how many (never
for whom), and each colleague chooses whether another peer continues."""

from __future__ import annotations

from datetime import UTC, date, datetime

from django.test import Client
from django.urls import reverse

from backline.accounts import grants
from backline.accounts.models import Membership
from backline.accounts.roles import Role
from backline.checkins import due
from backline.checkins.models import OptOut, Plan
from backline.notify.models import Channel, OutgoingMessage
from tests.checkins.builders import plan, plan_form
from tests.harness import ClientOf, Clock, Recorder, Team
from tests.personas import make_person


def _leaves(team: Team) -> tuple[Plan, Plan]:
    """B plans check-ins with the telecommunicator and with Wes; then B's peer role ends."""
    wes = make_person("wes@harbor.test", "Wes Tern", team.world.agency, Role.TELECOMMUNICATOR)
    peer = Client()
    peer.force_login(team.b)
    first = plan(peer, plan_form(team.world.telecommunicator))
    second = plan(peer, plan_form(wes, starts_on=date(2026, 3, 3)))
    grants.remove(Membership.objects.get(user=team.b, role=Role.PEER), by=team.world.coordinator)
    return first, second


def _inbox(user_id: int) -> list[OutgoingMessage]:
    return list(OutgoingMessage.objects.filter(recipient_id=user_id, channel=Channel.INAPP))


def test_the_plans_pause_and_the_coordinator_reads_a_count(
    team: Team, client_of: ClientOf, recorder: Recorder, moment: Clock
) -> None:
    first, second = _leaves(team)
    for paused in Plan.objects.all():
        assert paused.peer is None and paused.next_at is None and paused.handed_over_at
    (told,) = _inbox(team.world.coordinator.pk)
    assert "2 of their check-in plans are paused" in told.body
    for name in ("Tess", "Wes", "Bo Bee"):
        assert name not in f"{told.subject} {told.body}"
    counts = client_of(team.world.coordinator).get(reverse("checkins:team")).content.decode()
    assert "Wes Tern" not in counts and team.world.telecommunicator.full_name not in counts
    asked = _inbox(first.colleague_id) + _inbox(second.colleague_id)
    assert [m.subject for m in asked] == ["Backline: about your check-ins"] * 2
    moment.to(datetime(2026, 3, 3, 18, tzinfo=UTC))
    assert due.send_due() == 0  # nothing goes out for a paused plan
    recorder.expect_nothing()


def test_the_colleague_chooses_another_peer_to_continue(
    team: Team, client_of: ClientOf, recorder: Recorder, moment: Clock
) -> None:
    first, _ = _leaves(team)
    OptOut.objects.create(colleague=team.world.telecommunicator, peer=team.a)
    colleague = Client()
    colleague.force_login(team.world.telecommunicator)
    page = colleague.get(reverse("checkins:settings")).content.decode()
    assert "May another peer continue?" in page
    assert team.c.email in page and team.a.email not in page  # A was stopped
    continued = colleague.post(
        reverse("checkins:handed_over_continue", args=[first.pk]),
        {f"plan{first.pk}-peer": team.c.pk},
    )
    assert continued.status_code == 302
    now = Plan.objects.get(pk=first.pk)
    assert now.peer == team.c and now.next_at == datetime(2026, 3, 2, 17, tzinfo=UTC)
    assert [m.subject for m in _inbox(team.c.pk)] == [
        "Backline: a colleague would like you to check in"
    ]
    assert (
        team.world.telecommunicator.full_name
        in client_of(team.c).get(reverse("checkins:plans")).content.decode()
    )
    # a second tap, or a choice on a stale page, changes nothing
    dee = make_person("dee@harbor.test", "Dee Dee", team.world.agency, Role.PEER)
    stale = colleague.post(
        reverse("checkins:handed_over_continue", args=[first.pk]),
        {f"plan{first.pk}-peer": dee.pk},
        follow=True,
    )
    assert "These check-ins already continue. Nothing was changed." in stale.content.decode()
    assert Plan.objects.get(pk=first.pk).peer == team.c
    recorder.expect_nothing()


def test_the_colleague_may_end_them_instead_and_nobody_else_may(
    team: Team, client_of: ClientOf, recorder: Recorder
) -> None:
    _, second = _leaves(team)
    stranger = Client()
    stranger.force_login(team.world.telecommunicator)
    refused = stranger.post(
        reverse("checkins:handed_over_end", args=[second.pk]), {"confirm": "yes"}
    )
    assert refused.status_code == 404 and Plan.objects.filter(pk=second.pk).exists()
    wes = Client()
    wes.force_login(second.colleague)
    wes.post(reverse("checkins:handed_over_end", args=[second.pk]), {"confirm": "yes"})
    assert not Plan.objects.filter(pk=second.pk).exists()
    chosen = wes.post(
        reverse("checkins:handed_over_continue", args=[second.pk]),
        {f"plan{second.pk}-peer": team.c.pk},
    )
    assert chosen.status_code == 404
