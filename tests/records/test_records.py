"""The record a peer files after a contact: every mode, bad input, the seven-day window
on a moving clock, and what the database row holds (no colleague, no request)."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse

from backline.accounts.models import User
from backline.lib import tokens
from backline.records.models import (
    ContactRecord,
    RecordMode,
    RecordSettings,
)
from tests.harness import Clock
from tests.personas import World
from tests.records.builders import record

TODAY = date(2026, 3, 2)  # START, a Monday, in Los Angeles
FULL = {
    "date": "2026-03-02",
    "contact_type": "request",
    "channel": "phone",
    "duration": "15_45",
    "topics": ["critical_call", "grief"],
    "referral": "eap",
    "follow_up": "yes",
}


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _form(**changes: object) -> dict[str, object]:
    return {**FULL, "once": tokens.new_token(), **changes}


def _mode(world: World, mode: RecordMode, **fields: object) -> None:
    RecordSettings.objects.update_or_create(region=world.region, defaults={"mode": mode, **fields})


def test_the_table_has_no_column_for_the_colleague_or_the_request(db: None) -> None:
    table = ContactRecord._meta.db_table
    with connection.cursor() as cursor:
        columns = {c.name for c in connection.introspection.get_table_description(cursor, table)}
        relations = connection.introspection.get_relations(cursor, table)
    assert columns == {
        "id",
        "region_id",
        "peer_id",
        "mode",
        "date",
        "contact_type",
        "channel",
        "duration",
        "topics",
        "referral",
        "follow_up_planned",
        "filed_on",
        "once_digest",
    }
    # the only people and places a row points to: the filing peer and the team
    assert {target for _column, (_field, target) in relations.items()} == {
        "accounts_user",
        "accounts_region",
    }
    assert {column for column in relations} == {"peer_id", "region_id"}
    # and the date is a day: no time of day to match with a request's close
    kinds = {f.name: f.get_internal_type() for f in ContactRecord._meta.get_fields()}
    assert kinds["date"] == kinds["filed_on"] == "DateField"


def test_a_peer_files_a_record_in_categories(world: World, moment: Clock) -> None:
    response = _client(world.peer).post(reverse("records:new"), _form())
    assert response.status_code == 302 and response["Location"] == reverse("records:mine")
    record = ContactRecord.objects.get()
    assert record.peer == world.peer and record.region == world.region
    assert (record.mode, record.date, record.filed_on) == ("categories", TODAY, TODAY)
    assert (record.contact_type, record.channel, record.duration) == ("request", "phone", "15_45")
    assert (record.topics, record.referral, record.follow_up_planned) == (
        ["critical_call", "grief"],
        "eap",
        True,
    )
    assert list(ContactRecord.objects.filed_by(world.peer)) == [record]
    assert not ContactRecord.objects.filed_by(world.telecommunicator).exists()
    page = _client(world.peer).get(reverse("records:mine")).content.decode()
    assert "Critical call, Grief" in page and "Correct it (until" in page


def test_the_form_starts_from_what_is_known(world: World, moment: Clock) -> None:
    url = reverse("records:new") + "?type=request&channel=text"
    page = _client(world.peer).get(url).content.decode()
    assert 'value="2026-03-02"' in page
    checked = re.findall(r'name="(\w+)" value="(\w+)"[^>]* checked', page)
    assert checked == [
        ("contact_type", "request"),
        ("channel", "text"),
        ("follow_up", "no"),
    ]
    assert '<option value="none" selected>' in page  # no referral
    assert "No names, no notes" in page
    assert "Your coordinators see the record, not that you filed it." in page


def test_counts_only_keeps_the_kind_and_the_week(world: World, moment: Clock) -> None:
    _mode(world, RecordMode.COUNTS)
    client = _client(world.peer)
    page = client.get(reverse("records:new")).content.decode()
    assert "counts only" in page and 'name="channel"' not in page and 'name="topics"' not in page
    response = client.post(
        reverse("records:new"),
        _form(date="2026-03-05", contact_type="check_in") | {"date": "2026-02-26"},
    )
    assert response.status_code == 302
    record = ContactRecord.objects.get()
    assert record.date == date(2026, 2, 23)  # the Monday of its ISO week
    assert (record.mode, record.contact_type) == ("counts", "check_in")
    assert (record.channel, record.duration, record.topics, record.referral) == ("", "", [], "")
    assert record.follow_up_planned is None


def test_a_team_that_keeps_no_records_shows_no_form(world: World, moment: Clock) -> None:
    _mode(world, RecordMode.NONE)
    client = _client(world.peer)
    page = client.get(reverse("records:new"))
    assert page.status_code == 200 and b"keeps no written record" in page.content
    assert b'name="contact_type"' not in page.content
    client.post(reverse("records:new"), _form())
    assert not ContactRecord.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"date": "2026-03-03"}, "That day has not come yet."),
        ({"date": "2026-01-15"}, "Records are kept for contacts of the last 30 days."),
        ({"date": "yesterday"}, "Please give the day as a date"),
        ({"date": ""}, "Please give the day of the contact."),
        ({"contact_type": ""}, "Please choose one."),
        ({"contact_type": "therapy"}, "Please choose one of the options shown."),
        ({"duration": "3_hours"}, "Please choose one of the options shown."),
        ({"channel": ""}, "Please choose one."),
        ({"topics": []}, "Please choose at least one topic"),
        ({"topics": ["politics"]}, "Please choose among the topics shown."),
        ({"follow_up": "maybe"}, "Please choose one of the options shown."),
        ({"once": ""}, "This page was out of date."),
    ],
)
def test_bad_input_says_so_and_saves_nothing(
    world: World, moment: Clock, changes: dict[str, object], message: str
) -> None:
    response = _client(world.peer).post(reverse("records:new"), _form(**changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ContactRecord.objects.exists()


def test_a_topic_the_team_does_not_offer_is_refused(world: World, moment: Clock) -> None:
    _mode(world, RecordMode.CATEGORIES, topics=["workplace", "other"])
    client = _client(world.peer)
    page = client.get(reverse("records:new")).content.decode()
    assert "Workplace" in page and "Critical call" not in page
    response = client.post(reverse("records:new"), _form(topics=["grief"]))
    assert response.status_code == 400 and not ContactRecord.objects.exists()


def test_a_double_submit_saves_one_record(world: World, moment: Clock) -> None:
    client = _client(world.peer)
    sent = _form()
    assert client.post(reverse("records:new"), sent).status_code == 302
    again = client.post(reverse("records:new"), sent, follow=True)
    assert b"This record was already saved." in again.content
    assert ContactRecord.objects.count() == 1


def _filed(world: World) -> ContactRecord:
    assert _client(world.peer).post(reverse("records:new"), _form()).status_code == 302
    return ContactRecord.objects.get()


def test_the_peer_corrects_a_record_for_seven_days_then_it_is_final(
    world: World, moment: Clock
) -> None:
    record = _filed(world)
    url = reverse("records:edit", args=[record.pk])
    # 23:00 on 2026-03-08 in Los Angeles (daylight time began that morning): the last
    # hour of the window
    moment.shift(days=6, hours=15)
    client = _client(world.peer)  # signed in again: a week outlasts a session
    assert b"until" in client.get(url).content
    fixed = client.post(url, FULL | {"duration": "45_90", "follow_up": "no"})
    assert fixed.status_code == 302
    record.refresh_from_db()
    assert (record.duration, record.follow_up_planned, record.filed_on) == ("45_90", False, TODAY)

    stale = client.get(url)  # a page opened before midnight, sent after it
    moment.shift(hours=1)  # 2026-03-09, 00:00 in Los Angeles: final
    late = client.post(url, FULL | {"duration": "over_90"})
    assert stale.status_code == 200
    assert late.status_code == 409 and b"This record is final" in late.content
    assert b"Nothing was changed." in late.content
    record.refresh_from_db()
    assert record.duration == "45_90"
    page = client.get(url)
    assert page.status_code == 200 and b"This record is final" in page.content
    assert b'name="duration"' not in page.content
    assert b"Final" in client.get(reverse("records:mine")).content


def test_a_bad_correction_changes_nothing(world: World, moment: Clock) -> None:
    record = _filed(world)
    response = _client(world.peer).post(
        reverse("records:edit", args=[record.pk]), FULL | {"date": "2026-03-09"}
    )
    assert response.status_code == 400 and b"That day has not come yet." in response.content
    record.refresh_from_db()
    assert record.date == TODAY


def test_nobody_else_corrects_or_reads_a_peers_record(world: World, moment: Clock) -> None:
    record = _filed(world)
    url = reverse("records:edit", args=[record.pk])
    for other in (world.coordinator, world.telecommunicator, world.outsider):
        assert _client(other).post(url, FULL | {"duration": "over_90"}).status_code == 404
    record.refresh_from_db()
    assert record.duration == "15_45"


@pytest.mark.parametrize(
    "changes",
    [
        {"mode": RecordMode.COUNTS, "channel": "phone"},  # counts only, with a channel
        {"mode": RecordMode.COUNTS, "topics": ["grief"]},
        {"mode": RecordMode.NONE},  # a team that keeps nothing has no rows
        {"follow_up_planned": None},  # categories, without an answer about a follow-up
        {"duration": "3_hours"},
        {"contact_type": "therapy"},
        {"filed_on": TODAY - timedelta(days=1)},  # filed before the contact
    ],
)
def test_the_database_refuses_an_impossible_record(
    world: World, moment: Clock, changes: dict[str, object]
) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        record(world.region, world.peer, **changes)
    assert record(world.region, world.peer, mode=RecordMode.COUNTS).topics == []
