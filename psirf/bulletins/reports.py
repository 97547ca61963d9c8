"""A learning bulletin as a PDF to send round the practices (reportlab, no Flask, no database).

The same words and figures as the page: the introduction, then each section's text and points, the
themes as a table of this period against the one before. A draft says "DRAFT" in its title and its
footer. Every string goes through `text` (psirf/documents.py), which escapes reportlab's mini-markup.
"""

from __future__ import annotations

import io

from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table, TableStyle

from psirf.bulletins.drafting import trend
from psirf.bulletins.models import Bulletin, Section
from psirf.documents import (
    NHS_BLUE,
    NHS_GREY_4,
    WIDTH,
    a4_document,
    house_styles,
    page_footer,
    paragraphs,
    text,
)


def _themes_table(points, styles, previous_label: str):
    head = ["Theme", "This period", previous_label, "Trend"]
    rows = [[Paragraph(text(h), styles["cell_head"]) for h in head]]
    for p in points:
        rows.append(
            [
                Paragraph(text(v), styles["cell"])
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
    styles = house_styles()
    draft = bulletin.is_draft
    story = [
        Paragraph(text(("DRAFT: " if draft else "") + bulletin.title), styles["title"]),
        Paragraph(
            text(f"{bulletin.organisation.name}: learning from {period}"), styles["subtitle"]
        ),
        *paragraphs(bulletin.introduction, styles["body"]),
    ]
    for section in Section:
        points = bulletin.points_in(section.value)
        story.append(Paragraph(text(section.label), styles["h1"]))
        story += paragraphs(bulletin.text_of(section.value), styles["body"])
        if section is Section.THEMES and points:
            story.append(_themes_table(points, styles, previous))
        else:
            for p in points:
                story.append(
                    KeepTogether(
                        [
                            Paragraph(text(p.title), styles["h2"]),
                            *paragraphs(p.body, styles["body"]),
                        ]
                    )
                )
        if not points:
            story.append(Paragraph("Nothing to report for this period.", styles["body"]))
        story.append(Spacer(1, 4))

    footer = f"{bulletin.title}{' (DRAFT)' if draft else ''}"[:110]
    buffer = io.BytesIO()
    a4_document(buffer, title=bulletin.title, author=bulletin.organisation.name).build(
        story, onFirstPage=page_footer(footer), onLaterPages=page_footer(footer)
    )
    return buffer.getvalue()
