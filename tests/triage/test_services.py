"""Triage rules, exercised without the web."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from psirf.audit import AuditRecord
from psirf.db import unit_of_work
from psirf.policy import NotPermitted, NotVisible
from psirf.responses.models import LearningResponse
from psirf.triage import services
from psirf.triage.services import TriageChoice, TriageError
from tests.factories import SafetyEventFactory


def test_choosing_an_after_action_review_opens_it_in_its_first_state_with_a_due_date(session, world):
    event = SafetyEventFactory(organisation=world.practice, status="awaiting_triage")
    with unit_of_work(session):
        response = services.decide(session, event, world.lead, TriageChoice.AFTER_ACTION_REVIEW, "Team available")
    assert response.state == "planning"
    assert (response.workflow_name, response.workflow_version) == ("after_action_review", 1)
    assert response.reference == f"LR-{date.today().year}-{response.id:06d}"
    assert response.due_on == date.today() + timedelta(days=42)
    assert event.learning_response_id == response.id and event.status == "learning_response"
    actions = session.scalars(select(AuditRecord.action).order_by(AuditRecord.id)).all()
    assert actions == ["response:open", "event:triage"]


def test_a_second_decision_on_the_same_event_is_refused(session, world):
    event = SafetyEventFactory(organisation=world.practice, status="awaiting_triage")
    with unit_of_work(session):
        services.decide(session, event, world.lead, TriageChoice.NO_FURTHER_RESPONSE, "Low learning potential")
    with pytest.raises(TriageError, match="already been triaged"):
        with unit_of_work(session):
            services.decide(session, event, world.lead, TriageChoice.AFTER_ACTION_REVIEW, "Changed my mind")
    assert session.scalars(select(LearningResponse)).all() == []


@pytest.mark.parametrize("who, refusal", [("panel", NotPermitted), ("icb_quality", NotPermitted), ("other_lead", NotVisible)])
def test_only_the_organisations_lead_may_triage(session, world, who, refusal):
    event = SafetyEventFactory(organisation=world.practice, status="awaiting_triage")
    with pytest.raises(refusal):
        services.decide(session, event, getattr(world, who), TriageChoice.NO_FURTHER_RESPONSE, "Because")


def test_the_queue_holds_only_the_leads_own_organisation(session, world):
    mine = SafetyEventFactory(organisation=world.practice, status="awaiting_triage")
    SafetyEventFactory(organisation=world.other_practice, status="awaiting_triage")
    page = services.queue(session, world.lead, services.QueueFilters(), None, 10)
    assert [e.id for e in page.items] == [mine.id]
