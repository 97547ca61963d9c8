"""Rows for the engagement tests, written straight to the database."""

from __future__ import annotations

from datetime import date

from psirf.engagement.models import AffectedPerson, EngagementStep
from psirf.extensions import db


def affected_person(response, **values) -> AffectedPerson:
    person = AffectedPerson(
        response_id=response.id, kind=values.pop("kind", "family_member"), name=values.pop("name", "Jo Bloggs"),
        involvement=values.pop("involvement", "fully"), contact_by=values.pop("contact_by", ["phone"]), **values,
    )
    db.session.add(person)
    db.session.commit()
    return person


def affected_person_with_question(response) -> tuple[AffectedPerson, EngagementStep]:
    person = affected_person(response)
    question = EngagementStep(
        response_id=response.id, person_id=person.id, kind="question", occurred_on=date.today(), shared=True,
        notes="Why was the dose not checked?",
    )
    db.session.add(question)
    db.session.commit()
    return person, question
