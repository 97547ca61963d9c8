"""The one chart geometry: where a run chart's points, labels and lines fall."""

import re

import pytest

from psirf.config import PROJECT_ROOT
from psirf.web.svg import CategoryPlot, scale


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


def test_category_labels_are_thinned_to_about_twelve():
    p = plot(count=30)
    labels = p.category_labels([f"M{i}" for i in range(30)])
    assert len(labels) == 10 and ">M0</text>" in labels[0] and ">M27</text>" in labels[-1]


@pytest.mark.parametrize("module", ["psirf/dashboards/charts.py", "psirf/improvement/progress.py"])
def test_no_chart_keeps_a_geometry_of_its_own(module):
    source = (PROJECT_ROOT / module).read_text()
    assert not re.search(r"def (x_of|y_of)\b", source)
