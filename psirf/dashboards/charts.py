"""The XmR chart drawn on the server as SVG, in the "Making Data Count" style, variation only.

`role="img"`, a `<title>`, a `<desc>` that states the signals in words, named axes and a legend.
Special-cause points are drawn as diamonds (common cause as circles), so nothing rests on colour
alone; the page gives the same figures in a table, the chart's text alternative. No JavaScript, no
inline style (CSP): SVG presentation attributes only.
"""

from __future__ import annotations

from typing import Sequence

from markupsafe import Markup

from psirf.dashboards.spc import XmR, describe
from psirf.web.svg import (
    NHS_BLACK,
    NHS_BLUE,
    NHS_GREY_1,
    NHS_WHITE,
    CategoryPlot,
    format_number,
    opening,
    scale,
    text,
)

NHS_PURPLE = "#330072"  # special cause: a distinct shape first, a distinct colour second

WIDTH, HEIGHT = 720, 400
# Margins with room for the axis titles, the line labels and the legend.
LEFT, RIGHT, TOP, BOTTOM = 64, 132, 24, 112


def _number(value: float) -> str:
    return format_number(round(value, 1))


def xmr_chart(
    chart: XmR,
    labels: Sequence[str],
    *,
    chart_id: str,
    title: str,
    x_label: str = "Month",
    y_label: str = "Events",
) -> Markup:
    """The XmR chart of `chart` with one label per point. Empty markup when there are no points."""
    if not chart.points:
        return Markup("")
    values = [p.value for p in chart.points]
    plot = CategoryPlot.inside(
        (WIDTH, HEIGHT),
        (LEFT, RIGHT, TOP, BOTTOM),
        len(values),
        scale([*values, chart.upper_limit], None, 0.0),
    )
    description = (
        f"{describe(chart, labels)} Mean {_number(chart.mean)} a month; process limits "
        f"{_number(chart.lower_limit)} to {_number(chart.upper_limit)}"
        + (
            f", calculated from the first {chart.baseline} months."
            if chart.baseline < len(values)
            else "."
        )
    )
    parts = opening(chart_id, title, description, WIDTH, HEIGHT)
    parts += plot.value_axis()
    parts += plot.category_labels(labels)
    parts += plot.axis_titles(x_label, y_label, x_label_y=plot.bottom + 46)

    # The mean (solid) and the process limits (dashed), each named at its right-hand end.
    lines = [
        ("Mean", chart.mean, None, NHS_BLACK),
        ("Upper limit", chart.upper_limit, "8 5", NHS_GREY_1),
        ("Lower limit", chart.lower_limit, "8 5", NHS_GREY_1),
    ]
    for name, value, dash, colour in lines:
        y = plot.y_of(value)
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(
            f'<line x1="{plot.left}" y1="{y:.1f}" x2="{plot.right}" y2="{y:.1f}" stroke="{colour}" stroke-width="2"{dashed}/>'
        )
        parts.append(
            text(plot.right + 6, y + 5, f"{name} {_number(value)}", anchor="start", size=12)
        )

    parts += plot.line(values, stroke_width=2)
    for p in chart.points:
        if p.special:
            parts.append(_diamond(plot.x_of(p.index), plot.y_of(p.value), 8))
        else:
            parts.append(plot.marker(p.index, p.value, radius=4, stroke_width=2))

    # The legend, below the axis title.
    ly = HEIGHT - 28
    parts.append(
        f'<line x1="{LEFT}" y1="{ly}" x2="{LEFT + 24}" y2="{ly}" stroke="{NHS_BLUE}" stroke-width="2"/>'
    )
    parts.append(
        f'<circle cx="{LEFT + 12}" cy="{ly}" r="4" fill="{NHS_WHITE}" stroke="{NHS_BLUE}" stroke-width="2"/>'
    )
    parts.append(text(LEFT + 30, ly + 5, "Common cause", anchor="start", size=12))
    parts.append(_diamond(LEFT + 142, ly, 8))
    parts.append(text(LEFT + 154, ly + 5, "Special cause", anchor="start", size=12))
    parts.append(
        f'<line x1="{LEFT + 260}" y1="{ly}" x2="{LEFT + 290}" y2="{ly}" stroke="{NHS_BLACK}" stroke-width="2"/>'
    )
    parts.append(text(LEFT + 296, ly + 5, "Mean", anchor="start", size=12))
    parts.append(
        f'<line x1="{LEFT + 350}" y1="{ly}" x2="{LEFT + 380}" y2="{ly}" stroke="{NHS_GREY_1}" stroke-width="2" stroke-dasharray="8 5"/>'
    )
    parts.append(text(LEFT + 386, ly + 5, "Process limits", anchor="start", size=12))
    parts.append("</svg>")
    return Markup("".join(parts))


def _diamond(x: float, y: float, r: float) -> str:
    return (
        f'<polygon points="{x:.1f},{y - r:.1f} {x + r:.1f},{y:.1f} {x:.1f},{y + r:.1f} {x - r:.1f},{y:.1f}" '
        f'fill="{NHS_PURPLE}" stroke="{NHS_BLACK}" stroke-width="1" class="psirf-chart__special"/>'
    )
