"""The words of those affected that a report quotes: their accounts and questions, only where they
chose to have them quoted.

Who may be quoted: a patient, family member or carer (not staff, who are heard by role in the
review itself), in a step shared with them, so they can read on their page what the report says
they said. Their choice is recorded on the step (`in_report`): by them in the family portal, or by
their engagement lead, who records what they were told. Nothing is quoted unless they chose it.

How it is quoted: as they wrote it, or as it was recorded in their words, and dated; but the
report names no one, so the names of people in it (staff, the patient, anyone else), NHS numbers,
addresses and the like are replaced as the learning library replaces them (psirf/learning/redact.py:
"[name]"), with the response's own organisation kept. The report says so beside the quotes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from psirf.engagement.models import AffectedPerson, EngagementStep, PersonKind, StepKind
from psirf.learning.redact import redact
from psirf.library.sharing import response_known_names
from psirf.problems import InputError
from psirf.responses.models import LearningResponse

QUOTED_KINDS = (StepKind.ACCOUNT, StepKind.QUESTION)
HEADINGS = {StepKind.ACCOUNT: "Their account", StepKind.QUESTION: "Their question"}
REDACTION_NOTE = (
    "These are their own words, as they wrote them or as we recorded them, included because they "
    "chose to share them in this report. The names of people are replaced with [name], so that no "
    "one is identified."
)


@dataclass(frozen=True)
class Quote:
    kind: StepKind
    said_by: str  # "A family member (son)": who they are to the patient, never their name
    said_on: date
    words: str

    @property
    def heading(self) -> str:
        return HEADINGS[self.kind]


def quotable(step: EngagementStep) -> bool:
    """Whether the step is one its person may choose to have quoted in the report."""
    return (
        StepKind(step.kind) in QUOTED_KINDS
        and step.shared
        and step.person.kind != PersonKind.STAFF.value
    )


def _said_by(person: AffectedPerson, clean) -> str:
    who = (
        f"A {person.kind_label.lower()}"
        if person.kind != PersonKind.PATIENT.value
        else "The patient"
    )
    relationship = clean(person.relationship_to_patient) if person.relationship_to_patient else ""
    return f"{who} ({relationship.lower()})" if relationship else who


def quotes_for(
    session: Session, response: LearningResponse, kinds: tuple[StepKind, ...] = QUOTED_KINDS
) -> list[Quote]:
    """What the report quotes, oldest first: the chosen accounts and questions, names replaced."""
    steps = session.scalars(
        select(EngagementStep)
        .join(AffectedPerson, AffectedPerson.id == EngagementStep.person_id)
        .where(
            EngagementStep.response_id == response.id,
            EngagementStep.in_report.is_(True),
            EngagementStep.shared.is_(True),
            EngagementStep.kind.in_([k.value for k in kinds if k in QUOTED_KINDS]),
            AffectedPerson.kind != PersonKind.STAFF.value,
        )
        .order_by(EngagementStep.occurred_on, EngagementStep.id)
    ).all()
    return _quoted(session, response, steps)


def quotes_among(
    session: Session, response: LearningResponse, steps: list[EngagementStep]
) -> list[Quote]:
    """What the report quotes from the response's `steps`, already loaded oldest first (the
    response page has them): the same as quotes_for, without asking for the steps again."""
    return _quoted(session, response, [s for s in steps if s.in_report and quotable(s)])


def _quoted(
    session: Session, response: LearningResponse, steps: list[EngagementStep]
) -> list[Quote]:
    if not steps:
        return []
    names = response_known_names(session, response)
    keep = (response.organisation.name,) if response.organisation else ()

    def clean(text: str) -> str:
        return redact(text, known_names=names, keep=keep).text

    return [
        Quote(StepKind(s.kind), _said_by(s.person, clean), s.occurred_on, clean(s.notes))
        for s in steps
    ]


def set_choice(step: EngagementStep, in_report: bool) -> dict | None:
    """Record their choice on a step they may have quoted; the audit's change, or None if it stands.

    The change names the kind of step and person, never the words: contributing organisations
    read the response's timeline."""
    if not quotable(step):
        raise InputError(
            "in_report",
            "Only an account or a question shared with the person can be quoted in the report",
        )
    in_report = bool(in_report)
    if step.in_report == in_report:
        return None
    step.in_report = in_report
    shown = {True: "quoted", False: "left out"}
    return {
        "in_report": {
            "before": shown[not in_report],
            "after": shown[in_report],
            "of": f"{HEADINGS[StepKind(step.kind)].lower()}, a {step.person.kind_label.lower()}",
        }
    }
