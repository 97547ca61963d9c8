"""A PSIRF plan as a PDF fit to put before a committee (reportlab, no Flask, no database).

It draws psirf/plans/document.py's Document block by block, as the web page does, so the two never
drift: NHS blue headings, tables with header rows, the two insight charts drawn with reportlab's
own charts, document control on the first pages, "Page n of m" on every page and, on a version
the ICB quality committee has not approved, "DRAFT" across every page and in every footer.
Every string goes through `_text` (psirf/documents.py), which escapes reportlab's mini-markup.
"""

from __future__ import annotations

import io
import math

from reportlab import rl_config
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    KeepTogether,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from psirf.documents import (
    MARGIN,
    NHS_BLACK,
    NHS_BLUE,
    NHS_GREY_1,
    NHS_GREY_3,
    NHS_GREY_4,
    NHS_GREY_5,
    NHS_WARM_YELLOW,
    WIDTH,
    Sizes,
    a4_document,
    house_styles,
)
from psirf.documents import text as _text
from psirf.plans.blocks import Chart, Document, Summary
from psirf.web.svg import scale

# reportlab checks every attribute set on a chart's shapes against its type, a help while writing
# a chart (its settings say to turn it off once the code is right): a sixth of drawing the two
# charts. Ours are fixed code, their values counts and labels, and the suite draws them.
rl_config.shapeChecking = 0

WARNING_BACKGROUND = colors.HexColor("#fff9c4")
NUMERIC_COLUMN = 26 * mm
# A plan goes before a committee: its type is set a little larger than a bulletin's.
PLAN_SIZES = Sizes(
    title=(22, 27),
    subtitle=(13, 17),
    h1=(16, 20),
    h1_space_before=14,
    h2=(12.5, 16),
    h2_space=(8, 4),
    cell=(9, 11.5),
)


def _styles() -> dict[str, ParagraphStyle]:
    styles = house_styles(PLAN_SIZES)
    body, cell_head = styles["body"], styles["cell_head"]
    return {
        **styles,
        "muted": ParagraphStyle("Muted", parent=body, textColor=NHS_GREY_1),
        "caption": ParagraphStyle(
            "Caption",
            parent=body,
            fontName="Helvetica-Bold",
            fontSize=10,
            leading=13,
            spaceBefore=4,
            spaceAfter=0,
        ),
        "cell_numeric": ParagraphStyle("CellNumeric", parent=styles["cell"], alignment=2),
        "cell_head_numeric": ParagraphStyle("CellHeadNumeric", parent=cell_head, alignment=2),
        "warning_head": ParagraphStyle(
            "WarningHead", parent=body, fontName="Helvetica-Bold", fontSize=11.5, leading=15
        ),
    }


# Made once: the same for every plan, and read, never changed, by each one drawn.
STYLES = _styles()


# ---- charts -------------------------------------------------------------------------------------


def _axis(axis, values: list[float]) -> None:
    low, high, step = scale(values, None, None)
    if step < 1:  # counts: whole numbers on the axis
        step, high = 1, max(1, math.ceil(high))
    axis.valueMin, axis.valueMax, axis.valueStep = low, high, step
    axis.labels.fontName, axis.labels.fontSize = "Helvetica", 8
    axis.visibleGrid, axis.gridStrokeColor, axis.gridStrokeWidth = True, NHS_GREY_4, 0.5


def line_chart(block: Chart) -> Drawing:
    values = [float(v) for _, v in block.points]
    height = 72 * mm
    drawing = Drawing(WIDTH, height)
    chart = HorizontalLineChart()
    chart.x, chart.y, chart.width, chart.height = (
        16 * mm,
        20 * mm,
        WIDTH - 20 * mm,
        height - 28 * mm,
    )
    chart.data = [values]
    chart.joinedLines = 1
    chart.categoryAxis.categoryNames = [label for label, _ in block.points]
    labels = chart.categoryAxis.labels
    labels.fontName, labels.fontSize, labels.angle, labels.boxAnchor, labels.dy = (
        "Helvetica",
        7.5,
        35,
        "ne",
        -2,
    )
    _axis(chart.valueAxis, values)
    chart.lines[0].strokeColor, chart.lines[0].strokeWidth = NHS_BLUE, 2
    chart.lines[0].symbol = makeMarker(
        "FilledCircle", size=4, fillColor=NHS_BLUE, strokeColor=NHS_BLUE
    )
    if len(values) <= 24:
        chart.lineLabelFormat = "%d"
        chart.lineLabels.fontName, chart.lineLabels.fontSize, chart.lineLabels.dy = (
            "Helvetica-Bold",
            7.5,
            6,
        )
    drawing.add(chart)
    drawing.add(
        String(2 * mm, height - 6 * mm, block.y_label, fontName="Helvetica-Bold", fontSize=8.5)
    )
    drawing.add(
        String(
            16 * mm + (WIDTH - 20 * mm) / 2,
            1 * mm,
            block.x_label,
            fontName="Helvetica-Bold",
            fontSize=8.5,
            textAnchor="middle",
        )
    )
    return drawing


def bar_chart(block: Chart) -> Drawing:
    """Horizontal bars, largest at the top (reportlab draws the first category at the bottom)."""
    points = list(reversed(block.points))
    values = [float(v) for _, v in points]
    row, label_w = 7 * mm, 48 * mm
    height = len(points) * row + 16 * mm
    drawing = Drawing(WIDTH, height)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = (
        label_w,
        12 * mm,
        WIDTH - label_w - 12 * mm,
        len(points) * row,
    )
    chart.data = [values]
    chart.categoryAxis.categoryNames = [label for label, _ in points]
    labels = chart.categoryAxis.labels
    labels.fontName, labels.fontSize, labels.boxAnchor, labels.dx = "Helvetica", 8.5, "e", -3
    _axis(chart.valueAxis, values)
    chart.bars[0].fillColor, chart.bars[0].strokeColor = NHS_BLUE, NHS_BLACK
    chart.barLabelFormat = "%d"
    chart.barLabels.fontName, chart.barLabels.fontSize = "Helvetica-Bold", 8
    chart.barLabels.boxAnchor, chart.barLabels.dx = "w", 3
    drawing.add(chart)
    drawing.add(
        String(
            label_w + (WIDTH - label_w - 12 * mm) / 2,
            1 * mm,
            block.x_label,
            fontName="Helvetica-Bold",
            fontSize=8.5,
            textAnchor="middle",
        )
    )
    return drawing


# ---- blocks -------------------------------------------------------------------------------------


class _Builder:
    """Each block becomes flowables. Headings are kept with what follows by a conditional page break
    sized to it (not by keeping whole tables together, which would leave half pages empty); a long
    table runs on over pages, its caption and header row repeated."""

    def __init__(self, doc: Document):
        self.doc = doc
        self.s = STYLES

    def para(self, text: str, style: str = "body") -> Paragraph:
        return Paragraph(text, self.s[style])

    def widths(self, block) -> list[float]:
        """Numeric columns narrow; the others shared by how much they hold, each wide enough for its
        longest word (a word split across lines reads badly), up to an equal share of the row: a
        longer word (a web address, say) is split, or the columns would not fit the page."""
        free = [i for i in range(len(block.head)) if i not in block.numeric]
        room = WIDTH - NUMERIC_COLUMN * (len(block.head) - len(free))
        weight, least = {}, {}
        for i in free:
            cells = [str(row[i]) for row in block.rows] or [""]
            words = [w for value in [block.head[i], *cells] for w in value.split()] or [""]
            least[i] = min(
                max(stringWidth(w, "Helvetica-Bold", 9) for w in words) + 14, room / len(free)
            )
            weight[i] = min(60, max(16, len(block.head[i]), sum(map(len, cells)) / len(cells)))
        share = {i: room * weight[i] / (sum(weight.values()) or 1) for i in free}
        narrow = {i for i in free if share[i] < least[i]}
        if narrow:
            spare = room - sum(least[i] for i in narrow)
            rest = sum(weight[i] for i in free if i not in narrow) or 1
            share = {i: least[i] if i in narrow else spare * weight[i] / rest for i in free}
        return [NUMERIC_COLUMN if i in block.numeric else share[i] for i in range(len(block.head))]

    def table(self, block) -> list:
        cols = len(block.head)

        def cell(i: int, value, head: bool = False) -> Paragraph:
            style = ("cell_head" if head else "cell") + ("_numeric" if i in block.numeric else "")
            return Paragraph(_text(value), self.s[style])

        caption = [Paragraph(_text(block.caption), self.s["caption"])] + [""] * (cols - 1)
        head = [cell(i, h, head=True) for i, h in enumerate(block.head)]
        rows = [[cell(i, v) for i, v in enumerate(r)] for r in block.rows] or [
            [Paragraph("None recorded.", self.s["cell"])] + [""] * (cols - 1)
        ]
        # splitInRow (every table here): a row taller than a page, a long answer, goes on over the page.
        table = Table(
            [caption, head, *rows],
            colWidths=self.widths(block),
            repeatRows=2,
            hAlign="LEFT",
            splitInRow=1,
        )
        style = [
            ("SPAN", (0, 0), (-1, 0)),
            ("LEFTPADDING", (0, 0), (-1, 0), 0),
            ("BACKGROUND", (0, 1), (-1, 1), NHS_BLUE),
            ("GRID", (0, 1), (-1, -1), 0.5, NHS_GREY_3),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ]
        style += [("BACKGROUND", (0, r), (-1, r), NHS_GREY_5) for r in range(3, len(rows) + 2, 2)]
        table.setStyle(TableStyle(style))
        return [table, Spacer(1, 4 * mm)]

    def summary(self, block) -> list:
        table = Table(
            [
                [Paragraph(_text(k), self.s["caption"]), Paragraph(_text(v), self.s["cell"])]
                for k, v in block.rows
            ],
            colWidths=[48 * mm, WIDTH - 48 * mm],
            hAlign="LEFT",
            splitInRow=1,
        )
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.5, NHS_GREY_4),
                    ("TOPPADDING", (0, 0), (-1, -1), 3),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                ]
            )
        )
        return [KeepTogether([table]), Spacer(1, 4 * mm)]

    def warning(self, block) -> list:
        box = Table(
            [
                [Paragraph(_text(f"Important: {block.heading}"), self.s["warning_head"])],
                [Paragraph(_text(block.text), self.s["body"])],
            ],
            colWidths=[WIDTH],
            hAlign="LEFT",
            splitInRow=1,
        )
        box.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (-1, -1), WARNING_BACKGROUND),
                    ("LINEBEFORE", (0, 0), (0, -1), 4, NHS_WARM_YELLOW),
                    ("LEFTPADDING", (0, 0), (-1, -1), 8),
                    ("TOPPADDING", (0, 0), (-1, -1), 5),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                ]
            )
        )
        return [KeepTogether([box]), Spacer(1, 4 * mm)]

    def chart(self, block: Chart) -> list:
        if not block.points:
            return []
        drawing = line_chart(block) if block.shape == "line" else bar_chart(block)
        return [
            KeepTogether([self.para(_text(block.title), "caption"), drawing]),
            Spacer(1, 2 * mm),
        ]

    def text(self, block) -> list:
        return [self.para(_text(p), "muted" if block.muted else "body") for p in block.paragraphs]

    def heading(self, block) -> list:
        return [self.para(_text(block.text), "h2")]

    def render(self, block) -> list:
        return getattr(self, block.kind)(block)

    @staticmethod
    def room_for(flowables: list) -> float:
        """The space to keep below a heading: the chart or box that follows, or a few lines of it."""
        first = flowables[0] if flowables else None
        if isinstance(first, KeepTogether):
            return min(sum(f.wrap(WIDTH, A4[1])[1] for f in first._content), 120 * mm) + 6 * mm
        return 30 * mm

    def build(self) -> list:
        doc = self.doc
        story = [self.para(_text(doc.title), "title"), self.para(_text(doc.period), "subtitle")]
        front = [
            ("Organisation", doc.organisation),
            ("Version", doc.version),
            ("Status", doc.status),
        ]
        if doc.draft:
            front.append(
                (
                    "DRAFT",
                    "Not in force until the ICB quality committee approves it and it is published.",
                )
            )
        story += self.summary(Summary(tuple(front)))
        for section in doc.sections:
            rendered = [self.render(block) for block in section.blocks]
            story += [
                CondPageBreak(self.room_for(rendered[0] if rendered else []) + 14 * mm),
                self.para(_text(section.heading), "h1"),
            ]
            for number, (block, flowables) in enumerate(zip(section.blocks, rendered)):
                if block.kind == "heading" and number + 1 < len(rendered):
                    story.append(CondPageBreak(self.room_for(rendered[number + 1]) + 10 * mm))
                story += flowables
        return story


# ---- pages --------------------------------------------------------------------------------------


def _watermark(draft: bool):
    def draw(canvas, _doc) -> None:
        if not draft:
            return
        canvas.saveState()
        canvas.setFillColor(NHS_GREY_3)
        canvas.setFillAlpha(0.3)
        canvas.setFont("Helvetica-Bold", 120)
        canvas.translate(A4[0] / 2, A4[1] / 2)
        canvas.rotate(50)
        canvas.drawCentredString(0, -40, "DRAFT")
        canvas.restoreState()

    return draw


def _numbered_canvas(footer: str):
    """A canvas that writes the footer once the page count is known: "Page 2 of 9"."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self):  # noqa: N802 (reportlab's name)
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self.saveState()
                self.setStrokeColor(NHS_GREY_4)
                self.line(MARGIN, 16 * mm, A4[0] - MARGIN, 16 * mm)
                self.setFont("Helvetica", 8.5)
                self.setFillColor(NHS_GREY_1)
                self.drawString(MARGIN, 11 * mm, footer)
                self.drawRightString(A4[0] - MARGIN, 11 * mm, f"Page {number} of {total}")
                self.restoreState()
                super().showPage()
            super().save()

    return NumberedCanvas


def plan_pdf(doc: Document) -> bytes:
    """The plan as PDF bytes."""
    buffer = io.BytesIO()
    pdf = a4_document(
        buffer,
        bottom_margin=24 * mm,
        title=doc.title,
        author=doc.organisation,
        subject=f"PSIRF plan, version {doc.version}",
        creator="psirf",
    )
    footer = f"{'DRAFT. ' if doc.draft else ''}{doc.organisation} PSIRF plan, version {doc.version}"
    mark = _watermark(doc.draft)
    pdf.build(
        _Builder(doc).build(),
        onFirstPage=mark,
        onLaterPages=mark,
        canvasmaker=_numbered_canvas(footer),
    )
    return buffer.getvalue()
