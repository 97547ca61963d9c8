"""A person's engagement timeline, read by the JSON API, as each reader may see it.

A family account reads its own people only, and of each only what was shared with them, in the
words the family portal uses (psirf.family.portal.view_for). Staff who see the response's
engagement on its page (policy.may_see_engagement) read every step with that person, shared or
internal. Plain functions over a session, no Flask.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from psirf import policy
from psirf.engagement.models import AffectedPerson
from psirf.family import portal
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


@dataclass(frozen=True)
class FamilyPerson:
    id: int
    organisation_name: str
    started_on: date


def family_people(session: Session, user) -> list[FamilyPerson]:
    """A family account's own people-records, each a review they are part of, oldest first."""
    policy.require_family(user)
    people = portal.people_of(session, user)
    responses = {
        r.id: r
        for r in session.scalars(
            select(LearningResponse).where(
                LearningResponse.id.in_({p.response_id for p in people})
            )
        )
    }
    return [
        FamilyPerson(p.id, responses[p.response_id].organisation.name, p.created_at.date())
        for p in people
    ]


def for_family(session: Session, user, person_id: int) -> PersonTimeline:
    """Their own person's shared steps; another's is NotVisible."""
    view = portal.view_for(session, user, person_id)
    return PersonTimeline(
        person_id=view.person.id,
        organisation_name=view.organisation_name,
        contact_name=view.contact_name,
        entries=[Entry(i.on, i.text, i.notes) for i in view.timeline],
    )


def for_staff(session: Session, user, person_id: int) -> PersonTimeline:
    """Every step with the person, for staff who see the response's engagement: NotVisible
    outside the response's casework, NotPermitted for a contributing organisation."""
    person = session.get(AffectedPerson, person_id)
    response = session.get(LearningResponse, person.response_id) if person else None
    if response is None:
        raise policy.NotVisible("Page not found")
    policy.require_response_visible(user, response)
    if not policy.may_see_engagement(user, response):
        raise policy.NotPermitted("Engagement belongs to the lead organisation's casework.")
    return PersonTimeline(
        person_id=person.id,
        organisation_name=response.organisation.name,
        contact_name=person.engagement_lead.name if person.engagement_lead else None,
        entries=[
            Entry(s.occurred_on, s.kind_label, s.notes, s.kind, s.shared, s.answer, s.answered_on)
            for s in person.steps
        ],
        kind=person.kind,
        name=person.name,
        response_id=response.id,
    )


def timeline_for(session: Session, user, person_id: int) -> PersonTimeline:
    if policy.is_family(user):
        return for_family(session, user, person_id)
    return for_staff(session, user, person_id)
