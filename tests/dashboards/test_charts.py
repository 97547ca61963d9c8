"""The XmR chart's SVG: its month labels never overlap, however many months it shows."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date

import pytest

from psirf.dashboards import charts, spc
from psirf.timeutil import add_months
from psirf.web import dates
from psirf.web.svg import text_width

SVG = "{http://www.w3.org/2000/svg}"


def _label_boxes(svg: str) -> list[tuple[float, float, str]]:
    """Each month label's (left, right, text), laid out as the SVG places it: centred on its x,
    as wide as its characters at its font size."""
    boxes = []
    for label in ET.fromstring(svg).iter(f"{SVG}text"):
        if label.get("class") != "psirf-chart__category":
            continue
        assert label.get("text-anchor") == "middle"
        x, width = float(label.get("x")), text_width(label.text, float(label.get("font-size")))
        boxes.append((x - width / 2, x + width / 2, label.text))
    return boxes


@pytest.mark.parametrize(("months", "step"), [(12, 2), (36, 4), (120, 24)])
def test_month_labels_never_overlap_and_step_through_the_calendar(months, step):
    first = date(2016, 1, 1)
    labels = [dates.short_month(add_months(first, i)) for i in range(months)]
    chart = spc.xmr([10 + i % 3 for i in range(months)])

    svg = str(charts.xmr_chart(chart, labels, chart_id="spc", title="Events a month"))

    boxes = _label_boxes(svg)
    assert [text for _, _, text in boxes] == labels[::step]
    for (_, right, text), (left, _, after) in zip(boxes, boxes[1:]):
        assert right < left, f"{text} overlaps {after}"
    assert boxes[0][0] >= 0 and boxes[-1][1] <= charts.WIDTH
