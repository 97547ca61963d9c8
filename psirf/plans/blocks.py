"""The blocks a plan document is made of: plain strings in paragraphs, tables, charts (each
followed by its table, the chart's text alternative), warnings and summary lists, in sections.
psirf/plans/document.py and psirf/plans/control.py lay them out; the page
(templates/plans/_document.html) and the PDF (psirf/plans/reports.py) only render them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup

from psirf.improvement.progress import chart
from psirf.web.svg import horizontal_bars

NOT_RECORDED = "Not yet recorded"


# ---- blocks -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Heading:
    text: str
    kind: str = "heading"


@dataclass(frozen=True)
class Text:
    paragraphs: tuple[str, ...]
    muted: bool = False  # a placeholder ("Not yet recorded"), not the authors' words
    kind: str = "text"


@dataclass(frozen=True)
class Table:
    caption: str
    head: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[int, ...] = ()  # columns of figures, aligned right
    kind: str = "table"


@dataclass(frozen=True)
class Chart:
    """A chart of (label, value) points; the table after it in the section is its text alternative."""

    chart_id: str
    shape: str  # "line" (events by month) or "bars" (events by theme, largest first)
    title: str
    description: str
    x_label: str
    y_label: str
    points: tuple[tuple[str, int], ...]
    caption: str
    kind: str = "chart"

    def svg(self) -> Markup:
        if self.shape == "line":
            return chart(
                self.points,
                chart_id=self.chart_id,
                title=self.title,
                description=self.description,
                x_label=self.x_label,
                y_label=self.y_label,
                max_value=whole_top(self.points),
            )
        return horizontal_bars(
            self.points,
            chart_id=self.chart_id,
            title=self.title,
            description=self.description,
            x_label=self.x_label,
            top=whole_top(self.points),
        )


@dataclass(frozen=True)
class WarningCallout:
    heading: str
    text: str
    kind: str = "warning"


@dataclass(frozen=True)
class Summary:
    rows: tuple[tuple[str, str], ...]
    kind: str = "summary"


@dataclass(frozen=True)
class Section:
    number: int | None
    anchor: str
    title: str
    blocks: list = field(default_factory=list)

    @property
    def heading(self) -> str:
        return f"{self.number}. {self.title}" if self.number else self.title


@dataclass(frozen=True)
class Document:
    title: str
    organisation: str
    version: str
    status: str
    draft: bool
    period: str
    sections: list[Section]

    def section(self, anchor: str) -> Section:
        return next(s for s in self.sections if s.anchor == anchor)


def whole_top(points) -> int | None:
    """Counts below 5 get an axis from 0 to 5, so its steps are whole numbers (not 0.5)."""
    return 5 if max((v for _, v in points), default=0) < 5 else None
