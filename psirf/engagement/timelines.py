"""A person's engagement timeline as the JSON API reads it, and staff's reading of it.

Staff who see the response's engagement on its page (policy.may_see_engagement) read every step
with the person, shared or internal (`for_staff`). A family account's reading, only what was
shared with them in the portal's words, is psirf.family.timelines. Plain functions, no Flask.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from psirf import policy
from psirf.engagement.models import AffectedPerson
from psirf.engagement.services import steps_of
from psirf.responses.models import LearningResponse


@dataclass(frozen=True)
class Entry:
    on: date
    text: str
    notes: str | None
    # Staff only: the step as recorded.
    kind: str | None = None
    shared: bool | None = None
    answer: str | None = None
    answered_on: date | None = None


@dataclass
class PersonTimeline:
    person_id: int
    organisation_name: str
    contact_name: str | None
    entries: list[Entry] = field(default_factory=list)
    # Staff only: who the person is and which response they are part of.
    kind: str | None = None
    name: str | None = None
    response_id: int | None = None


def _require_engagement(user, response: LearningResponse | None) -> None:
    if response is None:
        raise policy.NotVisible("Page not found")
    policy.require_response_visible(user, response)
    if not policy.may_see_engagement(user, response):
        raise policy.NotPermitted("Engagement belongs to the lead organisation's casework.")


def _staff_timeline(person: AffectedPerson, response: LearningResponse, steps) -> PersonTimeline:
    return PersonTimeline(
        person_id=person.id,
        organisation_name=response.organisation.name,
        contact_name=person.engagement_lead.name if person.engagement_lead else None,
        entries=[
            Entry(s.occurred_on, s.kind_label, s.notes, s.kind, s.shared, s.answer, s.answered_on)
            for s in steps
        ],
        kind=person.kind,
        name=person.name,
        response_id=response.id,
    )


def for_staff(session: Session, user, person_id: int) -> PersonTimeline:
    """Every step with the person, for staff who see the response's engagement: NotVisible
    outside the response's casework, NotPermitted for a contributing organisation."""
    person = session.get(AffectedPerson, person_id)
    response = session.get(LearningResponse, person.response_id) if person else None
    _require_engagement(user, response)
    return _staff_timeline(person, response, person.steps)


def of_response(session: Session, user, response: LearningResponse) -> list[PersonTimeline]:
    """Each person affected by the response, oldest first, with every step with them: for staff
    who see its engagement, as its page shows it (two queries, whatever the number of people)."""
    _require_engagement(user, response)
    people = session.scalars(
        select(AffectedPerson)
        .where(AffectedPerson.response_id == response.id)
        .order_by(AffectedPerson.id)
    ).all()
    steps = steps_of(session, response) if people else []
    return [_staff_timeline(p, response, [s for s in steps if s.person_id == p.id]) for p in people]
