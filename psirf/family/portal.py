"""The family portal's rules: what a patient or family member sees of their own response, and
what they may do there. Plain functions over a session, no Flask.

A family account sees only the people-records linked to it (`AffectedPerson.account_id`), and of
each only what was marked shared: never internal steps, attempts to reach them, other people in
the plan, or the staff who recorded a step; of the staff, only their named contact's name.

Each change a family member makes is audited against the response like any engagement change
(actor: their account), with no content in the audit, and tells their engagement lead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from psirf import policy
from psirf.accounts.models import User
from psirf.engagement.models import (
    AffectedPerson,
    ContactMeans,
    DocumentKind,
    EngagementStep,
    Involvement,
    SharedDocument,
    StepKind,
)
from psirf.engagement.services import _clean, _done
from psirf.engagement.sharing import documents_of
from psirf.engagement.words import quotable, set_choice
from psirf.notifications.models import NotificationKind
from psirf.notifications.services import notify
from psirf.responses.models import LearningResponse
from psirf.problems import InputError

MAX_TEXT = 5000


def staff_page(response: LearningResponse, anchor: str = "engagement") -> str:
    return f"/responses/{response.id}#{anchor}"


# ---- what they see -------------------------------------------------------------------------------

# Each shared step, as the family reads it: plain English, about them, never naming staff.
TIMELINE_TEXT = {
    StepKind.FIRST_CONTACT: "We first got in touch with you.",
    StepKind.BEING_OPEN: "We talked with you openly about what happened.",
    StepKind.QUESTION: "You asked us a question.",
    StepKind.ACCOUNT: "You told us what happened, in your own words.",
    StepKind.DRAFT_SHARED: "We shared the draft report with you.",
    StepKind.COMMENT: "You sent us your comments on the draft report.",
    StepKind.FINAL_SHARED: "We shared the final report with you.",
    StepKind.CLOSING: "We met with you to close the review.",
    StepKind.DECLINED: "You told us you did not want to take part for now.",
    StepKind.NOT_REACHED: "We tried to reach you but could not.",
}
# Whose notes a family member reads back: their own words, and what was noted at a shared meeting.
# Declined and not reached are noted for the team (they gather the attempts made), so are not shown.
NOTES_SHOWN = {
    StepKind.FIRST_CONTACT,
    StepKind.BEING_OPEN,
    StepKind.ACCOUNT,
    StepKind.COMMENT,
    StepKind.CLOSING,
}


@dataclass(frozen=True)
class TimelineItem:
    on: date
    text: str
    notes: str | None


@dataclass
class FamilyView:
    person: AffectedPerson
    response: LearningResponse
    organisation_name: str
    contact_name: str | None
    timeline: list[TimelineItem]
    questions: list[EngagementStep]
    documents: list[SharedDocument]
    may_comment: bool
    # Their accounts and questions, each of which they choose to have quoted in the report or not.
    words: list[EngagementStep]


def people_of(session: Session, user) -> list[AffectedPerson]:
    """The people-records linked to a family account, oldest first."""
    if not policy.is_family(user):
        return []
    return list(
        session.scalars(
            select(AffectedPerson)
            .where(AffectedPerson.account_id == user.id)
            .order_by(AffectedPerson.id)
        )
    )


def person_for(session: Session, user, person_id: int) -> AffectedPerson:
    person = session.get(AffectedPerson, person_id)
    policy.require_family_person(user, person)
    return person


def _shared_steps(session: Session, person: AffectedPerson) -> list[EngagementStep]:
    return list(
        session.scalars(
            select(EngagementStep)
            .where(EngagementStep.person_id == person.id, EngagementStep.shared.is_(True))
            .order_by(EngagementStep.occurred_on, EngagementStep.id)
        )
    )


def view_for(session: Session, user, person_id: int) -> FamilyView:
    person = person_for(session, user, person_id)
    response = session.get(LearningResponse, person.response_id)
    steps = _shared_steps(session, person)
    documents = documents_of(session, person)
    return FamilyView(
        person=person,
        response=response,
        organisation_name=response.organisation.name if response.organisation else "",
        contact_name=person.engagement_lead.name if person.engagement_lead else None,
        timeline=[
            TimelineItem(
                s.occurred_on,
                TIMELINE_TEXT[StepKind(s.kind)],
                s.notes if StepKind(s.kind) in NOTES_SHOWN else None,
            )
            for s in steps
        ],
        questions=[s for s in steps if s.kind == StepKind.QUESTION.value],
        documents=documents,
        may_comment=any(d.kind == DocumentKind.DRAFT.value for d in documents),
        words=[s for s in steps if quotable(s)],
    )


# ---- what they do --------------------------------------------------------------------------------


def _lead_of(session: Session, person: AffectedPerson, response: LearningResponse) -> User | None:
    """Who hears of a family member's question or comment: their engagement lead, or else the response's lead."""
    if person.engagement_lead is not None:
        return person.engagement_lead
    return session.get(User, response.lead_id) if response.lead_id else None


def _family_step(
    session: Session,
    user,
    person: AffectedPerson,
    kind: StepKind,
    text: str | None,
    today: date,
    field_name: str,
    missing: str,
    in_report: bool = False,
) -> EngagementStep:
    text = _clean(text)
    if not text:
        raise InputError(field_name, missing)
    if len(text) > MAX_TEXT:
        raise InputError(field_name, f"Write no more than {MAX_TEXT:,} characters")
    response = session.get(LearningResponse, person.response_id)
    step = EngagementStep(
        response_id=response.id,
        person_id=person.id,
        kind=kind.value,
        occurred_on=today,
        shared=True,
        notes=text,
        created_by_id=user.id,
    )
    session.add(step)
    session.flush()
    quoted = set_choice(step, True) if in_report else None
    _done(
        session,
        user,
        response,
        f"family:{kind.value}",
        {
            kind.value: {
                "before": None,
                "after": f"sent {today.isoformat()}",
                "of": person.kind_label.lower(),
            },
            **(quoted or {}),
        },
    )
    lead = _lead_of(session, person, response)
    if lead is not None:
        # The title names the response, never the person: emails leave the system.
        if kind is StepKind.QUESTION:
            notify(
                session,
                lead,
                NotificationKind.FAMILY_QUESTION,
                f"A new question about {response.reference}",
                body="Someone affected asked a question through the family portal. It is part of the terms of reference.",
                link=staff_page(response, "questions"),
            )
        else:
            notify(
                session,
                lead,
                NotificationKind.FAMILY_COMMENT,
                f"Comments on the draft of {response.reference}",
                body="Someone affected sent comments on the draft report through the family portal.",
                link=staff_page(response),
            )
    return step


def ask_question(
    session: Session, user, person_id: int, text: str | None, *, today: date, in_report=False
) -> EngagementStep:
    """A question they want answered: it joins the terms of reference (services.questions_for),
    and is quoted in the report, in their words, only if they chose that (`in_report`)."""
    person = person_for(session, user, person_id)
    return _family_step(
        session,
        user,
        person,
        StepKind.QUESTION,
        text,
        today,
        "question",
        "Write your question",
        in_report=in_report,
    )


def choose_for_report(
    session: Session, user, person_id: int, step_id: int, in_report: bool
) -> EngagementStep:
    """Their own choice: quote this account or question of theirs in the report, or leave it out.
    A report already shared with them stays as it was; their engagement lead is told."""
    person = person_for(session, user, person_id)
    step = session.get(EngagementStep, step_id)
    if step is None or step.person_id != person.id or not step.shared:
        raise policy.NotVisible("Page not found")
    change = set_choice(step, in_report)
    if change is None:
        return step
    session.flush()
    response = session.get(LearningResponse, person.response_id)
    _done(session, user, response, "family:in_report", change)
    lead = _lead_of(session, person, response)
    if lead is not None:
        notify(
            session,
            lead,
            NotificationKind.FAMILY_CHOICE,
            f"A change to what the report of {response.reference} quotes",
            body="Someone affected changed whether their words are quoted in the report. "
            "Check the report before you share it again.",
            link=staff_page(response),
        )
    return step


def comment_on_draft(
    session: Session, user, person_id: int, text: str | None, *, today: date
) -> EngagementStep:
    """Comments on the draft report: only once a draft has been shared with them."""
    person = person_for(session, user, person_id)
    if not any(d.kind == DocumentKind.DRAFT.value for d in documents_of(session, person)):
        raise policy.NotPermitted("You can comment once we have shared the draft report with you.")
    return _family_step(
        session, user, person, StepKind.COMMENT, text, today, "comments", "Write your comments"
    )


PREFERENCE_FIELDS = (
    "contact_by",
    "contact_when",
    "language",
    "interpreter_needed",
    "accessibility_needs",
    "involvement",
)
PREFERENCE_LABELS = {
    "contact_by": "How to contact",
    "contact_when": "When to contact",
    "language": "Language",
    "interpreter_needed": "Interpreter",
    "accessibility_needs": "Accessibility needs",
    "involvement": "How involved",
}


def update_preferences(session: Session, user, person_id: int, values: dict) -> list[str]:
    """Their own preferences; the audit names what changed, never the values."""
    person = person_for(session, user, person_id)
    involvement = values.get("involvement")
    if involvement not in {i.value for i in Involvement}:
        raise InputError("involvement", "Choose how involved you want to be")
    updates = {
        "contact_by": [
            m for m in values.get("contact_by") or [] if m in {c.value for c in ContactMeans}
        ],
        "contact_when": _clean(values.get("contact_when")),
        "language": _clean(values.get("language")),
        "interpreter_needed": bool(values.get("interpreter_needed")),
        "accessibility_needs": _clean(values.get("accessibility_needs")),
        "involvement": involvement,
    }
    changed = [k for k, v in updates.items() if getattr(person, k) != v]
    if not changed:
        return []
    for k, v in updates.items():
        setattr(person, k, v)
    session.flush()
    response = session.get(LearningResponse, person.response_id)
    _done(
        session,
        user,
        response,
        "family:preferences",
        {
            name: {"before": None, "after": "changed by them", "of": person.kind_label}
            for name in changed
        },
    )
    return [PREFERENCE_LABELS[name] for name in changed]
