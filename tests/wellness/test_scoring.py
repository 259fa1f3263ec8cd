"""Each instrument is scored exactly by its published rules (the figures below are the
rules' own: the PHQ-9 and GAD-7 instructions, the PCL-5's scoring notes from the National
Center for PTSD, the ProQOL 5 self-score key)."""

from __future__ import annotations

import pytest

from backline.wellness.instruments import (
    GAD7,
    INSTRUMENTS,
    PCL5,
    PHQ9,
    PROQOL5,
    STRESS,
    InvalidAnswers,
    score,
)
from tests.wellness.builders import answering

PHQ9_BANDS = [(0, "Minimal"), (4, "Minimal"), (5, "Mild"), (9, "Mild"), (10, "Moderate"),
              (14, "Moderate"), (15, "Moderately severe"), (19, "Moderately severe"),
              (20, "Severe"), (27, "Severe")]  # fmt: skip
GAD7_BANDS = [(0, "Minimal"), (4, "Minimal"), (5, "Mild"), (9, "Mild"), (10, "Moderate"),
              (14, "Moderate"), (15, "Severe"), (21, "Severe")]  # fmt: skip


@pytest.mark.parametrize(("total", "band"), PHQ9_BANDS)
def test_phq9_sums_its_nine_items_into_the_published_bands(total: int, band: str) -> None:
    answers = [0] * 9  # item 9 stays at zero: the bands, not the crisis rule
    for index in range(8):
        answers[index] = min(3, total - sum(answers))
    answers[8] = total - sum(answers)
    found = score(PHQ9, answers)
    assert (found.scales[0].total, str(found.scales[0].band.label)) == (total, band)


@pytest.mark.parametrize(("total", "band"), GAD7_BANDS)
def test_gad7_sums_its_seven_items_into_the_published_bands(total: int, band: str) -> None:
    found = score(GAD7, answering("gad7", total))
    assert (found.scales[0].total, str(found.scales[0].band.label)) == (total, band)


def test_a_moderate_score_suggests_talking_and_a_mild_one_does_not() -> None:
    assert score(PHQ9, answering("phq9", 10)).concern
    assert not score(PHQ9, answering("phq9", 9)).concern
    assert score(GAD7, answering("gad7", 10)).concern
    assert not score(GAD7, answering("gad7", 9)).concern


@pytest.mark.parametrize("answer", [1, 2, 3])
def test_any_answer_above_zero_to_phq9_item_9_is_a_crisis_whatever_the_total(
    answer: int,
) -> None:
    found = score(PHQ9, [0] * 8 + [answer])
    assert found.crisis and found.concern
    assert str(found.scales[0].band.label) == "Minimal"


def test_phq9_item_9_at_zero_is_no_crisis_even_at_the_top_of_the_scale() -> None:
    assert not score(PHQ9, [3] * 8 + [0]).crisis


def test_pcl5_sums_twenty_items_from_0_to_80_with_its_provisional_cut_point() -> None:
    assert score(PCL5, [0] * 20).scales[0].total == 0
    assert score(PCL5, [4] * 20).scales[0].total == 80
    bands = {
        t: str(score(PCL5, answering("pcl5", t)).scales[0].band.label) for t in (30, 31, 33, 34)
    }
    assert bands == {
        30: "Below the provisional cut-point",
        31: "Within the provisional cut-point (31\u201333)",
        33: "Within the provisional cut-point (31\u201333)",
        34: "Above the provisional cut-point",
    }
    assert not score(PCL5, answering("pcl5", 30)).concern
    assert score(PCL5, answering("pcl5", 31)).concern


def test_pcl5_clusters_are_items_1_to_5_6_to_7_8_to_14_and_15_to_20() -> None:
    answers = [1, 1, 1, 1, 1, 2, 2, 3, 3, 3, 3, 3, 3, 3, 4, 4, 4, 4, 4, 4]
    found = score(PCL5, answers)
    assert {c.cluster.key: c.total for c in found.clusters} == {"B": 5, "C": 4, "D": 21, "E": 24}
    assert found.scales[0].total == 54


def test_pcl5_cluster_rule_counts_items_rated_2_or_more() -> None:
    # one B, one C, two D, two E at 2: the fewest that meet DSM-5's provisional rule
    met = [2, 0, 0, 0, 0, 2, 0, 2, 2, 0, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0]
    assert score(PCL5, met).clusters_met
    one_d_short = met.copy()
    one_d_short[8] = 1  # a 1 is "a little bit": it does not count
    found = score(PCL5, one_d_short)
    assert not found.clusters_met
    assert [c.met for c in found.clusters] == [True, True, False, True]


def test_proqol_reverses_burnout_items_1_4_15_17_and_29() -> None:
    # every answer "Never" (1): the five reversed items score 5 each
    found = {s.scale.key: s.total for s in score(PROQOL5, [1] * 30).scales}
    assert found == {
        "compassion_satisfaction": 10,
        "burnout": 5 * 5 + 5 * 1,
        "secondary_traumatic_stress": 10,
    }
    found = {s.scale.key: s.total for s in score(PROQOL5, [5] * 30).scales}
    assert found["burnout"] == 5 * 1 + 5 * 5
    # only the reversed items at 2 (read as 4), the others at 1
    answers = [2 if n in {1, 4, 15, 17, 29} else 1 for n in range(1, 31)]
    assert score(PROQOL5, answers).scales[1].total == 5 * 4 + 5 * 1


def test_proqol_subscales_are_its_published_items() -> None:
    cs = {3, 6, 12, 16, 18, 20, 22, 24, 27, 30}
    sts = {2, 5, 7, 9, 11, 13, 14, 23, 25, 28}
    answers = [5 if n in cs else 3 if n in sts else 1 for n in range(1, 31)]
    found = {s.scale.key: s.total for s in score(PROQOL5, answers).scales}
    assert found["compassion_satisfaction"] == 50
    assert found["secondary_traumatic_stress"] == 30


@pytest.mark.parametrize(
    ("total", "band"),
    [(10, "Low"), (22, "Low"), (23, "Moderate"), (41, "Moderate"), (42, "High"), (50, "High")],
)
def test_proqol_cut_scores_are_22_or_less_23_to_41_and_42_or_more(total: int, band: str) -> None:
    sts = [2, 5, 7, 9, 11, 13, 14, 23, 25, 28]
    answers = [3] * 30
    spread = [1] * 10
    left = total - 10
    for index in range(10):
        spread[index] += min(4, left)
        left -= min(4, left)
    for item, value in zip(sts, spread, strict=True):
        answers[item - 1] = value
    found = score(PROQOL5, answers).scales[2]
    assert (found.total, str(found.band.label)) == (total, band)


def test_proqol_concern_is_low_satisfaction_or_high_burnout_or_stress() -> None:
    assert score(PROQOL5, [1] * 30).concern  # compassion satisfaction 10: low
    assert not score(PROQOL5, [3] * 30).concern  # every scale moderate


@pytest.mark.parametrize(
    ("zone", "label", "concern"),
    [(0, "Ready (green)", False), (1, "Reacting (yellow)", False),
     (2, "Injured (orange)", True), (3, "Ill (red)", True)],
)  # fmt: skip
def test_the_stress_continuum_has_four_zones(zone: int, label: str, concern: bool) -> None:
    found = score(STRESS, [zone])
    assert (str(found.scales[0].band.label), found.concern) == (label, concern)


@pytest.mark.parametrize("key", sorted(INSTRUMENTS))
def test_answers_of_the_wrong_number_or_out_of_range_are_refused(key: str) -> None:
    instrument = INSTRUMENTS[key]
    lowest = min(instrument.values)
    with pytest.raises(InvalidAnswers):
        score(instrument, [lowest] * (len(instrument.items) + 1))
    with pytest.raises(InvalidAnswers):
        score(instrument, [max(instrument.values) + 1] * len(instrument.items))
    with pytest.raises(InvalidAnswers):
        score(instrument, [lowest - 1] * len(instrument.items))


@pytest.mark.parametrize("key", sorted(INSTRUMENTS))
def test_every_instrument_shows_its_attribution(key: str) -> None:
    assert len(str(INSTRUMENTS[key].attribution)) > 40
