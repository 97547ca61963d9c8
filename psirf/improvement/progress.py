"""Progress over time: the month-by-month count of a plan's actions, and small server-drawn charts.

The charts are plain SVG written here: no JavaScript, no inline style (the Content Security
Policy forbids it; SVG presentation attributes such as fill= are not styles). Each has
`role="img"`, a `<title>` and a `<desc>`, names its axes in text, and writes every value beside
its mark, so nothing is carried by colour alone. The page shows the same figures in a table,
which is the chart's text alternative. Colours: NHS blue (#005eb8) and NHS black (#212b32) on
white, both well above the 4.5:1 contrast ratio; the grey grid lines are decoration only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Callable, Iterable, Sequence

from markupsafe import Markup

from psirf.web.svg import NHS_BLACK, NHS_BLUE, format_number  # noqa: F401  (format_number: re-exported)
from psirf.web import dates
from psirf.web.svg import CategoryPlot, opening
from psirf.web.svg import scale as _scale
from psirf.web.svg import text as _text

WIDTH, HEIGHT = 640, 320
LEFT, RIGHT, TOP, BOTTOM = 64, 24, 24, 72  # room for the axis labels and their titles


# ---- numbers as people write them ---------------------------------------------------------------


def percent(part: int, whole: int) -> int | None:
    """A whole-number percentage, or None when there is nothing to divide by."""
    return round(100 * part / whole) if whole else None


# ---- actions completed, month by month ----------------------------------------------------------


@dataclass(frozen=True)
class MonthProgress:
    month: date  # the first day of the month
    existing: int  # the plan's actions created by the end of the month
    completed: int  # ... and of those, completed by the end of it

    @property
    def label(self) -> str:
        return dates.short_month(self.month)

    @property
    def long_label(self) -> str:
        return dates.month(self.month)

    @property
    def percent(self) -> int | None:
        return percent(self.completed, self.existing)


def _first_of_month(d: date) -> date:
    return date(d.year, d.month, 1)


def _next_month(d: date) -> date:
    return date(d.year + d.month // 12, d.month % 12 + 1, 1)


def months_between(start: date, end: date) -> list[date]:
    """The first day of every month from `start`'s to `end`'s, both included."""
    months, current, last = [], _first_of_month(start), _first_of_month(end)
    while current <= last:
        months.append(current)
        current = _next_month(current)
    return months


def monthly_progress(
    actions: Iterable[tuple[datetime, datetime | None]], start: datetime | date, today: date
) -> list[MonthProgress]:
    """For each month from `start` to `today`: how many actions existed by its end, and how many
    of them were completed by then. `actions` are (created_at, completed_at) pairs.

    Read from the actions as they are now: an action reopened after completion counts as not
    completed in every month, since its earlier completion is no longer on the row.
    """
    rows = list(actions)
    first = start.date() if isinstance(start, datetime) else start
    for created_at, _ in rows:
        first = min(first, created_at.date())
    result = []
    for month in months_between(first, today):
        end = datetime.combine(
            _next_month(month), datetime.min.time()
        )  # the first instant after the month
        existing = [(c, done) for c, done in rows if c < end]
        completed = sum(1 for _, done in existing if done is not None and done < end)
        result.append(MonthProgress(month, len(existing), completed))
    return result


# ---- charts -------------------------------------------------------------------------------------


def chart(
    points: Sequence[tuple[str, float | None]],
    *,
    chart_id: str,
    title: str,
    description: str,
    x_label: str,
    y_label: str,
    kind: str = "line",
    max_value: float | None = None,
    min_value: float | None = None,
    value_text: Callable[[float], str] = format_number,
    tick_text: Callable[[float], str] = format_number,
    missing_text: str = "None",
) -> Markup:
    """A line (or bar) chart of (label, value) points, in order, spaced evenly as a run chart is.

    A value of None (a month with nothing to count) draws no mark, and `missing_text` is written
    in its place. `max_value` fixes the top of the scale (100 for percentages); otherwise it is a
    round number above the highest value. Every text is escaped. Returns empty markup for no points.
    """
    if not points:
        return Markup("")
    if kind not in ("line", "bar"):
        raise ValueError(f"unknown chart kind {kind!r}")
    values = [None if v is None else float(v) for _, v in points]
    known = [v for v in values if v is not None]
    plot = CategoryPlot.inside(
        (WIDTH, HEIGHT),
        (LEFT, RIGHT, TOP, BOTTOM),
        len(points),
        _scale(known, max_value, min_value),
    )
    parts = opening(chart_id, title, description, WIDTH, HEIGHT)
    parts += plot.value_axis(tick_text)
    parts += plot.category_labels([label for label, _ in points])
    parts += plot.axis_titles(x_label, y_label, x_label_y=HEIGHT - 14)
    base = plot.y_of(max(plot.low, 0.0))

    if kind == "bar":
        bar_w = max(4.0, min(48.0, plot.width / plot.count * 0.6))
        for i, v in enumerate(values):
            if v is None:
                continue
            y = plot.y_of(v)
            top, height = min(y, base), abs(base - y)
            parts.append(
                f'<rect x="{plot.x_of(i) - bar_w / 2:.1f}" y="{top:.1f}" width="{bar_w:.1f}" height="{height:.1f}" '
                f'fill="{NHS_BLUE}" stroke="{NHS_BLACK}" stroke-width="1"/>'
            )
    else:
        parts += plot.line(values, stroke_width=3)
        parts += [
            plot.marker(i, v, radius=5, stroke_width=3)
            for i, v in enumerate(values)
            if v is not None
        ]
    # Every value written by its mark, when there is room for it.
    if len(points) <= 24:
        for i, v in enumerate(values):
            if v is None:
                parts.append(_text(plot.x_of(i), base - 10, missing_text, size=12))
            else:
                parts.append(
                    _text(plot.x_of(i), plot.y_of(v) - 10, value_text(v), size=12, weight="bold")
                )
    parts.append("</svg>")
    return Markup("".join(parts))
