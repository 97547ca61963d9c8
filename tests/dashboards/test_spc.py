"""The XmR maths against series worked by hand: the limits, then each of the four rules.

Each series carries its hand working: the values (x), the moving ranges (MR = |x(i) - x(i-1)|),
the mean, the mean moving range (mR), the process limits (mean +- 2.66 mR) and the two-sigma lines
(mean +- 1.773 mR). The rules are NHSRplotthedots' (psirf-domain.md 6.x): runs and trends of 7 by
default (6 when asked), two of three beyond the same two-sigma line with all three on its side of
the mean.
"""

from __future__ import annotations

import pytest

from psirf.dashboards import spc


def _signals(chart: spc.XmR) -> dict[str, list[int]]:
    return {rule: chart.indices_for(rule) for rule in spc.RULES if chart.indices_for(rule)}


def test_limits_from_the_mean_moving_range():
    #  i   0   1   2   3   4
    #  x  10  12  14  10  14     mean 60 / 5 = 12
    #  MR  -   2   2   4   4     mR 12 / 4 = 3
    # limits 12 +- 2.66 x 3 = 12 +- 7.98; two-sigma 12 +- 1.773 x 3 = 12 +- 5.319
    chart = spc.xmr([10, 12, 14, 10, 14])
    assert chart.mean == pytest.approx(12)
    assert chart.mean_moving_range == pytest.approx(3)
    assert (chart.lower_limit, chart.upper_limit) == pytest.approx((4.02, 19.98))
    assert (chart.lower_two_sigma, chart.upper_two_sigma) == pytest.approx((6.681, 17.319))
    assert [p.moving_range for p in chart.points] == [None, 2, 2, 4, 4]


def test_lower_limit_floored_at_zero_for_counts():
    # x 1 5 1 5 1: mean 2.6, MR 4 4 4 4, mR 4; lower limit 2.6 - 10.64 = -8.04, floored to 0.
    chart = spc.xmr([1, 5, 1, 5, 1])
    assert chart.lower_limit == 0 and chart.lower_two_sigma == 0
    assert spc.xmr([1, 5, 1, 5, 1], floor_at_zero=False).lower_limit == pytest.approx(-8.04)


def test_a_baseline_fixes_the_limits_from_its_first_points():
    # Baseline x 10 12 10 12: mean 11, MR 2 2 2, mR 2; the later 40 moves neither.
    chart = spc.xmr([10, 12, 10, 12, 40], baseline=4)
    assert (chart.baseline, chart.mean, chart.mean_moving_range) == (4, 11, 2)
    assert chart.upper_limit == pytest.approx(16.32)


def test_no_signal_in_common_cause_variation():
    values = [10, 12, 9, 11, 10, 13, 9, 11, 12, 10, 11, 9]
    chart = spc.xmr(values)
    assert not chart.has_signal
    assert spc.describe(chart, [str(i) for i in range(12)]).startswith("No special-cause variation")


def test_rule_one_flags_a_point_beyond_a_process_limit():
    #  i   0   1   2   3   4   5   6   7   8
    #  x  10  14  10  14  10  14  10  14  30    mean 126 / 9 = 14
    #  MR  -   4   4   4   4   4   4   4  16    mR 44 / 8 = 5.5
    # upper limit 14 + 2.66 x 5.5 = 28.63; lower 14 - 14.63 < 0, floored to 0
    # upper two-sigma 14 + 1.773 x 5.5 = 23.7515: only the 30 is beyond it, so no rule 4.
    chart = spc.xmr([10, 14, 10, 14, 10, 14, 10, 14, 30])
    assert (chart.mean, chart.mean_moving_range) == (14, 5.5)
    assert chart.upper_limit == pytest.approx(28.63)
    assert _signals(chart) == {spc.BEYOND_LIMIT: [8]}


def test_rule_two_flags_every_point_of_a_shift_of_seven_on_one_side_of_the_mean():
    #  i   0   1   2   3   4   5   6   7   8   9  10  11
    #  x   4  14   4  14   4  11  12  11  12  11  12  11    mean 120 / 12 = 10
    #  MR  -  10  10  10  10   7   1   1   1   1   1   1    mR 53 / 11 = 4.818
    # side -   +   -   +   -   +   +   +   +   +   +   +    indices 5-11: seven above the mean
    # limits 10 +- 12.816 (0 to 22.816); two-sigma 10 +- 8.543 (1.457 to 18.543): none beyond.
    chart = spc.xmr([4, 14, 4, 14, 4, 11, 12, 11, 12, 11, 12, 11])
    assert (chart.mean, chart.mean_moving_range) == pytest.approx((10, 53 / 11))
    assert _signals(chart) == {spc.SHIFT: [5, 6, 7, 8, 9, 10, 11]}


def test_a_shift_of_six_is_a_signal_only_when_the_run_length_is_six():
    #  i   0   1   2   3   4   5   6   7   8   9  10  11  12
    #  x   4  14   4  14   4  14   4  12  11  12  11  12  11    mean 127 / 13 = 9.769
    # side -   +   -   +   -   +   -   +   +   +   +   +   +    indices 7-12: six above
    values = [4, 14, 4, 14, 4, 14, 4, 12, 11, 12, 11, 12, 11]
    assert _signals(spc.xmr(values)) == {}
    assert _signals(spc.xmr(values, run_length=6)) == {spc.SHIFT: [7, 8, 9, 10, 11, 12]}


def test_a_point_on_the_mean_breaks_a_shift():
    # x 12 12 12 10 12 12 12 8 10 8 10 8: mean 120 / 12 = 10, so each 10 sits on it.
    values = [12, 12, 12, 10, 12, 12, 12, 8, 10, 8, 10, 8]
    assert spc.xmr(values).indices_for(spc.SHIFT) == []


def test_rule_three_flags_every_point_of_a_trend_of_seven_rising():
    #  i   0   1   2   3   4   5   6   7   8   9  10  11
    #  x  10   6  12   8   9  10  11  12  13  14   8  12    mean 125 / 12 = 10.417
    #  MR  -   4   6   4   1   1   1   1   1   1   6   4    mR 30 / 11 = 2.727
    # step     -   +   -   +   +   +   +   +   +   -   +    8 (i 3) up to 14 (i 9): seven rising
    # limits 10.417 +- 7.255 (3.162 to 17.671); two-sigma 10.417 +- 4.835 (5.581 to 15.252)
    # Only 11 to 14 (i 6-9) sit above the mean: four, no shift.
    chart = spc.xmr([10, 6, 12, 8, 9, 10, 11, 12, 13, 14, 8, 12])
    assert (chart.mean, chart.mean_moving_range) == pytest.approx((125 / 12, 30 / 11))
    assert _signals(chart) == {spc.TREND: [3, 4, 5, 6, 7, 8, 9]}


def test_a_trend_of_six_and_an_equal_value():
    # x 10 9 11 10 10 12 13 14 15 16 11 10: the equal 10, 10 (i 3, 4) breaks the climb, leaving
    # 10 to 16 (i 4-9), six rising: a trend only when the run length is 6.
    flat = [10, 9, 11, 10, 10, 12, 13, 14, 15, 16, 11, 10]
    assert spc.xmr(flat).indices_for(spc.TREND) == []
    assert spc.xmr(flat, run_length=6).indices_for(spc.TREND) == [4, 5, 6, 7, 8, 9]


def test_a_falling_trend_is_flagged_too():
    # x 20 19 18 17 16 15 14 18: seven falling (i 0-6), then a rise.
    assert spc.xmr([20, 19, 18, 17, 16, 15, 14, 18]).indices_for(spc.TREND) == [0, 1, 2, 3, 4, 5, 6]


# Rule 4's series share a baseline of ten points that fixes the lines:
#  i   0   1   2   3   4   5   6   7   8   9
#  x  10  12  10  12  10  12  10  12  10  12    mean 110 / 10 = 11
#  MR  -   2   2   2   2   2   2   2   2   2    mR 18 / 9 = 2
# process limits 11 +- 2.66 x 2 = 11 +- 5.32 (5.68 to 16.32)
# two-sigma lines 11 +- 1.773 x 2 = 11 +- 3.546 (7.454 to 14.546)
BASELINE = [10, 12] * 5


def _after_baseline(*later: float) -> spc.XmR:
    return spc.xmr([*BASELINE, *later], baseline=10, floor_at_zero=False)


def test_rule_four_flags_two_of_three_beyond_the_upper_two_sigma_line_all_above_the_mean():
    #  i  10  11  12
    #  x  15  13  15    all three above the mean 11; 15 and 15 beyond 14.546, 13 is not
    chart = _after_baseline(15, 13, 15)
    assert (chart.mean, chart.upper_two_sigma) == pytest.approx((11, 14.546))
    assert _signals(chart) == {spc.TWO_OF_THREE: [10, 12]}  # the points beyond the line


def test_rule_four_flags_two_of_three_below_the_lower_two_sigma_line():
    #  i  10  11  12
    #  x   7  10   7    all three below the mean 11; 7 and 7 below 7.454
    assert _signals(_after_baseline(7, 10, 7)) == {spc.TWO_OF_THREE: [10, 12]}


def test_rule_four_is_no_signal_when_the_third_point_lies_on_the_other_side_of_the_mean():
    #  i  10  11  12
    #  x  15   9  15    15 and 15 beyond 14.546, but 9 is below the mean 11: no window of
    #                   three lies wholly above the mean, so common cause.
    assert _signals(_after_baseline(15, 9, 15)) == {}


def test_rule_four_is_no_signal_when_the_third_point_sits_on_the_mean():
    #  x  15  11  15    11 is the mean itself: on neither side.
    assert _signals(_after_baseline(15, 11, 15)) == {}


def test_rule_four_counts_a_point_beyond_the_process_limit():
    #  i  10  11  12
    #  x  17  15  12    17 beyond the limit 16.32 (rule 1) and the line 14.546; 15 beyond the
    #                   line; 12 above the mean 11: two of three beyond, all three above.
    chart = _after_baseline(17, 15, 12)
    assert _signals(chart) == {spc.BEYOND_LIMIT: [10], spc.TWO_OF_THREE: [10, 11]}


def test_rule_four_is_no_signal_for_two_points_beyond_opposite_lines():
    #  x  15   7  11    15 beyond the upper line, 7 beyond the lower: not the same line.
    assert _signals(_after_baseline(15, 7, 11)) == {}


def test_run_length_is_six_or_seven():
    with pytest.raises(ValueError):
        spc.xmr([1, 2, 3], run_length=5)


def test_the_signals_in_words():
    chart = spc.xmr([10, 14, 10, 14, 10, 14, 10, 14, 30])
    labels = [f"M{i}" for i in range(9)]
    assert spc.describe(chart, labels) == "Special-cause variation. Beyond a process limit: M8."
