"""A learning bulletin as a PDF to send round the practices (reportlab, no Flask, no database).

The same words and figures as the page: the introduction, then each section's text and points, the
themes as a table of this period against the one before. A draft says "DRAFT" in its title and its
footer. Every string goes through `_text`, which escapes reportlab's mini-markup.
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from psirf.bulletins.drafting import trend
from psirf.bulletins.models import Bulletin, Section

NHS_BLUE = colors.HexColor("#005eb8")
NHS_DARK_BLUE = colors.HexColor("#003087")
NHS_BLACK = colors.HexColor("#212b32")
NHS_GREY_1 = colors.HexColor("#4c6272")
NHS_GREY_4 = colors.HexColor("#d8dde0")
MARGIN = 20 * mm
WIDTH = A4[0] - 2 * MARGIN


def _text(value) -> str:
    return escape(str(value)).replace("\r\n", "\n").replace("\n", "<br/>")


def _styles() -> dict[str, ParagraphStyle]:
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
    return {
        "title": ParagraphStyle(
            "Title",
            parent=body,
            fontName="Helvetica-Bold",
            fontSize=20,
            leading=25,
            textColor=NHS_DARK_BLUE,
            spaceAfter=6,
        ),
        "subtitle": ParagraphStyle(
            "Subtitle", parent=body, fontSize=12, leading=16, textColor=NHS_GREY_1, spaceAfter=8
        ),
        "h1": ParagraphStyle(
            "H1",
            parent=body,
            fontName="Helvetica-Bold",
            fontSize=15,
            leading=19,
            textColor=NHS_BLUE,
            spaceBefore=12,
            spaceAfter=6,
        ),
        "h2": ParagraphStyle(
            "H2",
            parent=body,
            fontName="Helvetica-Bold",
            fontSize=11.5,
            leading=15,
            textColor=NHS_DARK_BLUE,
            spaceBefore=6,
            spaceAfter=2,
        ),
        "body": body,
        "cell": ParagraphStyle("Cell", parent=body, fontSize=9.5, leading=12, spaceAfter=0),
        "head": ParagraphStyle(
            "Head",
            parent=body,
            fontName="Helvetica-Bold",
            fontSize=9.5,
            leading=12,
            spaceAfter=0,
            textColor=colors.white,
        ),
    }


def _paragraphs(text: str, style) -> list:
    parts = [p.strip() for p in (text or "").replace("\r\n", "\n").split("\n\n") if p.strip()]
    return [Paragraph(_text(p), style) for p in parts]


def _themes_table(points, styles, previous_label: str):
    head = ["Theme", "This period", previous_label, "Trend"]
    rows = [[Paragraph(_text(h), styles["head"]) for h in head]]
    for p in points:
        rows.append(
            [
                Paragraph(_text(v), styles["cell"])
                for v in (
                    p.title,
                    f"{p.count or 0:,}",
                    f"{p.previous or 0:,}",
                    trend(p.count or 0, p.previous or 0),
                )
            ]
        )
    table = Table(
        rows, colWidths=[WIDTH * 0.46, WIDTH * 0.15, WIDTH * 0.17, WIDTH * 0.22], repeatRows=1
    )
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), NHS_BLUE),
                ("GRID", (0, 0), (-1, -1), 0.5, NHS_GREY_4),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def build_pdf(bulletin: Bulletin, period: str, previous: str) -> bytes:
    styles = _styles()
    draft = bulletin.is_draft
    story = [
        Paragraph(_text(("DRAFT: " if draft else "") + bulletin.title), styles["title"]),
        Paragraph(
            _text(f"{bulletin.organisation.name}: learning from {period}"), styles["subtitle"]
        ),
        *_paragraphs(bulletin.introduction, styles["body"]),
    ]
    for section in Section:
        points = bulletin.points_in(section.value)
        story.append(Paragraph(_text(section.label), styles["h1"]))
        story += _paragraphs(bulletin.text_of(section.value), styles["body"])
        if section is Section.THEMES and points:
            story.append(_themes_table(points, styles, previous))
        else:
            for p in points:
                story.append(
                    KeepTogether(
                        [
                            Paragraph(_text(p.title), styles["h2"]),
                            *_paragraphs(p.body, styles["body"]),
                        ]
                    )
                )
        if not points:
            story.append(Paragraph("Nothing to report for this period.", styles["body"]))
        story.append(Spacer(1, 4))

    footer = f"{bulletin.title}{' (DRAFT)' if draft else ''}"

    def on_page(canvas, document):
        canvas.saveState()
        canvas.setFont("Helvetica", 8.5)
        canvas.setFillColor(NHS_GREY_1)
        canvas.drawString(MARGIN, 10 * mm, footer[:110])
        canvas.drawRightString(A4[0] - MARGIN, 10 * mm, f"Page {document.page}")
        canvas.restoreState()

    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=bulletin.title,
        author=bulletin.organisation.name,
    ).build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()
