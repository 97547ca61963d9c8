"""The one geometry of the server-drawn SVG charts (improvement progress, oversight XmR, plans).

`CategoryPlot` places a run chart's points: evenly spaced slots across, a value scale up, the
value axis, the category labels and the axis titles; the line and bar charts of
`psirf.improvement.progress` and the XmR charts of `psirf.dashboards.charts` draw on it, so every
chart reads the same way. `horizontal_bars` is the other shape, for long category names.

Plain SVG strings: no JavaScript, no inline style (the Content Security Policy forbids it; SVG
presentation attributes such as fill= are not styles). Every text is escaped. Colours: NHS blue
(#005eb8) and NHS black (#212b32) on white, both well above the 4.5:1 contrast ratio; the grey
grid lines are decoration only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Sequence

from markupsafe import Markup, escape

NHS_BLUE = "#005eb8"
NHS_BLACK = "#212b32"
NHS_GREY_1 = "#4c6272"
NHS_GREY_4 = "#d8dde0"
NHS_WHITE = "#ffffff"
FONT = "Frutiger W01, Arial, sans-serif"
LABEL_SIZE = 12  # the category labels under a run chart

# Arial's advance widths, in thousandths of the font size, for the printable ASCII characters from
# the space to the tilde (Liberation Sans, which Linux puts in Arial's place, has the same
# metrics). A character not listed counts as a whole em, so a width is never underestimated.
_ARIAL_WIDTHS = dict(
    zip(
        map(chr, range(32, 127)),
        (
            *(278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278),
            *(556,) * 10,  # 0-9
            *(278, 278, 584, 584, 584, 556, 1015),  # : ; < = > ? @
            *(667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833),  # A-M
            *(722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611),  # N-Z
            *(278, 278, 278, 469, 556, 333),  # [ backslash ] ^ _ `
            *(556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833),  # a-m
            *(556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500),  # n-z
            *(334, 260, 334, 584),  # { | } ~
        ),
        strict=True,
    )
)


def format_number(value: float | int | None) -> str:
    """12.0 -> "12", 4.25 -> "4.25", 1234567 -> "1,234,567"."""
    if value is None:
        return ""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.4f}".rstrip("0").rstrip(".")


def nice_step(span: float, ticks: int = 5) -> float:
    raw = span / ticks if span > 0 else 1
    magnitude = 10 ** math.floor(math.log10(raw))
    for multiple in (1, 2, 2.5, 5, 10):
        if raw <= multiple * magnitude:
            return multiple * magnitude
    return 10 * magnitude


def scale(
    values: Sequence[float], max_value: float | None, min_value: float | None
) -> tuple[float, float, float]:
    """(bottom, top, step) of the value axis: from zero (or below, for negative values) to a round top."""
    low = min_value if min_value is not None else min([0.0, *values])
    high = max_value if max_value is not None else max([0.0, *values])
    if high <= low:
        high = low + 1
    step = nice_step(high - low)
    if max_value is None:
        high = math.ceil(high / step) * step
    if min_value is None:
        low = math.floor(low / step) * step
    return low, high, step


def text_width(content: str, size: float) -> float:
    """How wide `content` is drawn at `size` in Arial: the sum of its characters' advances."""
    return size * sum(_ARIAL_WIDTHS.get(c, 1000) for c in content) / 1000


def text(
    x: float,
    y: float,
    content: str,
    anchor: str = "middle",
    size: int = 14,
    weight: str | None = None,
    transform: str | None = None,
    classes: str | None = None,
) -> str:
    extra = f' font-weight="{weight}"' if weight else ""
    extra += f' transform="{transform}"' if transform else ""
    extra += f' class="{classes}"' if classes else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-family="{FONT}" font-size="{size}" '
        f'fill="{NHS_BLACK}"{extra}>{escape(content)}</text>'
    )


def ticks(low: float, high: float, step: float) -> list[float]:
    """The value axis's tick values from `low` to `high` (at most 50)."""
    values, tick = [], low
    while tick <= high + step / 1000 and len(values) < 50:
        values.append(tick)
        tick += step
    return values


def opening(chart_id: str, title: str, description: str, width: float, height: float) -> list[str]:
    """The start of a chart: the <svg> with its role, title and description, on a white ground."""
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="psirf-chart" id="{escape(chart_id)}" role="img" '
        f'aria-labelledby="{escape(title_id)} {escape(desc_id)}" viewBox="0 0 {width} {height}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet" focusable="false">',
        f'<title id="{escape(title_id)}">{escape(title)}</title>',
        f'<desc id="{escape(desc_id)}">{escape(description)}</desc>',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="{NHS_WHITE}"/>',
    ]


def value_axis(
    low: float,
    high: float,
    step: float,
    y_of,
    *,
    left: float,
    right: float,
    top: float,
    bottom: float,
    tick_text=format_number,
) -> list[str]:
    """A vertical value axis: grid lines (decoration) with their numbers, and the two axis lines."""
    parts = []
    for tick in ticks(low, high, step):
        y = y_of(tick)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" stroke="{NHS_GREY_4}" stroke-width="1"/>'
        )
        parts.append(text(left - 8, y + 5, tick_text(tick), anchor="end", size=13))
    parts.append(
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{bottom}" stroke="{NHS_BLACK}" stroke-width="1"/>'
    )
    parts.append(
        f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="{NHS_BLACK}" stroke-width="1"/>'
    )
    return parts


# ---- run charts: points evenly spaced across, against a value axis ---------------------------------


@dataclass(frozen=True)
class CategoryPlot:
    """The plotting area of a run chart: `count` slots across, the scale (low, high, step) up.

    Values outside the scale are drawn at its edge (a fixed top such as 100 per cent clips).
    """

    left: float
    top: float
    width: float
    height: float
    count: int
    low: float
    high: float
    step: float

    @classmethod
    def inside(
        cls,
        size: tuple[float, float],
        margins: tuple[float, float, float, float],
        count: int,
        scale: tuple[float, float, float],
    ) -> CategoryPlot:
        """The plot within a canvas of `size` (width, height), less `margins` (left, right, top,
        bottom), holding `count` points on `scale` (from `scale()` above)."""
        (width, height), (left, right, top, bottom) = size, margins
        return cls(left, top, width - left - right, height - top - bottom, count, *scale)

    @property
    def right(self) -> float:
        return self.left + self.width

    @property
    def bottom(self) -> float:
        return self.top + self.height

    def x_of(self, i: int) -> float:
        """The centre of the i-th slot, so the first and last points sit clear of the axes."""
        return self.left + self.width / self.count * (i + 0.5)

    def y_of(self, value: float) -> float:
        value = min(max(value, self.low), self.high)
        return self.top + self.height * (1 - (value - self.low) / (self.high - self.low))

    def value_axis(self, tick_text: Callable[[float], str] = format_number) -> list[str]:
        return value_axis(
            self.low,
            self.high,
            self.step,
            self.y_of,
            left=self.left,
            right=self.right,
            top=self.top,
            bottom=self.bottom,
            tick_text=tick_text,
        )

    def category_labels(self, labels: Sequence[str]) -> list[str]:
        """A label under every `label_step`-th slot, from the first (the page's table has them
        all)."""
        every = self.label_step(labels)
        return [
            text(
                self.x_of(i),
                self.bottom + 20,
                label,
                size=LABEL_SIZE,
                classes="psirf-chart__category",
            )
            for i, label in enumerate(labels)
            if i % every == 0
        ]

    def label_step(self, labels: Sequence[str]) -> int:
        """The fewest slots from one label to the next so that no two labels overlap: each pair of
        neighbours, centred on their slots, keeps half an em of space between them. Steps of 1,
        2, 3, 4, 6 or 12 (then whole years of 12) keep months to a calendar rhythm."""
        slot = self.width / self.count if self.count else 0.0
        widths = [text_width(label, LABEL_SIZE) for label in labels]

        def fits(step: int) -> bool:
            return all(
                (widths[i] + widths[i + step]) / 2 + LABEL_SIZE / 2 <= step * slot
                for i in range(0, len(widths) - step, step)
            )

        steps = [1, 2, 3, 4, 6, *range(12, max(12, len(widths)) + 12, 12)]
        return next(step for step in steps if fits(step))

    def axis_titles(self, x_label: str, y_label: str, *, x_label_y: float) -> list[str]:
        """The category axis's title centred below at `x_label_y`, the value axis's turned up."""
        middle = self.top + self.height / 2
        return [
            text(self.left + self.width / 2, x_label_y, x_label, weight="bold"),
            text(16, middle, y_label, weight="bold", transform=f"rotate(-90 16 {middle:.1f})"),
        ]

    def line(self, values: Sequence[float | None], *, stroke_width: int) -> list[str]:
        """The values joined by a line, broken where a value is missing rather than drawn across
        the gap (a lone point has no line; its marker shows it)."""
        runs: list[list[str]] = [[]]
        for i, value in enumerate(values):
            if value is None:
                runs.append([])
            else:
                runs[-1].append(f"{self.x_of(i):.1f},{self.y_of(value):.1f}")
        return [
            f'<polyline points="{" ".join(run)}" fill="none" stroke="{NHS_BLUE}" '
            f'stroke-width="{stroke_width}"/>'
            for run in runs
            if len(run) > 1
        ]

    def marker(self, i: int, value: float, *, radius: int, stroke_width: int) -> str:
        """A hollow circle on a point: the common mark of the line charts."""
        return circle(self.x_of(i), self.y_of(value), radius=radius, stroke_width=stroke_width)


def circle(x: float, y: float, *, radius: int, stroke_width: int) -> str:
    return (
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius}" fill="{NHS_WHITE}" stroke="{NHS_BLUE}" '
        f'stroke-width="{stroke_width}"/>'
    )


# ---- horizontal bars, so each bar's long name reads whole ----------------------------------------

BAR_WIDTH, LABELS_W, BAR_H, GAP, TOP_PAD, AXIS_H = 640, 190, 22, 10, 12, 56


def horizontal_bars(
    points: Sequence[tuple[str, float]],
    *,
    chart_id: str,
    title: str,
    description: str,
    x_label: str,
    top: float | None = None,
) -> Markup:
    """Horizontal bars (labels on the left, largest first as given): role="img", <title>, <desc>,
    every value written beside its bar, NHS blue on white."""
    if not points:
        return Markup("")
    low, high, step = scale([float(v) for _, v in points], top, None)
    plot_w = BAR_WIDTH - LABELS_W - 48
    height = TOP_PAD + len(points) * (BAR_H + GAP) + AXIS_H

    def x_of(v: float) -> float:
        return LABELS_W + plot_w * (v - low) / (high - low)

    base = TOP_PAD + len(points) * (BAR_H + GAP)
    parts = opening(chart_id, title, description, BAR_WIDTH, height)
    for tick in ticks(low, high, step):
        x = x_of(tick)
        parts.append(
            f'<line x1="{x:.1f}" y1="{TOP_PAD}" x2="{x:.1f}" y2="{base}" stroke="{NHS_GREY_4}" stroke-width="1"/>'
        )
        parts.append(text(x, base + 18, format_number(tick), size=12))
    parts.append(
        f'<line x1="{LABELS_W}" y1="{TOP_PAD}" x2="{LABELS_W}" y2="{base}" stroke="{NHS_BLACK}" stroke-width="1"/>'
    )
    for i, (label, value) in enumerate(points):
        y = TOP_PAD + i * (BAR_H + GAP) + GAP / 2
        width = x_of(value) - LABELS_W
        parts.append(text(LABELS_W - 8, y + BAR_H / 2 + 5, label, anchor="end", size=13))
        parts.append(
            f'<rect x="{LABELS_W}" y="{y:.1f}" width="{width:.1f}" height="{BAR_H}" fill="{NHS_BLUE}" '
            f'stroke="{NHS_BLACK}" stroke-width="1"/>'
        )
        parts.append(
            text(
                LABELS_W + width + 6,
                y + BAR_H / 2 + 5,
                format_number(value),
                anchor="start",
                size=12,
                weight="bold",
            )
        )
    parts.append(text(LABELS_W + plot_w / 2, height - 10, x_label, weight="bold"))
    parts.append("</svg>")
    return Markup("".join(parts))
