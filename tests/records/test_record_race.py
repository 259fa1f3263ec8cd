"""The same record form sent twice at the same moment (a double tap on a slow network)
files one record."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from backline.lib import tokens
from backline.records.models import ContactRecord
from backline.records.views import today_of
from tests.personas import World

SAID = ["Saved. Thank you for being there.", "This record was already saved. Thank you."]
pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent writers are PostgreSQL's"
)


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_submits_file_one_record(world: World) -> None:
    sent = {
        "date": today_of(world.peer).isoformat(),
        "contact_type": "informal",
        "channel": "in_person",
        "duration": "under_15",
        "topics": ["workplace"],
        "referral": "none",
        "follow_up": "no",
        "once": tokens.new_token(),
    }
    clients = []
    for _ in range(2):
        client = Client()
        client.force_login(world.peer)
        clients.append(client)
    barrier = threading.Barrier(2)
    answers: list[str] = []

    def submit(client: Client) -> None:
        try:
            barrier.wait()
            response = client.post(reverse("records:new"), sent, follow=True)
            # the page's words (the test client's ``context`` is shared between threads)
            page = response.content.decode()
            answers.extend(said for said in SAID if said in page)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == SAID
    assert ContactRecord.objects.count() == 1
