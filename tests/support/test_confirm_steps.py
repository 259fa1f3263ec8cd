"""Nothing destructive in one careless tap: cancelling or closing a request, turning off
a paging method, removing one, and deleting a policy, schedule, rotation or override
each sit behind a confirm step on their page, and a POST that did not come from it
changes nothing and says so."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Unpack

import pytest
from django.db.models import Model
from django.test import Client
from django.urls import reverse

from backline.accounts.models import User
from backline.lib import clock
from backline.notify.models import ContactMethod
from backline.oncall.models import Override, Rotation, Schedule
from backline.support import escalation, lifecycle
from backline.support.models import EscalationPolicy, RequestStatus, SupportRequest
from tests import asking
from tests.asking import Asked
from tests.harness import Recorder, Team
from tests.oncall import builders
from tests.personas import confirm_access

CONFIRMED = {"confirm": "yes"}
NOTHING_CHANGED = "Nothing was changed. That needs one more tap, to confirm."


@dataclass
class Case:
    client: Client
    action: str  # where the destructive form posts
    page: str  # where its confirm step is shown
    done: Callable[[], bool]  # whether the action happened
    data: dict[str, str]  # what the form sends besides the confirmation


def _signed_in(user: User) -> Client:
    """Signed in, and just confirmed their password, as removing a method asks."""
    client = Client()
    client.force_login(user)
    confirm_access(client)
    return client


def _request(team: Team, **ask: Unpack[Asked]) -> tuple[SupportRequest, str | None]:
    return asking.reach_out(
        team.world.telecommunicator, team.world.region, escalation.Ask("now", "call", **ask)
    )


def _status_is(request: SupportRequest, status: str) -> Callable[[], bool]:
    return lambda: SupportRequest.objects.get(pk=request.pk).status == status


def _gone(model: type[Model], pk: int) -> Callable[[], bool]:
    return lambda: not model._default_manager.filter(pk=pk).exists()


def _cancel(team: Team) -> Case:
    request, _token = _request(team)
    page = reverse("support:request", args=[request.public_id])
    action = reverse("support:cancel", args=[request.public_id])
    client = _signed_in(team.world.telecommunicator)
    return Case(client, action, page, _status_is(request, RequestStatus.CANCELLED), {})


def _follow_cancel(team: Team) -> Case:
    request, token = _request(team, anonymous=True, callback_number="+15550100999")
    page = reverse("support:follow", args=[token])
    action = reverse("support:follow_cancel", args=[token])
    return Case(Client(), action, page, _status_is(request, RequestStatus.CANCELLED), {})


def _close(team: Team) -> Case:
    request, _token = _request(team)
    assert lifecycle.acknowledge(request, team.a, timedelta(minutes=15))
    page = reverse("support:request", args=[request.public_id])
    action = reverse("support:close", args=[request.public_id])
    return Case(_signed_in(team.a), action, page, _status_is(request, RequestStatus.CLOSED), {})


def _turn_off(team: Team) -> Case:
    method = ContactMethod.objects.get(user=team.a)
    action = reverse("notify:method_enable", args=[method.pk])
    return Case(
        _signed_in(team.a),
        action,
        reverse("notify:methods"),
        lambda: ContactMethod.objects.get(pk=method.pk).disabled,
        {"enabled": "no"},
    )


def _remove_method(team: Team) -> Case:
    method = ContactMethod.objects.get(user=team.a)
    action = reverse("notify:method_remove", args=[method.pk])
    return Case(_signed_in(team.a), action, action, _gone(ContactMethod, method.pk), {})


def _deletes(
    name: str, detail: str, model: type[Model], make: Callable[[Team], Model]
) -> Callable[[Team], Case]:
    """A coordinator deletes what ``make`` made, from the page named ``detail`` (with
    the object's id, unless it is the overrides' list)."""

    def case(team: Team) -> Case:
        shown = make(team)
        page = reverse(detail) if model is Override else reverse(detail, args=[shown.pk])
        action = reverse(name, args=[shown.pk])
        return Case(_signed_in(team.world.coordinator), action, page, _gone(model, shown.pk), {})

    return case


def _override(team: Team) -> Override:
    now = clock.now()
    return Override.objects.create(
        rotation=team.rotation,
        covered_by=team.b,
        starts_at=now + timedelta(hours=1),
        ends_at=now + timedelta(hours=3),
    )


CASES = {
    "cancel my request": _cancel,
    "cancel an anonymous request": _follow_cancel,
    "close the request": _close,
    "turn off a paging method": _turn_off,
    "remove a paging method": _remove_method,
    "delete a policy": _deletes(
        "policies:delete",
        "policies:detail",
        EscalationPolicy,
        lambda t: builders.policy(t.world.region, default=False),
    ),
    "delete a rotation": _deletes(
        "oncall:rotation_delete",
        "oncall:rotation",
        Rotation,
        lambda t: builders.rotation(t.world.region, [t.a], name="Spare"),
    ),
    "delete a schedule": _deletes(
        "oncall:schedule_delete",
        "oncall:schedule",
        Schedule,
        lambda t: builders.schedule(t.world.region, t.rotation),
    ),
    "delete an override": _deletes(
        "oncall:override_delete", "oncall:overrides", Override, _override
    ),
}


def _behind_a_confirm_step(html: str, action: str) -> bool:
    """Every form of the page that posts to ``action`` sends ``confirm=yes``, and sits
    in a ``<details class="confirm">``: it shows only once that is opened."""
    forms = [
        (m.start(), m[0])
        for m in re.finditer(r"<form\b[^>]*>.*?</form>", html, flags=re.DOTALL)
        if f'action="{action}"' in m[0]
    ]
    if not forms:
        return False
    for at, text in forms:
        if 'name="confirm" value="yes"' not in text:
            return False
        opened = html.rfind('<details class="confirm">', 0, at)
        if opened == -1 or "</details>" in html[opened:at]:
            return False
    return True


@pytest.mark.parametrize("name", list(CASES))
def test_each_destructive_action_asks_first_and_changes_nothing_unasked(
    team: Team, recorder: Recorder, name: str
) -> None:
    case = CASES[name](team)
    page = case.client.get(case.page)
    assert page.status_code == 200
    html = page.content.decode()
    if case.action == case.page:  # a page that is itself the confirm step
        assert 'name="confirm" value="yes"' in html
    else:
        assert _behind_a_confirm_step(html, case.action), html

    unasked = case.client.post(case.action, case.data, follow=True)
    assert unasked.status_code == 200
    assert NOTHING_CHANGED in unasked.content.decode()
    assert not case.done()

    case.client.post(case.action, case.data | CONFIRMED)
    assert case.done()


def test_a_stale_cancel_after_close_says_so_and_changes_nothing(
    team: Team, recorder: Recorder
) -> None:
    request, _token = _request(team)
    requester = _signed_in(team.world.telecommunicator)
    page = requester.get(reverse("support:request", args=[request.public_id]))
    assert b"Cancel my request" in page.content  # the page the requester still has open
    assert lifecycle.acknowledge(request, team.a, timedelta(minutes=15))
    assert lifecycle.close(request, team.a)
    closed = SupportRequest.objects.get(pk=request.pk)

    stale = requester.post(
        reverse("support:cancel", args=[request.public_id]), CONFIRMED, follow=True
    )
    assert stale.status_code == 200
    assert "This request had already ended." in stale.content.decode()
    after = SupportRequest.objects.get(pk=request.pk)
    assert (after.status, after.closed_at) == (RequestStatus.CLOSED, closed.closed_at)


def test_a_stale_cancel_of_an_anonymous_request_after_close_says_so(
    team: Team, recorder: Recorder
) -> None:
    request, token = _request(team, anonymous=True, callback_number="+15550100999")
    assert lifecycle.acknowledge(request, team.a, timedelta(minutes=15))
    assert lifecycle.close(request, team.a)
    stale = Client().post(reverse("support:follow_cancel", args=[token]), CONFIRMED, follow=True)
    assert "This request had already ended." in stale.content.decode()
    assert SupportRequest.objects.get(pk=request.pk).status == RequestStatus.CLOSED
