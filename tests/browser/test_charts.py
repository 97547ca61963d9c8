"""The width the charts allow a label is the width Chromium draws it: the month labels of a ten-year
XmR chart, measured in the browser, stay apart and within the width the layout gave them."""

from __future__ import annotations

from datetime import date

import pytest

from psirf.dashboards import charts, spc
from psirf.timeutil import add_months
from psirf.web import dates
from psirf.web.svg import text_width
from tests.browser.conftest import AXE, AXE_TAGS

pytestmark = pytest.mark.browser

MEASURE = """() => [...document.querySelectorAll('.psirf-chart__category')].map(t => {
    const box = t.getBBox();
    return [box.x, box.x + box.width, t.textContent];
})"""


def test_month_labels_drawn_by_chromium_fit_the_widths_the_chart_laid_out(browser):
    labels = [dates.short_month(add_months(date(2016, 1, 1), i)) for i in range(120)]
    svg = charts.xmr_chart(
        spc.xmr([10 + i % 3 for i in range(120)]), labels, chart_id="spc", title="Events a month"
    )
    page = browser.new_page()
    page.set_content(
        f'<!doctype html><html lang="en"><title>Chart</title><main>{svg}</main></html>'
    )

    drawn = page.evaluate(MEASURE)

    assert [text for _, _, text in drawn] == labels[::24]
    for left, right, text in drawn:
        assert right - left <= text_width(text, 12) + 0.5, f"{text} is wider than laid out"
    for (_, right, text), (left, _, after) in zip(drawn, drawn[1:]):
        assert right < left, f"{text} overlaps {after}"
    page.evaluate(AXE)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    assert result["violations"] == []
    page.close()
