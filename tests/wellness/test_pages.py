"""A person's own self-checks, as they use them: take one, read the result (crisis lines
first when an answer asks for them), see the trend, export, delete; and nobody else, in
any role, reaches any of it."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from backline.wellness.instruments import INSTRUMENTS
from backline.wellness.models import SelfCheck
from tests.harness import ClientOf
from tests.personas import World
from tests.wellness.builders import answering, self_check

OTHERS = ["telecommunicator", "peer", "coordinator", "clinician", "administrator", "outsider"]


def form_of(key: str, answers: list[int], once: str = "a-token", **extra: str) -> dict[str, str]:
    data = {f"item_{n}": str(a) for n, a in enumerate(answers, start=1)}
    return data | {"once": once} | extra


def _signed_in(world: World, who: str) -> Client:
    client = Client()
    client.force_login(getattr(world, who))
    return client


@pytest.fixture
def tess(world: World) -> Client:
    return _signed_in(world, "telecommunicator")


def take(client: Client, key: str, answers: list[int], **extra: str) -> SelfCheck:
    response = client.post(reverse("wellness:take", args=[key]), form_of(key, answers, **extra))
    assert response.status_code == 302, response.content.decode()[:2000]
    pk = int(response["Location"].rstrip("/").rsplit("/", 1)[-1])
    return SelfCheck.objects.get(pk=pk)


@pytest.mark.parametrize("key", sorted(INSTRUMENTS))
def test_each_self_check_is_taken_on_one_page_and_its_result_shown(tess: Client, key: str) -> None:
    page = tess.get(reverse("wellness:take", args=[key]))
    assert page.status_code == 200
    instrument = INSTRUMENTS[key]
    assert page.content.decode().count('type="radio"') >= len(instrument.items) * len(
        instrument.choices
    )
    assert str(instrument.attribution)[:40] in page.content.decode()
    low = min(instrument.values)
    check = take(tess, key, [low] * len(instrument.items))
    result = tess.get(reverse("wellness:result", args=[check.pk]))
    body = result.content.decode()
    assert result.status_code == 200
    assert str(instrument.scales[0].bands[0].label) in body
    assert "Only you can see this." in body


def test_the_result_says_the_score_its_band_and_what_it_means(tess: Client) -> None:
    check = take(tess, "phq9", answering("phq9", 12))
    body = tess.get(reverse("wellness:result", args=[check.pk])).content.decode()
    assert "Score 12 (from 0 to 27)" in body
    assert "Moderate" in body
    assert "Talking helps" in body  # a moderate result suggests reaching out, in one tap
    assert reverse("support:reach_out") in body


def test_a_mild_result_does_not_push(tess: Client) -> None:
    check = take(tess, "gad7", answering("gad7", 6))
    body = tess.get(reverse("wellness:result", args=[check.pk])).content.decode()
    assert "Mild" in body and "Talking helps" not in body


@pytest.mark.parametrize(("key", "answers"), [("phq9", [0] * 8 + [1]), ("stress", [3])])
def test_crisis_lines_come_before_anything_else(tess: Client, key: str, answers: list[int]) -> None:
    check = take(tess, key, answers)
    body = tess.get(reverse("wellness:result", args=[check.pk])).content.decode()
    main = body[body.index('<main id="main"') :]
    assert main.index('href="tel:988"') < main.index("<h1>")
    assert 'href="sms:988"' in main
    assert reverse("support:reach_out") in main


def test_an_orange_zone_suggests_a_peer_without_the_crisis_card(tess: Client) -> None:
    check = take(tess, "stress", [2])
    body = tess.get(reverse("wellness:result", args=[check.pk])).content.decode()
    assert "Injured (orange)" in body and "Talking helps" in body
    assert "You don&#x27;t have to wait" not in body and "You don't have to wait" not in body


def test_pcl5_shows_its_clusters_and_says_its_cut_point_is_provisional(tess: Client) -> None:
    answers = [2, 0, 0, 0, 0, 2, 0, 2, 2, 0, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0]
    check = take(tess, "pcl5", answers)
    body = tess.get(reverse("wellness:result", args=[check.pk])).content.decode()
    assert "Intrusion (B, items 1\u20135)" in body
    assert "Every cluster meets DSM-5's provisional rule." in body
    assert "provisional cut-point" in body


def test_phq9_keeps_its_unscored_tenth_question(tess: Client) -> None:
    check = take(tess, "phq9", answering("phq9", 3), extra="2")
    assert check.answers.extra == 2
    assert check.answers.result.scales[0].total == 3
    body = tess.get(reverse("wellness:result", args=[check.pk])).content.decode()
    assert "Very difficult" in body


def test_missing_or_out_of_range_answers_save_nothing_and_say_which(tess: Client) -> None:
    url = reverse("wellness:take", args=["gad7"])
    missing = form_of("gad7", [1] * 6)  # item 7 unanswered
    response = tess.post(url, missing)
    assert response.status_code == 200
    body = response.content.decode()
    assert "A few questions have no answer yet." in body
    assert body.count("Please choose an answer to this question.") == 1
    assert re.search(r'name="item_1" value="1"[^>]*checked', body)  # answers kept
    out_of_range = form_of("gad7", [1] * 6 + [4])
    assert (
        "Please choose one of the answers shown." in tess.post(url, out_of_range).content.decode()
    )
    assert not SelfCheck.objects.exists()


def test_a_double_tap_saves_one_result(tess: Client) -> None:
    first = take(tess, "stress", [1], once="same")
    second = take(tess, "stress", [1], once="same")
    assert first.pk == second.pk and SelfCheck.objects.count() == 1


def test_a_stale_page_without_its_token_saves_nothing(tess: Client) -> None:
    data = form_of("stress", [1])
    del data["once"]
    response = tess.post(reverse("wellness:take", args=["stress"]), data)
    assert "This page was out of date." in response.content.decode()
    assert not SelfCheck.objects.exists()


def test_an_unknown_self_check_is_not_found(tess: Client) -> None:
    assert tess.get(reverse("wellness:take", args=["phq10"])).status_code == 404
    assert tess.get(reverse("wellness:trend", args=["phq10"])).status_code == 404


@pytest.mark.parametrize("who", OTHERS[1:])
def test_nobody_else_in_any_role_reaches_a_result(world: World, tess: Client, who: str) -> None:
    check = take(tess, "phq9", answering("phq9", 16))
    other = _signed_in(world, who)
    assert other.get(reverse("wellness:result", args=[check.pk])).status_code == 404
    index = other.get(reverse("wellness:index")).content.decode()
    assert "Moderately severe" not in index and "Last taken" not in index
    assert json.loads(other.get(reverse("wellness:export_json")).content)["results"] == []
    assert other.get(reverse("wellness:export_csv")).content.decode().count("\n") == 1
    trend = other.get(reverse("wellness:trend", args=["phq9"])).content.decode()
    assert "No results yet." in trend
    # nor can they delete it
    other.post(reverse("wellness:delete"), {"confirm": "yes"})
    assert SelfCheck.objects.filter(pk=check.pk).exists()


def test_a_signed_out_visitor_is_sent_to_sign_in(world: World, tess: Client) -> None:
    check = take(tess, "stress", [2])
    anonymous = Client()
    for url in (reverse("wellness:index"), reverse("wellness:result", args=[check.pk])):
        response = anonymous.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_database_holds_no_answer_and_no_score_in_the_clear(tess: Client) -> None:
    check = take(tess, "pcl5", [3] * 20)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM wellness_selfcheck WHERE id = %s", [check.pk])
        row = " ".join(map(str, cursor.fetchone()))
    # the sealed value is base64 and the digest hex: neither holds a space or a comma,
    # so no list of answers, and no word of the JSON, can appear by chance
    for clear in ("pcl5", "[3, 3", "3, 3, 3", "items", "instrument", "Above the provisional"):
        assert clear not in row


def test_nothing_of_a_result_reaches_the_logs(tess: Client, written: io.StringIO) -> None:
    check = take(tess, "phq9", [3] * 8 + [2])
    tess.get(reverse("wellness:result", args=[check.pk]))
    tess.get(reverse("wellness:export_json"))
    logged = written.getvalue()
    for clear in ("Severe", "phq9", "[3, 3", '"items"'):
        assert clear not in logged


def test_the_trend_is_drawn_with_its_bands_named_and_every_point_labelled(tess: Client) -> None:
    for total in (4, 11, 21):
        take(tess, "phq9", answering("phq9", total), once=f"t{total}")
    body = tess.get(reverse("wellness:trend", args=["phq9"])).content.decode()
    start = body.index('<svg class="trend-chart"')
    svg = body[start : body.index("</svg>", start)]
    assert 'role="img"' in svg and "3 results, shown in the table below" in svg
    for band in ("Minimal", "Mild", "Moderate", "Moderately severe", "Severe"):
        assert f">{band}</text>" in svg
    labels = re.findall(r'class="point-label"[^>]*>(\d+)<', svg)
    assert labels == ["4", "11", "21"]
    points = re.findall(r'<circle class="trend-point" cx="([\d.]+)" cy="([\d.]+)"', svg)
    heights = [float(y) for _x, y in points]
    assert heights[0] > heights[1] > heights[2]  # a higher score is drawn higher
    assert body.count("<tr>") == 4  # the same results as a table


def test_proqol_draws_one_chart_per_subscale(tess: Client) -> None:
    take(tess, "proqol5", [3] * 30)
    body = tess.get(reverse("wellness:trend", args=["proqol5"])).content.decode()
    assert body.count('<svg class="trend-chart"') == 3
    for label in ("Compassion satisfaction", "Burnout", "Secondary traumatic stress"):
        assert label in body


def test_every_result_can_be_exported_as_json_and_csv(tess: Client) -> None:
    take(tess, "stress", [1], once="a")
    take(tess, "proqol5", [1] * 30, once="b")
    exported = tess.get(reverse("wellness:export_json"))
    assert exported["Content-Disposition"].startswith("attachment;")
    rows = json.loads(exported.content)["results"]
    assert [r["instrument"] for r in rows] == ["stress", "proqol5"]
    assert rows[1]["answers"] == [1] * 30
    assert rows[1]["scores"] == {
        "compassion_satisfaction": 10,
        "burnout": 30,
        "secondary_traumatic_stress": 10,
    }
    table = list(
        csv.DictReader(io.StringIO(tess.get(reverse("wellness:export_csv")).content.decode()))
    )
    assert [r["instrument"] for r in table] == ["stress", "proqol5"]
    assert "burnout=30" in table[1]["scores"]


def test_deleting_everything_takes_one_confirmed_step(world: World, tess: Client) -> None:
    take(tess, "stress", [1], once="a")
    take(tess, "gad7", [0] * 7, once="b")
    self_check(world.peer, "stress", [0])
    index = tess.get(reverse("wellness:index")).content.decode()
    assert "Delete all my results" in index and 'name="confirm" value="yes"' in index
    tess.post(reverse("wellness:delete"))  # without the confirm step: nothing
    assert SelfCheck.objects.filter(owner=world.telecommunicator).count() == 2
    response = tess.post(reverse("wellness:delete"), {"confirm": "yes"}, follow=True)
    assert "All your self-check results are deleted." in response.content.decode()
    assert not SelfCheck.objects.filter(owner=world.telecommunicator).exists()
    assert SelfCheck.objects.filter(owner=world.peer).count() == 1  # only theirs
    assert tess.get(reverse("wellness:delete")).status_code == 405


def test_deleting_a_person_deletes_their_results(world: World) -> None:
    self_check(world.telecommunicator, "stress", [0])
    world.telecommunicator.delete()
    assert not SelfCheck.objects.exists()


def test_peers_are_offered_the_proqol_each_quarter(world: World, client_of: ClientOf) -> None:
    peer = client_of(world.peer)
    assert "Looking after the helper" in peer.get(reverse("wellness:index")).content.decode()
    take(peer, "proqol5", [3] * 30)
    assert "Looking after the helper" not in peer.get(reverse("wellness:index")).content.decode()
    tess = _signed_in(world, "telecommunicator")
    assert "Looking after the helper" not in tess.get(reverse("wellness:index")).content.decode()
