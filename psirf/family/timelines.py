"""A family account's own reviews and timelines, as the JSON API reads them: its own people
only, and of each only what was shared with them, in the words the family portal uses
(psirf.family.portal.view_for). Anyone else reads a person's timeline as staff
(psirf.engagement.timelines). Plain functions over a session, no Flask.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from psirf import policy
from psirf.engagement.timelines import Entry, PersonTimeline, for_staff
from psirf.family import portal
from psirf.responses.models import LearningResponse


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
            select(LearningResponse).where(LearningResponse.id.in_({p.response_id for p in people}))
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


def timeline_for(session: Session, user, person_id: int) -> PersonTimeline:
    if policy.is_family(user):
        return for_family(session, user, person_id)
    return for_staff(session, user, person_id)
