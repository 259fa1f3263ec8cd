"""Properties of every instrument's scoring, over any answers it accepts (Hypothesis):
each score lies in its scale's range, the bands partition that range, and the crisis rule
depends on PHQ-9's item 9 alone."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backline.wellness.instruments import INSTRUMENTS, PHQ9, Instrument, score


def answers_to(instrument: Instrument) -> st.SearchStrategy[list[int]]:
    values = sorted(instrument.values)
    n = len(instrument.items)
    return st.lists(st.sampled_from(values), min_size=n, max_size=n)


@pytest.mark.parametrize("key", sorted(INSTRUMENTS))
def test_the_bands_partition_each_scale_from_its_lowest_to_its_highest_sum(key: str) -> None:
    instrument = INSTRUMENTS[key]
    for scale in instrument.scales:
        lowest = len(scale.items) * min(instrument.values)
        highest = len(scale.items) * max(instrument.values)
        assert (scale.low, scale.high) == (lowest, highest)
        for before, after in zip(scale.bands, scale.bands[1:], strict=False):
            assert before.low <= before.high and after.low == before.high + 1


@pytest.mark.parametrize("key", sorted(INSTRUMENTS))
@given(data=st.data())
def test_every_score_lies_in_its_range_and_in_exactly_one_band(
    key: str, data: st.DataObject
) -> None:
    instrument = INSTRUMENTS[key]
    found = score(instrument, data.draw(answers_to(instrument)))
    for result in found.scales:
        assert result.scale.low <= result.total <= result.scale.high
        holding = [b for b in result.scale.bands if b.low <= result.total <= b.high]
        assert holding == [result.band]
    for cluster in found.clusters:
        assert 0 <= cluster.endorsed <= len(cluster.cluster.items)


@given(answers=answers_to(PHQ9))
def test_a_phq9_is_a_crisis_exactly_when_item_9_is_above_zero(answers: list[int]) -> None:
    assert score(PHQ9, answers).crisis == (answers[8] > 0)


@given(answers=answers_to(INSTRUMENTS["proqol5"]))
def test_proqol_burnout_is_its_items_with_five_reversed(answers: list[int]) -> None:
    reversed_items = {1, 4, 15, 17, 29}
    expected = sum(
        6 - answers[n - 1] if n in reversed_items else answers[n - 1]
        for n in (1, 4, 8, 10, 15, 17, 19, 21, 26, 29)
    )
    burnout = next(
        s for s in score(INSTRUMENTS["proqol5"], answers).scales if s.scale.key == "burnout"
    )
    assert burnout.total == expected
