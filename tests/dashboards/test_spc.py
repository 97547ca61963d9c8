"""The XmR maths against hand-worked series: one per rule, and one with no signal."""

from __future__ import annotations

import pytest

from psirf.dashboards import spc


def test_limits_from_the_mean_moving_range():
    # Mean 12; moving ranges 2, 2, 4, 0 -> mean MR 2; limits 12 +- 5.32; two-sigma 12 +- 3.546.
    chart = spc.xmr([10, 12, 14, 10, 10 + 4 * 0 + 4 * 1 + 0])  # 10, 12, 14, 10, 14
    assert chart.mean == pytest.approx(12)
    assert chart.mean_moving_range == pytest.approx(3)  # 2, 2, 4, 4
    assert chart.upper_limit == pytest.approx(12 + 2.66 * 3)
    assert chart.lower_limit == pytest.approx(12 - 2.66 * 3)
    assert chart.upper_two_sigma == pytest.approx(12 + 1.773 * 3)
    assert [p.moving_range for p in chart.points] == [None, 2, 2, 4, 4]


def test_lower_limit_floored_at_zero_for_counts():
    chart = spc.xmr([1, 5, 1, 5, 1])  # mean 2.6, MR 4 -> lower 2.6 - 10.64 < 0
    assert chart.lower_limit == 0 and chart.lower_two_sigma == 0
    assert spc.xmr([1, 5, 1, 5, 1], floor_at_zero=False).lower_limit == pytest.approx(
        2.6 - 2.66 * 4
    )


def test_no_signal_in_common_cause_variation():
    values = [10, 12, 9, 11, 10, 13, 9, 11, 12, 10, 11, 9]
    chart = spc.xmr(values)
    assert not chart.has_signal
    assert spc.describe(chart, [str(i) for i in range(12)]).startswith("No special-cause variation")


def test_a_point_beyond_the_upper_limit():
    # Baseline of the first 11: mean 10.45..., MR about 2; 40 is far beyond.
    values = [10, 12, 9, 11, 10, 12, 9, 11, 10, 12, 9, 40]
    chart = spc.xmr(values, baseline=11)
    assert chart.baseline == 11
    assert chart.indices_for(spc.BEYOND_LIMIT) == [11]
    assert spc.BEYOND_LIMIT in chart.points[11].rules


def test_a_shift_of_seven_flags_every_point_of_the_run():
    # Mean of all 14 is 10.5: the last 7 (11..13) sit above it, the first 7 (8..10) below.
    values = [9, 10, 8, 10, 9, 10, 8, 12, 11, 13, 12, 11, 12, 13]
    chart = spc.xmr(values)
    assert chart.indices_for(spc.SHIFT) == list(range(14))
    # Six above is not a shift at 7, but is at 6.
    six = [9, 10, 8, 10, 9, 10, 8, 9, 12, 11, 13, 12, 11, 12]
    assert 13 not in spc.xmr(six).indices_for(spc.SHIFT)
    assert spc.xmr(six, run_length=6).indices_for(spc.SHIFT)[-6:] == list(range(8, 14))


def test_a_point_on_the_mean_breaks_a_shift():
    values = [12, 12, 12, 10, 12, 12, 12, 8, 10, 8, 10, 8]  # mean 10: the 10s sit on it
    assert spc.xmr(values).indices_for(spc.SHIFT) == []


def test_a_trend_of_seven_rising_points():
    values = [
        10,
        9,
        11,
        10,
        11,
        12,
        13,
        14,
        15,
        16,
        11,
        10,
    ]  # 10 (index 3) to 16 (index 9): seven rising
    chart = spc.xmr(values)
    assert chart.indices_for(spc.TREND) == [3, 4, 5, 6, 7, 8, 9]
    # Six rising (index 4 to 9) is a trend only when the run length is 6; an equal value breaks it.
    flat = [10, 9, 11, 10, 10, 12, 13, 14, 15, 16, 11, 10]
    assert spc.xmr(flat).indices_for(spc.TREND) == []
    assert spc.xmr(flat, run_length=6).indices_for(spc.TREND) == [4, 5, 6, 7, 8, 9]


def test_a_falling_trend_is_flagged_too():
    values = [20, 19, 18, 17, 16, 15, 14, 18]
    assert spc.xmr(values).indices_for(spc.TREND) == [0, 1, 2, 3, 4, 5, 6]


def test_two_of_three_beyond_the_same_two_sigma_line():
    # Baseline of 10 alternating 10/12: mean 11, MR 2 -> two-sigma 11 +- 3.546 (14.546), limit 16.32.
    base = [10, 12] * 5
    chart = spc.xmr([*base, 15, 11, 15, 11], baseline=10)
    assert chart.indices_for(spc.TWO_OF_THREE) == [10, 12]
    assert chart.indices_for(spc.BEYOND_LIMIT) == []
    # A point beyond the process limit counts towards the rule.
    chart = spc.xmr([*base, 17, 15, 11], baseline=10)
    assert chart.indices_for(spc.TWO_OF_THREE) == [10, 11]
    assert chart.indices_for(spc.BEYOND_LIMIT) == [10]
    # Two beyond on opposite sides are not the rule.
    wide = spc.xmr([*base, 15, 7, 11], baseline=10, floor_at_zero=False)
    assert wide.indices_for(spc.TWO_OF_THREE) == []


def test_run_length_is_six_or_seven():
    with pytest.raises(ValueError):
        spc.xmr([1, 2, 3], run_length=5)


def test_the_signals_in_words():
    chart = spc.xmr([10, 12, 9, 11, 10, 12, 9, 11, 10, 12, 9, 40], baseline=11)
    labels = [f"M{i}" for i in range(12)]
    assert spc.describe(chart, labels) == "Special-cause variation. Beyond a process limit: M11."
