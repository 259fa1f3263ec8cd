"""Who answered an invitation is for the facilitators alone. Every URL pattern of the
project, filled with every id and token known (tests/sweep.py), is requested by each
persona after people answered: nobody but the facilitators, not even the coordinator
who organised it, is shown the name or address of anyone who answered. Each person
sees the session and how many are coming."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import resolve, reverse

from backline.accounts.roles import Role
from backline.meetings.models import Answer, Meeting
from backline.privacy.models import AuditEntry
from tests.harness import ClientOf, Clock
from tests.meetings import builders
from tests.personas import World, make_person
from tests.sweep import Known, Needle, body_of, collect, haystack, routes, urls_of

ROSTER = ("roster:", "roster_changes")  # the roster lists every member, by design


@pytest.fixture
def quiet() -> Iterator[None]:
    logging.disable(logging.WARNING)
    yield
    logging.disable(logging.NOTSET)


def _answered(world: World, client_of: ClientOf) -> tuple[Meeting, list[Needle]]:
    """A support group the coordinator organised and the peer facilitates; Rhea says
    yes, Moss maybe, Nell no, Wade waits for a seat."""
    people = {
        Answer.YES: ("Rhea Yesworth", "rhea@harbor.test"),
        Answer.MAYBE: ("Moss Maybery", "moss@harbor.test"),
        Answer.NO: ("Nell Noakes", "nell@harbor.test"),
        Answer.WAITING_LIST: ("Wade Waitley", "wade@harbor.test"),
    }
    made = {
        said: make_person(email, name, world.agency, Role.TELECOMMUNICATOR)
        for said, (name, email) in people.items()
    }
    meeting = builders.schedule(
        client_of(world.coordinator),
        builders.form(
            facilitators=[world.peer],
            invite=[world.telecommunicator, *made.values()],
            capacity=1,
            zone_of=world.coordinator,
        ),
    )
    for said, person in made.items():
        builders.answer(client_of(person), meeting, said)
    needles = [
        Needle(name, field, value)
        for name, email in people.values()
        for field, value in (("name", name), ("name", name.split()[1]), ("e-mail", email))
    ]
    return meeting, needles


def test_nobody_but_the_facilitators_sees_who_answered(
    world: World, moment: Clock, client_of: ClientOf, quiet: None
) -> None:
    meeting, needles = _answered(world, client_of)
    detail = reverse("meetings:detail", args=[meeting.pk])
    # the positive control: the facilitator sees every answer, and it is audited
    page = client_of(world.peer).get(detail).content.decode()
    for name in ("Rhea Yesworth", "Moss Maybery", "Nell Noakes", "Wade Waitley"):
        assert name in page
    assert (
        AuditEntry.objects.filter(actor_id=world.peer.pk, action="meetings.answers.viewed").count()
        == 5
    )

    known = Known()
    collect(known)
    urls = [url for route in routes() for url in urls_of(route, known)]
    assert detail in urls
    leaks = []
    for persona in ("coordinator", "telecommunicator", "clinician"):
        client = Client()
        client.force_login(getattr(world, persona))
        for url in urls:
            view = resolve(url).view_name
            if persona == "coordinator" and view.startswith(ROSTER):
                continue
            response = client.get(url)
            hay = haystack(response, body_of(response))
            leaks += [(persona, url, n.text) for n in needles if n.found_in(hay)]
    assert leaks == []


def test_an_invitee_and_the_organiser_see_how_many_are_coming(
    world: World, moment: Clock, client_of: ClientOf
) -> None:
    meeting, _ = _answered(world, client_of)
    detail = reverse("meetings:detail", args=[meeting.pk])
    for person in (world.coordinator, world.telecommunicator):
        page = client_of(person).get(detail).content.decode()
        assert "1 of 1 seat taken. 1 maybe. 1 on the waiting list." in page
        assert "Who answered" not in page
    listed = client_of(world.coordinator).get(reverse("meetings:list")).content.decode()
    assert "1 of 1 seat taken" in listed
