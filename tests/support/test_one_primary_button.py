"""One primary button per page, for its main action: every page of the project (every
URL pattern, filled with every id and token the test knows, as the privacy sweep does)
is opened by every persona, with requests waiting, taken and anonymous, and none shows
more than one ``button-primary``."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

from django.test import Client
from django.urls import reverse

from backline.accounts.models import User
from backline.accounts.roles import Role
from backline.lib import clock
from backline.notify.models import Channel, ContactMethod
from backline.oncall.models import Availability, Override, ShiftOffer
from backline.support import escalation, lifecycle
from tests import asking
from tests.harness import Clock, Recorder, Team
from tests.oncall import builders
from tests.personas import make_person
from tests.sweep import Known, body_of, collect, routes, urls_of

PRIMARY = re.compile(r"""class=["'][^"']*\bbutton-primary\b""")


def _client(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_no_page_has_more_than_one_primary_button(
    team: Team, recorder: Recorder, moment: Clock
) -> None:
    world = team.world
    taken, _ = asking.reach_out(
        world.telecommunicator, world.region, escalation.Ask("now", "call", note="rough")
    )
    assert lifecycle.acknowledge(taken, team.a, timedelta(minutes=15))
    waiting_for = make_person("wes@harbor.test", "Wes Waiting", world.agency, Role.TELECOMMUNICATOR)
    asking.reach_out(waiting_for, world.region, escalation.Ask("week", "text"))
    anonymous, token = asking.reach_out(
        make_person("ann@harbor.test", "Ann Onymous", world.agency, Role.TELECOMMUNICATOR),
        world.region,
        escalation.Ask("now", "call", anonymous=True, callback_number="+15550100999"),
    )
    moment.later(minutes=6)  # the next step pages B too
    assert sorted(s.address for s in recorder.take()) == [
        "+15550100002",  # for the anonymous request
        "a@mail.test",
        "a@mail.test",
    ]
    spare = builders.rotation(world.region, [team.a], name="Spare")
    builders.schedule(world.region, spare)
    builders.policy(world.region, spare, default=False)  # one that is not the team's
    now = clock.now()
    hours = {"starts_at": now + timedelta(hours=1), "ends_at": now + timedelta(hours=3)}
    Override.objects.create(rotation=spare, covered_by=team.b, **hours)
    ShiftOffer.objects.create(rotation=spare, offered_by=team.a, **hours)
    Availability.objects.create(user=team.b, until=now + timedelta(hours=2))
    for value in ("+15550100777", "+15550100778"):  # two waiting for their code
        ContactMethod.objects.create(user=team.a, channel=Channel.SMS, value=value)
    known = Known()
    assert token is not None  # an anonymous request's follow link
    known.add("follow", token)
    collect(known)
    urls = sorted({url for route in routes() for url in urls_of(route, known)})
    personas = {
        "visitor": None,
        "requester whose request was taken": world.telecommunicator,
        "requester who waits": waiting_for,
        "peer who took it": team.a,
        "peer who was paged": team.b,
        "coordinator": world.coordinator,
        "clinician": world.clinician,
        "administrator": world.administrator,
    }

    crowded, single = [], set()
    logging.disable(logging.WARNING)  # the 404s of ids that are not theirs
    try:
        for name, user in personas.items():
            client = _client(user)
            for url in urls:
                response = client.get(url)
                if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                    continue
                count = len(PRIMARY.findall(body_of(response)))
                if count > 1:
                    crowded.append((name, url, count))
                elif count == 1:
                    single.add((name, url))
    finally:
        logging.disable(logging.NOTSET)
    assert crowded == []
    # the count finds them: the main actions the loop depends on are primary
    assert ("peer who was paged", reverse("support:offer", args=[anonymous.public_id])) in single
    assert ("peer who was paged", reverse("home")) in single  # "Reach out"
    assert ("visitor", reverse("account_login")) in single
