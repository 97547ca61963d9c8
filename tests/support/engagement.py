"""Rows for the engagement tests, written straight to the database."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone

from psirf.accounts.models import Role
from psirf.db import unit_of_work
from psirf.engagement import candour
from psirf.engagement.models import (
    AffectedPerson,
    CandourRecord,
    EngagementStep,
    Invitation,
    SharedDocument,
)
from psirf.extensions import db
from psirf.responses import services as responses
from psirf.responses.models import Contributor
from tests.support.factories import (
    OrganisationFactory,
    ResponseFactory,
    SafetyEventFactory,
    UserFactory,
)


def affected_person(response, **values) -> AffectedPerson:
    person = AffectedPerson(
        response_id=response.id,
        kind=values.pop("kind", "family_member"),
        name=values.pop("name", "Jo Bloggs"),
        involvement=values.pop("involvement", "fully"),
        contact_by=values.pop("contact_by", ["phone"]),
        **values,
    )
    db.session.add(person)
    db.session.commit()
    return person


def affected_person_with_question(response, **values) -> tuple[AffectedPerson, EngagementStep]:
    person = affected_person(response, **values)
    return person, words_of(person)


def words_of(
    person,
    notes: str = "Why was the dose not checked?",
    kind: str = "question",
    occurred_on: date | None = None,
    **values,
) -> EngagementStep:
    """A question (or, with `kind`, an account) of theirs, shared with them unless told otherwise."""
    step = EngagementStep(
        response_id=person.response_id,
        person_id=person.id,
        kind=kind,
        occurred_on=occurred_on or date.today(),
        shared=values.pop("shared", True),
        notes=notes,
        **values,
    )
    db.session.add(step)
    db.session.commit()
    return step


def family_account(**values):
    """A patient's or family member's account (no roles), signed in with the test password."""
    return UserFactory(kind="family", **values)


def joined_person(response, account=None, **values) -> AffectedPerson:
    """A family member in the plan who has joined the family portal, with their engagement lead."""
    account = account or family_account(name=values.get("name", "Jo Bloggs"))
    return affected_person(response, account_id=account.id, **values)


def shared_document(
    person, kind: str = "draft", content: bytes = b"%PDF-1.4 a shared report"
) -> SharedDocument:
    """A report shared with them, with the step that records it, written straight to the database."""
    step = EngagementStep(
        response_id=person.response_id,
        person_id=person.id,
        kind=f"{kind}_shared",
        occurred_on=date.today(),
        shared=True,
    )
    db.session.add(step)
    db.session.flush()
    document = SharedDocument(
        response_id=person.response_id,
        person_id=person.id,
        step_id=step.id,
        kind=kind,
        title=f"{kind.title()} report",
        filename=f"{kind}.pdf",
        content=content,
    )
    db.session.add(document)
    db.session.commit()
    return document


def waiting_invitation(person, means: str = "email") -> Invitation:
    """An unused invitation (its secret unknown to the test: only a hash is stored)."""
    invitation = Invitation(
        response_id=person.response_id,
        person_id=person.id,
        means=means,
        email="jo@example.org" if means == "email" else None,
        secret_hash=uuid.uuid4().hex * 2,
        expires_at=datetime.now(timezone.utc).replace(tzinfo=None) + timedelta(days=7),
    )
    db.session.add(invitation)
    db.session.commit()
    return invitation


def trust_led_response(world, **values):
    """A cross-organisational response led by an NHS trust in the world's ICB, with its patient
    safety lead, and the world's practice contributing."""
    trust = OrganisationFactory(name="Demo Hospitals NHS Trust", kind="trust", icb=world.icb)
    lead = UserFactory(name="Tara Trust", role=(Role.PATIENT_SAFETY_LEAD, trust))
    response = ResponseFactory(
        organisation=trust,
        method="cross_organisational",
        contributors=[Contributor(organisation_id=world.practice.id)],
        **values,
    )
    return response, lead


def candour_applies(response, decided_on: date, **steps):
    """A duty of candour confirmed on `decided_on`, with the steps given, written straight in."""
    record = CandourRecord(
        response_id=response.id,
        decision=steps.pop("decision", "applies"),
        criteria=steps.pop("criteria", ["prolonged_pain"]),
        decided_on=decided_on,
        **steps,
    )
    db.session.add(record)
    db.session.commit()
    return record


def response_with_harm(world, physical="low", psychological=None, **kwargs):
    """A response at the world's practice over one event with the harm given."""
    response = ResponseFactory(organisation=world.practice, **kwargs)
    SafetyEventFactory(
        organisation=world.practice,
        physical_harm=physical,
        psychological_harm=psychological,
        learning_response_id=response.id,
        status="learning_response",
    )
    return responses.get(db.session, response.id)


def decide(session, user, response, today: date, **kwargs):
    """The lead's candour decision through the service: it applies, unless `kwargs` say otherwise."""
    values = {
        "decision": "applies",
        "criteria": ["prolonged_pain"],
        "reason": None,
        "decided_on": today,
        "expected_version": None,
        "today": today,
    }
    values.update(kwargs)
    with unit_of_work(session):
        return candour.decide_candour(session, user, response, **values)
