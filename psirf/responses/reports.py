"""The PDF report of a learning response, one builder for every method (reportlab, no Flask).

The report walks the sections the response's workflow file declares, so a new field or section
appears in the PDF without code. A method changes only what it must:

- a PSII follows the NHS England PSII report template's order and headings (`PSII_LAYOUT`), with
  its findings grouped by SEIPS factor;
- a thematic review starts with the events it covers and the filters that chose them;
- a cross-organisational response lists each contributor, its contribution and its agreement;
- a response that went on as another method says so at the front, and ends with what each earlier
  method recorded, as it was when the response changed course (psirf.responses.course).

Every user-supplied string goes through `_text` (psirf/documents.py), which escapes reportlab's mini-markup. Nothing
that identifies a patient or a reporter is read: no event descriptions, no people's names. The words
of those affected appear only where they chose to share them, with the names in them replaced
(psirf/engagement/words.py).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle
from sqlalchemy import func, select
from sqlalchemy.orm import object_session

from psirf.documents import NHS_GREY_1, NHS_GREY_3, NHS_GREY_4, a4_document, page_footer
from psirf.documents import text as _text
from psirf.engagement import words
from psirf.engagement.models import StepKind
from psirf.engagement.services import questions_for
from psirf.events.lfpse import RecordType, Theme
from psirf.learning.models import SeipsFactor
from psirf.responses import course
from psirf.responses.models import LearningResponse, thematic_review_events
from psirf.responses.timeliness import due_text
from psirf.timeutil import in_london
from psirf.web import dates
from psirf.workflow.definitions import FieldDef, SectionDef, WorkflowDef

TITLES = {
    "after_action_review": "After action review summary",
    "psii": "Patient safety incident investigation report",
    "swarm_huddle": "SWARM huddle record",
    "mdt_review": "MDT review summary",
    "thematic_review": "Thematic review report",
    "cross_organisational": "Cross-organisational learning response report",
}
NOT_RECORDED = "Not yet recorded"
INVOLVED = "How those affected were involved"


@dataclass(frozen=True)
class Part:
    """A heading of the report and what goes under it, in order.

    An item is a section name ("terms": all its fields), a field ("draft.summary"), or one of
    the parts kept in their own tables: "@findings", "@findings_by_seips", "@actions",
    "@selection", "@contributors", "@affected_questions", "@their_words".
    """

    heading: str
    items: tuple[str, ...]


# The NHS England PSII report template: its headings, in its order, filled from psii.yaml.
PSII_LAYOUT = (
    Part("Summary", ("draft.summary",)),
    Part("Background and context", ("draft.background",)),
    Part("Terms of reference", ("terms", "@affected_questions")),
    Part(INVOLVED, ("final.involvement", "@their_words", "sharing")),
    Part("Findings", ("information", "draft.findings_narrative", "@findings_by_seips")),
    Part("Areas for improvement and safety actions", ("final.areas_for_improvement", "@actions")),
    Part("Appendices", ("final.appendices",)),
    Part("Sign-off", ("signoff",)),
)
LAYOUTS = {"psii": PSII_LAYOUT}
# Parts a method adds to the default layout: (before the sections, after the sections).
EXTRA_PARTS = {
    "thematic_review": ((Part("Events covered", ("@selection",)),), ()),
    "cross_organisational": ((), (Part("Contributing organisations", ("@contributors",)),)),
}


def title_of(response: LearningResponse) -> str:
    return TITLES.get(response.method, f"{response.method_label} report")


def layout_for(response: LearningResponse, definition: WorkflowDef) -> tuple[Part, ...]:
    """The parts of the report in order; any declared section a layout leaves out comes last."""
    if response.method in LAYOUTS:
        parts = list(LAYOUTS[response.method])
    else:
        before, after = EXTRA_PARTS.get(response.method, ((), ()))
        parts = [
            *before,
            *(Part(s.label, (s.name,)) for s in definition.sections.values()),
            *after,
            Part(INVOLVED, ("@their_words",)),
            Part("Findings and contributory factors", ("@findings",)),
            Part("Safety actions", ("@actions",)),
        ]
    items = [item for part in parts for item in part.items]
    for section in definition.sections.values():
        if section.name in items:
            continue
        # A section a layout leaves out, or the fields it leaves out (a later version's new field).
        missing = tuple(
            f"{section.name}.{f.name}"
            for f in section.fields
            if f"{section.name}.{f.name}" not in items
        )
        if len(missing) == len(section.fields):
            parts.append(Part(section.label, (section.name,)))
        elif missing:
            parts.append(Part(section.label, missing))
    return tuple(parts)


# ---- formatting ---------------------------------------------------------------------------------


def format_date(value) -> str:
    """3 March 2026, from a date, a datetime or an ISO string; anything else as written."""
    if isinstance(value, (date, str)):  # a datetime is a date: its day is written
        return dates.format_date(value)
    return str(value)


def answer(field: FieldDef, value) -> str:
    """A stored answer as a person reads it (plain text, not yet escaped)."""
    if value is None or value == "":
        return NOT_RECORDED
    if field.type == "choice":
        return dict(field.options).get(str(value), str(value))
    if field.type == "date":
        return format_date(value)
    return str(value)


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    body = ParagraphStyle(
        "Body",
        parent=base["BodyText"],
        fontName="Helvetica",
        fontSize=11,
        leading=15,
        alignment=TA_LEFT,
    )
    return {
        "title": ParagraphStyle(
            "Title",
            parent=base["Title"],
            fontName="Helvetica-Bold",
            fontSize=20,
            leading=24,
            alignment=TA_LEFT,
        ),
        "h1": ParagraphStyle(
            "H1",
            parent=base["Heading1"],
            fontName="Helvetica-Bold",
            fontSize=15,
            leading=19,
            spaceBefore=12,
            keepWithNext=1,
        ),
        "h2": ParagraphStyle(
            "H2",
            parent=base["Heading2"],
            fontName="Helvetica-Bold",
            fontSize=12.5,
            leading=16,
            spaceBefore=8,
            keepWithNext=1,
        ),
        # A heading or a question stays on the page with what follows it.
        "label": ParagraphStyle(
            "Label",
            parent=body,
            fontName="Helvetica-Bold",
            spaceBefore=4,
            spaceAfter=0,
            keepWithNext=1,
        ),
        "body": body,
        "muted": ParagraphStyle("Muted", parent=body, textColor=NHS_GREY_1),
        "cell": ParagraphStyle("Cell", parent=body, fontSize=10, leading=13),
        "cell_head": ParagraphStyle(
            "CellHead", parent=body, fontName="Helvetica-Bold", fontSize=10, leading=13
        ),
        "bullet": ParagraphStyle("Bullet", parent=body, leftIndent=12, bulletIndent=2),
        # Their own words, set in from the report's, so whose words they are is never in doubt.
        "quote": ParagraphStyle(
            "Quote", parent=body, fontName="Helvetica-Oblique", leftIndent=8 * mm, spaceAfter=4
        ),
    }


def _action_status(action) -> str:
    """The action's step, as its workflow labels it."""
    from psirf.workflow.definitions import WorkflowError, get

    try:
        return get(action.workflow_name, action.workflow_version).state(action.state).label
    except (WorkflowError, KeyError, TypeError):
        return action.state or NOT_RECORDED


# ---- the builder --------------------------------------------------------------------------------


class _Builder:
    def __init__(self, response: LearningResponse, definition: WorkflowDef):
        self.response = response
        self.definition = definition
        self.record = response.record or {}
        self.s = _styles()
        self.story: list = []
        stages = course.history(response)
        self.earlier_stages = stages[:-1]
        self.story_text = course.story(stages)

    def para(self, text: str, style: str = "body") -> None:
        self.story.append(
            Paragraph(text, self.s[style], bulletText="\u2022" if style == "bullet" else None)
        )

    # the front of the report

    def front(self) -> None:
        r = self.response
        self.para(_text(title_of(r)), "title")
        rows = [
            ("Organisation", r.organisation.name if r.organisation else ""),
            ("Reference", r.reference or ""),
            ("Method", r.method_label),
            ("Opened", format_date(r.created_at) if r.created_at else NOT_RECORDED),
            ("Due", due_text(r) or "No target date"),
            ("Closed", format_date(r.closed_at) if r.closed_at else "Not yet closed"),
            (
                "Current step",
                self.definition.state(r.state).label
                if r.state in self.definition.states
                else r.state,
            ),
        ]
        if self.story_text:
            rows.insert(3, ("Changed course", self.story_text))
        if r.extension_reason:
            rows.append(("Extension agreed", r.extension_reason))
        events = [e.reference for e in r.events if e.reference]
        if events:
            rows.append(("Events", ", ".join(events)))
        # splitInRow (every table here): a row taller than a page, a long answer, goes on over the page.
        table = Table(
            [
                [Paragraph(_text(k), self.s["cell_head"]), Paragraph(_text(v), self.s["cell"])]
                for k, v in rows
            ],
            colWidths=[40 * mm, None],
            hAlign="LEFT",
            splitInRow=1,
        )
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.25, NHS_GREY_4),
                    ("TOPPADDING", (0, 0), (-1, -1), 3),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ]
            )
        )
        self.story += [table, Spacer(1, 4 * mm)]

    # the record a workflow declares

    def field(self, field: FieldDef, values: dict, show_label: bool = True) -> None:
        value = answer(field, values.get(field.name))
        if show_label:
            self.para(_text(field.label), "label")
        self.para(_text(value), "muted" if value == NOT_RECORDED else "body")

    def section(self, section: SectionDef, heading: str, record: dict | None = None) -> None:
        if section.label != heading:
            self.para(_text(section.label), "h2")
        saved = (self.record if record is None else record).get(section.name)
        if section.repeatable:
            entries = saved if isinstance(saved, list) else []
            if not entries:
                self.para("No entries recorded.", "muted")
            for number, entry in enumerate(entries, start=1):
                self.para(f"Entry {number}", "label")
                for f in section.fields:
                    self.field(f, entry or {})
            return
        values = saved if isinstance(saved, dict) else {}
        for f in section.fields:
            self.field(f, values)

    def item(self, item: str, heading: str) -> None:
        if item.startswith("@"):
            getattr(self, item[1:])()
            return
        name, _, field_name = item.partition(".")
        section = self.definition.sections.get(name)
        if section is None:  # an older workflow version without it
            return
        if not field_name:
            self.section(section, heading)
            return
        field = next((f for f in section.fields if f.name == field_name), None)
        if field is not None and not section.repeatable:
            values = self.record.get(name) if isinstance(self.record.get(name), dict) else {}
            self.field(field, values, show_label=field.label.lower() != heading.lower())

    # the parts kept in their own tables

    def findings(self) -> None:
        findings = list(self.response.findings)
        if not findings:
            self.para("No findings recorded.", "muted")
        for number, finding in enumerate(findings, start=1):
            self.para(f"Finding {number}: {_text(finding.text)}", "label")
            if not finding.factors:
                self.para("No contributory factors linked.", "muted")
            for factor in finding.factors:
                self.para(
                    f"<b>{_text(factor.factor_label)}</b>: {_text(factor.description)}", "bullet"
                )

    def findings_by_seips(self) -> None:
        self.para("Findings by SEIPS factor", "h2")
        findings = list(self.response.findings)
        numbers = {f.id: n for n, f in enumerate(findings, start=1)}
        if not findings:
            self.para("No findings recorded.", "muted")
            return
        linked = [(f, c) for f in findings for c in f.factors]
        # SEIPS's own order, then any factor code an older version used, as first met.
        codes = [s.value for s in SeipsFactor]
        codes += list(dict.fromkeys(c.factor for _, c in linked if c.factor not in codes))
        for code in codes:
            under = [(f, c) for f, c in linked if c.factor == code]
            if not under:
                continue
            self.para(_text(SeipsFactor.label_for(code)), "label")
            for finding, factor in under:
                self.para(
                    f"{_text(factor.description)} (finding {numbers[finding.id]}: {_text(finding.text)})",
                    "bullet",
                )
        unlinked = [f for f in findings if not f.factors]
        if unlinked:
            self.para("Findings not yet linked to a SEIPS factor", "label")
            for finding in unlinked:
                self.para(f"Finding {numbers[finding.id]}: {_text(finding.text)}", "bullet")

    def actions(self) -> None:
        actions = list(self.response.safety_actions)
        if not actions:
            self.para("No safety actions recorded.", "muted")
            return
        head = [
            Paragraph(h, self.s["cell_head"])
            for h in ("Action", "Owner", "Due date", "Measure", "Strength", "Status")
        ]
        rows = [
            [
                Paragraph(_text(value), self.s["cell"])
                for value in (
                    a.description,
                    ", ".join(
                        part
                        for part in (
                            a.owner,
                            a.owner_organisation.name if a.owner_organisation else None,
                        )
                        if part
                    )
                    or NOT_RECORDED,
                    format_date(a.due_on) if a.due_on else NOT_RECORDED,
                    f"{a.measure_kind_label}: {a.measure}" if a.measure else NOT_RECORDED,
                    a.strength_label,
                    _action_status(a),
                )
            ]
            for a in actions
        ]
        table = Table(
            [head, *rows],
            colWidths=[38 * mm, 28 * mm, 22 * mm, 34 * mm, 26 * mm, 22 * mm],
            repeatRows=1,
            hAlign="LEFT",
            splitInRow=1,
        )
        table.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8edee")),
                    ("GRID", (0, 0), (-1, -1), 0.5, NHS_GREY_3),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("TOPPADDING", (0, 0), (-1, -1), 4),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                ]
            )
        )
        self.story.append(table)

    def selection(self) -> None:
        chosen = self.record.get("selection") or {}
        if chosen.get("cover") == "responses":
            covered = ", ".join(r.reference for r in self.response.reviewed_responses) or "none"
            self.para(
                _text(
                    f"Learning responses covered: {len(self.response.reviewed_responses)} ({covered})"
                ),
                "body",
            )
        else:
            self.para(f"Events covered: {_events_covered(self.response)}", "body")
        rows = [
            (
                "Occurred from",
                format_date(chosen["occurred_from"])
                if chosen.get("occurred_from")
                else NOT_RECORDED,
            ),
            (
                "Occurred to",
                format_date(chosen["occurred_to"]) if chosen.get("occurred_to") else NOT_RECORDED,
            ),
            ("Theme", Theme.label_for(chosen["theme"]) if chosen.get("theme") else "Any theme"),
            (
                "Record type",
                RecordType.label_for(chosen["record_type"])
                if chosen.get("record_type")
                else "Any record type",
            ),
        ]
        for label, value in rows:
            self.para(_text(label), "label")
            self.para(_text(value))
        self.para("The events were kept as a snapshot when the review started.", "muted")

    def _quotes(self, kinds: tuple[StepKind, ...] = words.QUOTED_KINDS) -> list[words.Quote]:
        session = object_session(self.response)
        return words.quotes_for(session, self.response, kinds) if session is not None else []

    def affected_questions(self) -> None:
        """The questions those affected asked, from the engagement plan: part of the terms. Only
        those they chose to share are quoted; the others are counted."""
        session = object_session(self.response)
        asked = len(questions_for(session, self.response)) if session is not None else 0
        quoted = self._quotes((StepKind.QUESTION,))
        self.para("Questions from those affected", "label")
        if not asked:
            self.para("None recorded in the engagement plan.", "muted")
        for number, quote in enumerate(quoted, start=1):
            self.para(
                _text(f"{number}. {quote.words} ({quote.said_by}, {format_date(quote.said_on)})")
            )
        if asked > len(quoted):
            more = asked - len(quoted)
            self.para(
                f"{'One more question was' if more == 1 else f'{more} more questions were'} asked "
                "in confidence: answered with those who asked, and not quoted here.",
                "muted",
            )

    def their_words(self) -> None:
        """Beside the lead's summary: the accounts and questions those affected chose to share,
        each dated, in their words, with the names of people replaced."""
        quotes = self._quotes()
        self.para("In their own words", "h2")
        if not quotes:
            self.para(
                "None of those affected has chosen to share their words in this report.", "muted"
            )
            return
        for quote in quotes:
            self.para(
                _text(f"{quote.heading}: {quote.said_by}, {format_date(quote.said_on)}"), "label"
            )
            self.para(_text(f"\u201c{quote.words}\u201d"), "quote")
        self.para(_text(words.REDACTION_NOTE), "muted")

    def contributors(self) -> None:
        contributors = list(self.response.contributors)
        if not contributors:
            self.para("No contributing organisations.", "muted")
        for c in contributors:
            self.para(_text(c.organisation.name if c.organisation else "An organisation"), "h2")
            self.para("Contribution", "label")
            self.para(
                _text(c.contribution) if c.contribution else "Not yet given",
                "body" if c.contribution else "muted",
            )
            self.para("Agreement to sign-off", "label")
            self.para(f"Agreed on {format_date(c.agreed_at)}" if c.agreed_at else "Not yet agreed")

    def earlier(self, stage: course.Stage) -> None:
        """What a method the response ran as before recorded, as it was when it changed course."""
        self.para(_text(f"What the {stage.method_words} recorded"), "h1")
        self.para(
            _text(
                f"Kept as it was when the response {stage.change_label.lower()} another method "
                f"on {format_date(in_london(stage.ended_at))}."
            ),
            "muted",
        )
        for section in stage.definition.sections.values():
            self.section(section, "", stage.record)

    def build(self) -> list:
        self.front()
        for part in layout_for(self.response, self.definition):
            self.para(_text(part.heading), "h1")
            for item in part.items:
                self.item(item, part.heading)
        for stage in self.earlier_stages:
            self.earlier(stage)
        return self.story


def _events_covered(response: LearningResponse) -> int:
    session = object_session(response)
    if session is None:
        return len(response.reviewed_events)
    return session.scalar(
        select(func.count())
        .select_from(thematic_review_events)
        .where(thematic_review_events.c.response_id == response.id)
    )


def build_report(response: LearningResponse, definition: WorkflowDef) -> bytes:
    """The response's report as PDF bytes."""
    buffer = io.BytesIO()
    title = title_of(response)
    doc = a4_document(
        buffer,
        bottom_margin=22 * mm,
        title=f"{title} {response.reference or ''}".strip(),
        author=response.organisation.name if response.organisation else "",
        subject=response.method_label,
        creator="psirf",
    )
    footer = page_footer(response.reference or "", font_size=9, height=12 * mm)
    doc.build(_Builder(response, definition).build(), onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
