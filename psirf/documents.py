"""The NHS toolkit the service's PDFs share (reportlab, no Flask, no database, no feature).

A plan, a learning response's report and a learning bulletin each draw their own document; what
they have in common lives here, so the three keep one look: the NHS identity colours, the A4 page
and its margins, the escaping of every string for reportlab's mini-markup (`text`), the house
paragraph styles (`house_styles`, whose sizes a document may set where it means to differ) and
the plain footer with the page number (`page_footer`).
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate

# The NHS identity colours (https://www.england.nhs.uk/nhsidentity/identity-guidelines/colours/).
NHS_BLUE = colors.HexColor("#005eb8")
NHS_DARK_BLUE = colors.HexColor("#003087")
NHS_BLACK = colors.HexColor("#212b32")
NHS_GREY_1 = colors.HexColor("#4c6272")
NHS_GREY_3 = colors.HexColor("#aeb7bd")
NHS_GREY_4 = colors.HexColor("#d8dde0")
NHS_GREY_5 = colors.HexColor("#f0f4f5")
NHS_WARM_YELLOW = colors.HexColor("#ffb81c")

MARGIN = 20 * mm
WIDTH = A4[0] - 2 * MARGIN


def text(value) -> str:
    """Any string (user-supplied above all), escaped for reportlab's mini-markup, with its line
    breaks kept."""
    return escape(str(value)).replace("\r\n", "\n").replace("\n", "<br/>")


def paragraphs(value: str | None, style: ParagraphStyle) -> list[Paragraph]:
    """Text typed as paragraphs (a blank line between them), one Paragraph each, escaped."""
    parts = [p.strip() for p in (value or "").replace("\r\n", "\n").split("\n\n") if p.strip()]
    return [Paragraph(text(p), style) for p in parts]


@dataclass(frozen=True)
class Sizes:
    """The house styles' font sizes and leading in points, and the room around the headings: a
    bulletin reads at these; a plan, a committee document, sets its own a little larger."""

    title: tuple[float, float] = (20, 25)
    subtitle: tuple[float, float] = (12, 16)
    h1: tuple[float, float] = (15, 19)
    h1_space_before: float = 12
    h2: tuple[float, float] = (11.5, 15)
    h2_space: tuple[float, float] = (6, 2)  # before, after
    cell: tuple[float, float] = (9.5, 12)


def house_styles(sizes: Sizes = Sizes()) -> dict[str, ParagraphStyle]:
    """The styles of an NHS document: body text in NHS black, a dark blue title, a grey subtitle,
    blue and dark blue headings, and table cells with white header cells for a blue header row."""
    base = getSampleStyleSheet()
    body = ParagraphStyle(
        "Body",
        parent=base["BodyText"],
        fontName="Helvetica",
        fontSize=10.5,
        leading=14,
        textColor=NHS_BLACK,
        spaceAfter=4,
    )
    cell_size, cell_leading = sizes.cell
    return {
        "title": ParagraphStyle(
            "Title",
            parent=body,
            fontName="Helvetica-Bold",
            fontSize=sizes.title[0],
            leading=sizes.title[1],
            textColor=NHS_DARK_BLUE,
            spaceAfter=6,
        ),
        "subtitle": ParagraphStyle(
            "Subtitle",
            parent=body,
            fontSize=sizes.subtitle[0],
            leading=sizes.subtitle[1],
            textColor=NHS_GREY_1,
            spaceAfter=8,
        ),
        "h1": ParagraphStyle(
            "H1",
            parent=body,
            fontName="Helvetica-Bold",
            fontSize=sizes.h1[0],
            leading=sizes.h1[1],
            textColor=NHS_BLUE,
            spaceBefore=sizes.h1_space_before,
            spaceAfter=6,
        ),
        "h2": ParagraphStyle(
            "H2",
            parent=body,
            fontName="Helvetica-Bold",
            fontSize=sizes.h2[0],
            leading=sizes.h2[1],
            textColor=NHS_DARK_BLUE,
            spaceBefore=sizes.h2_space[0],
            spaceAfter=sizes.h2_space[1],
        ),
        "body": body,
        "cell": ParagraphStyle(
            "Cell", parent=body, fontSize=cell_size, leading=cell_leading, spaceAfter=0
        ),
        "cell_head": ParagraphStyle(
            "CellHead",
            parent=body,
            fontName="Helvetica-Bold",
            fontSize=cell_size,
            leading=cell_leading,
            spaceAfter=0,
            textColor=colors.white,
        ),
    }


def a4_document(buffer, *, bottom_margin: float = MARGIN, **info) -> SimpleDocTemplate:
    """An A4 document with the house margins; `info` is reportlab's (title, author, subject...)."""
    return SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=bottom_margin,
        **info,
    )


def page_footer(words: str, *, font_size: float = 8.5, height: float = 10 * mm):
    """A page callback writing `words` at the foot's left and "Page n" at its right, in grey."""

    def draw(canvas, document) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", font_size)
        canvas.setFillColor(NHS_GREY_1)
        canvas.drawString(MARGIN, height, words)
        canvas.drawRightString(A4[0] - MARGIN, height, f"Page {document.page}")
        canvas.restoreState()

    return draw
