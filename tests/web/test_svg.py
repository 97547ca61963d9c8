"""The one chart geometry: where a run chart's points, labels and lines fall."""

import re

import pytest

from psirf.config import PROJECT_ROOT
from psirf.web.svg import CategoryPlot, scale, text_width


def plot(count: int = 4, values=(0, 10)) -> CategoryPlot:
    # A 400 x 200 canvas less margins of 40 (left), 20 (right), 10 (top), 30 (bottom).
    return CategoryPlot.inside((400, 200), (40, 20, 10, 30), count, scale(list(values), None, None))


def test_the_plot_sits_inside_its_margins():
    p = plot()
    assert (p.left, p.right, p.top, p.bottom) == (40, 380, 10, 170)
    assert (p.low, p.high, p.step) == (0, 10, 2)


def test_points_sit_in_the_middle_of_evenly_spaced_slots():
    p = plot(count=4)
    assert [p.x_of(i) for i in range(4)] == [82.5, 167.5, 252.5, 337.5]


def test_values_rise_up_the_plot_and_are_held_at_its_edges():
    p = plot()
    assert (p.y_of(0), p.y_of(5), p.y_of(10)) == (170, 90, 10)
    assert (p.y_of(-3), p.y_of(99)) == (170, 10)


def test_the_line_breaks_at_a_missing_value_and_a_lone_point_draws_no_line():
    p = plot(count=5)
    lines = p.line([1, 2, None, 4, None], stroke_width=2)
    assert len(lines) == 1
    assert lines[0].count(",") == 2 and 'stroke-width="2"' in lines[0]
    assert p.line([3], stroke_width=2) == []


def test_a_text_is_as_wide_as_its_characters_advances_in_arial():
    # J 500 + a 556 + n 556 + space 278 + 2, 0, 2, 5 at 556 each = 4,114 thousandths of 12 px.
    assert text_width("Jan 2025", 12) == pytest.approx(49.368)
    # A character outside the table (an en dash) counts as a whole em.
    assert text_width("\u2013", 12) == 12


def test_every_label_shows_when_neighbours_fit_their_slots():
    # 340 px / 4 slots = 85 px a label; "Month 1" is 38.7 px wide.
    labels = plot(count=4).category_labels([f"Month {i}" for i in range(4)])
    assert [re.search(r">(.*)</text>", label).group(1) for label in labels] == [
        "Month 0",
        "Month 1",
        "Month 2",
        "Month 3",
    ]


def test_labels_are_thinned_to_a_calendar_step_so_neighbours_keep_half_an_em_apart():
    # 340 px / 30 slots = 11.33 px a slot. "M29" is 23.34 px wide (M 833 + 2 x 556): two such
    # neighbours need 23.34 + 6 = 29.34 px, so 3 slots (34 px) apart, not 2 (22.67 px).
    p = plot(count=30)
    labels = [f"M{i}" for i in range(30)]
    assert p.label_step(labels) == 3
    drawn = p.category_labels(labels)
    assert len(drawn) == 10 and ">M0</text>" in drawn[0] and ">M27</text>" in drawn[-1]
    # Past a year's worth of slots, labels step by whole years.
    assert plot(count=300).label_step([f"M{i}" for i in range(300)]) == 36


@pytest.mark.parametrize("module", ["psirf/dashboards/charts.py", "psirf/improvement/progress.py"])
def test_no_chart_keeps_a_geometry_of_its_own(module):
    source = (PROJECT_ROOT / module).read_text()
    assert not re.search(r"def (x_of|y_of)\b", source)
