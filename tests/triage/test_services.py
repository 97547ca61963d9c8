"""Triage rules, exercised without the web."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from psirf.audit import AuditRecord
from psirf.db import unit_of_work
from psirf.events.models import SafetyEvent
from psirf.policy import NotPermitted, NotVisible
from psirf.responses.models import LearningResponse, ResponseMethod
from psirf.triage import services
from psirf.triage.services import Referral, TriageChoice
from psirf.workflow import definitions
from tests.support.factories import SafetyEventFactory
from tests.support.plan_factories import PlanFactory
from psirf.problems import InputError


def test_choosing_an_after_action_review_opens_it_in_its_first_state_with_a_due_date(
    session, world
):
    event = SafetyEventFactory(organisation=world.practice, status="awaiting_triage")
    with unit_of_work(session):
        response = services.decide(
            session, event, world.lead, TriageChoice.AFTER_ACTION_REVIEW, "Team available"
        )
    assert response.state == "planning"
    assert (response.workflow_name, response.workflow_version) == (
        "after_action_review",
        definitions.get("after_action_review").version,
    )
    assert response.reference == f"LR-{date.today().year}-{response.id:06d}"
    assert response.due_on == date.today() + timedelta(days=42)
    assert event.learning_response_id == response.id and event.status == "learning_response"
    actions = session.scalars(select(AuditRecord.action).order_by(AuditRecord.id)).all()
    assert actions == ["response:open", "event:triage"]


def test_a_second_decision_on_the_same_event_is_refused(session, world):
    event = SafetyEventFactory(organisation=world.practice, status="awaiting_triage")
    with unit_of_work(session):
        services.decide(
            session,
            event,
            world.lead,
            TriageChoice.NO_FURTHER_RESPONSE,
            "Low learning potential",
            deviation_reason="Already discussed at the practice meeting",
        )
    with pytest.raises(InputError, match="already been triaged"):
        with unit_of_work(session):
            services.decide(
                session, event, world.lead, TriageChoice.AFTER_ACTION_REVIEW, "Changed my mind"
            )
    assert session.scalars(select(LearningResponse)).all() == []


@pytest.mark.parametrize(
    "who, refusal",
    [("panel", NotPermitted), ("icb_quality", NotPermitted), ("other_lead", NotVisible)],
)
def test_only_the_organisations_lead_may_triage(session, world, who, refusal):
    event = SafetyEventFactory(organisation=world.practice, status="awaiting_triage")
    with pytest.raises(refusal):
        services.decide(
            session, event, getattr(world, who), TriageChoice.NO_FURTHER_RESPONSE, "Because"
        )


def test_the_queue_holds_only_the_leads_own_organisation(session, world):
    mine = SafetyEventFactory(organisation=world.practice, status="awaiting_triage")
    SafetyEventFactory(organisation=world.other_practice, status="awaiting_triage")
    page = services.queue(session, world.lead, services.QueueFilters(), None, 10)
    assert [e.id for e in page.items] == [mine.id]


# ---- the recommendation and choosing otherwise ------------------------------------------------


def never_event(world):
    return SafetyEventFactory(
        organisation=world.practice,
        status="awaiting_triage",
        never_event=True,
        never_event_type="methotrexate_overdose",
        physical_harm="moderate",
    )


def nothing_written(session) -> bool:
    session.rollback()
    return (
        session.scalar(select(func.count()).select_from(AuditRecord)) == 0
        and session.scalar(select(func.count()).select_from(LearningResponse)) == 0
    )


def test_choosing_otherwise_without_a_reason_is_refused_and_nothing_is_written(session, world):
    event = never_event(world)
    with pytest.raises(InputError, match="choosing differently") as refused:
        with unit_of_work(session):
            services.decide(
                session, event, world.lead, TriageChoice.AFTER_ACTION_REVIEW, "The team is here"
            )
    assert refused.value.field == "deviation_reason"
    assert nothing_written(session)
    assert session.get(SafetyEvent, event.id).status == "awaiting_triage"


def test_choosing_otherwise_keeps_the_reason_and_the_recommendation_in_the_audit_record(
    session, world
):
    event = never_event(world)
    with unit_of_work(session):
        services.decide(
            session,
            event,
            world.lead,
            TriageChoice.AFTER_ACTION_REVIEW,
            "The team is here",
            deviation_reason="The ICB agreed it is not a Never Event: the dose was caught",
        )
    assert (event.triage_recommendation, event.triage_deviation_reason) == (
        "psii",
        "The ICB agreed it is not a Never Event: the dose was caught",
    )
    record = session.scalars(select(AuditRecord).where(AuditRecord.action == "event:triage")).one()
    assert record.changes["triage_recommendation"] == {"before": None, "after": "psii"}
    assert record.changes["triage_choice"] == {"before": None, "after": "after_action_review"}
    assert record.changes["national_requirement"] == {"before": None, "after": "never_event"}
    assert record.changes["triage_deviation_reason"]["after"].startswith("The ICB agreed")
    assert "The team is here" in record.comment
    assert "Recommended: Patient safety incident investigation" in record.comment
    assert "The ICB agreed it is not a Never Event" in record.comment


def test_following_the_recommendation_needs_no_second_reason(session, world):
    event = never_event(world)
    with unit_of_work(session):
        response = services.decide(
            session,
            event,
            world.lead,
            TriageChoice.PSII,
            "A Never Event",
            deviation_reason="ignored when the choice matches",
        )
    assert response.method == "psii" and event.status == "learning_response"
    assert event.triage_recommendation == "psii" and event.triage_deviation_reason is None
    record = session.scalars(select(AuditRecord).where(AuditRecord.action == "event:triage")).one()
    assert "triage_deviation_reason" not in record.changes and record.comment == "A Never Event"


@pytest.mark.parametrize("choice", [c for c in TriageChoice if c.method is not None])
def test_every_method_choice_opens_its_learning_response(session, world, choice):
    event = SafetyEventFactory(organisation=world.practice, status="awaiting_triage")
    with unit_of_work(session):
        response = services.decide(
            session,
            event,
            world.lead,
            choice,
            "Proportionate",
            deviation_reason="Chosen for this event's circumstances",
        )
    assert response.method == choice.value and event.learning_response_id == response.id
    assert response.workflow_name == definitions.for_method(choice.value).name


def test_thematic_review_is_not_a_triage_choice():
    assert "thematic_review" not in {c.value for c in TriageChoice}


def test_a_method_without_a_workflow_yet_is_refused_on_the_choice_and_nothing_is_written(
    session, world, monkeypatch
):
    real = definitions.for_method

    def for_method(method):
        if method == "mdt_review":
            raise definitions.WorkflowError("no workflow for method 'mdt_review'")
        return real(method)

    monkeypatch.setattr(definitions, "for_method", for_method)
    event = SafetyEventFactory(
        organisation=world.practice,
        status="awaiting_triage",
        theme="diagnosis",
        physical_harm="severe",
    )  # recommended: MDT review
    with pytest.raises(InputError, match="not available yet") as refused:
        with unit_of_work(session):
            services.decide(
                session, event, world.lead, TriageChoice.MDT_REVIEW, "Several professions involved"
            )
    assert refused.value.field == "choice"
    assert nothing_written(session)
    assert session.get(SafetyEvent, event.id).status == "awaiting_triage"


# ---- referred to another body ---------------------------------------------------------------


def child_death(world):
    return SafetyEventFactory(
        organisation=world.practice,
        status="awaiting_triage",
        physical_harm="fatal",
        national_flags=["child_death"],
    )


def test_a_referral_records_the_body_date_and_reference_and_opens_nothing(session, world):
    event = child_death(world)
    referred = date.today() - timedelta(days=1)
    with unit_of_work(session):
        response = services.decide(
            session,
            event,
            world.lead,
            TriageChoice.REFERRAL,
            "Statutory CDOP process",
            referral=Referral("Child Death Overview Panel", referred, "CDOP-2026-17"),
        )
    assert response is None
    assert (event.status, event.referral_body, event.referred_on, event.referral_reference) == (
        "referred",
        "Child Death Overview Panel",
        referred,
        "CDOP-2026-17",
    )
    assert event.learning_response_id is None and event.triage_recommendation == "referral"
    record = session.scalars(select(AuditRecord).where(AuditRecord.action == "event:triage")).one()
    assert record.changes["status"]["after"] == "referred"
    assert record.changes["referral_body"]["after"] == "Child Death Overview Panel"
    assert record.changes["referred_on"]["after"] == referred.isoformat()


def test_a_referral_with_a_local_response_alongside_opens_it(session, world):
    event = child_death(world)
    with unit_of_work(session):
        response = services.decide(
            session,
            event,
            world.lead,
            TriageChoice.REFERRAL,
            "CDOP leads; we learn too",
            referral=Referral("Child Death Overview Panel", date.today(), None),
            local_method=ResponseMethod.AFTER_ACTION_REVIEW,
        )
    assert response.method == "after_action_review"
    assert event.status == "referred" and event.learning_response_id == response.id
    actions = session.scalars(select(AuditRecord.action).order_by(AuditRecord.id)).all()
    assert actions == ["response:open", "event:triage"]


@pytest.mark.parametrize(
    "referral, field",
    [
        (Referral("", date.today(), None), "referral_body"),
        (Referral("LeDeR programme", None, None), "referred_on"),
        (Referral("LeDeR programme", date.today() + timedelta(days=1), None), "referred_on"),
        (None, "referral_body"),
    ],
)
def test_a_referral_needs_a_body_and_a_date_not_in_the_future(session, world, referral, field):
    event = child_death(world)
    with pytest.raises(InputError) as refused:
        with unit_of_work(session):
            services.decide(
                session,
                event,
                world.lead,
                TriageChoice.REFERRAL,
                "Referral",
                deviation_reason="Different body",
                referral=referral,
            )
    assert refused.value.field == field
    assert nothing_written(session)


def test_referring_a_never_event_elsewhere_needs_a_reason(session, world):
    event = never_event(world)
    with pytest.raises(InputError, match="choosing differently"):
        services.decide(
            session,
            event,
            world.lead,
            TriageChoice.REFERRAL,
            "Hospital leads",
            referral=Referral("Demo Hospitals NHS Trust", date.today(), None),
        )


# ---- where the recommendation came from, kept with the decision ---------------------------------


def in_force_plan(world):
    """North PCN's plan, version 1.1, in force for the practice since yesterday."""
    return PlanFactory(
        organisation=world.pcn,
        created_by=world.panel,
        state="published",
        revision=1,
        effective_from=date.today() - timedelta(days=1),
    )


def test_the_decision_keeps_the_plan_version_and_row_the_recommendation_came_from(session, world):
    plan = in_force_plan(world)
    row = next(
        number
        for number, r in enumerate(plan.content["local_focus"], start=1)
        if r["key"] == "diagnosis_with_harm"
    )
    event = SafetyEventFactory(
        organisation=world.practice,
        status="awaiting_triage",
        theme="diagnosis",
        physical_harm="severe",
    )
    with unit_of_work(session):
        services.decide(session, event, world.lead, TriageChoice.MDT_REVIEW, "Several clinicians")
    source = session.get(SafetyEvent, event.id).triage_recommendation_source
    assert source == {
        "kind": "local_priority",
        "document": f"North PCN's PSIRF plan, version {plan.number}.1",
        "row": row,
        "key": "diagnosis_with_harm",
        "label": "Delayed or missed diagnosis with moderate or worse harm",
        "plan_id": plan.id,
    }
    text = services.recommendation_source_text(source)
    assert text == (
        f"North PCN's PSIRF plan, version {plan.number}.1: local priorities, row {row}: "
        "Delayed or missed diagnosis with moderate or worse harm"
    )
    record = session.scalars(select(AuditRecord).where(AuditRecord.action == "event:triage")).one()
    assert record.changes["triage_recommendation_source"] == {"before": None, "after": text}


def test_a_plan_in_force_keeps_risks_with_no_further_response_by_its_own_row(session, world):
    plan = in_force_plan(world)
    risk = SafetyEventFactory(
        organisation=world.practice, record_type="risk", theme="premises", physical_harm=None
    )
    rec = services.recommendation_for(session, risk)
    assert rec.method == "no_further_response"
    assert (rec.source.kind, rec.source.plan_id, rec.source.row) == (
        "no_further_response_row",
        plan.id,
        1,
    )


def test_a_plan_without_a_list_of_events_that_need_no_further_response_keeps_none(session, world):
    plan = in_force_plan(world)
    plan.content = {k: v for k, v in plan.content.items() if k != "no_further_response"}
    session.flush()
    risk = SafetyEventFactory(
        organisation=world.practice, record_type="risk", theme="premises", physical_harm=None
    )
    assert services.recommendation_for(session, risk).method == "swarm_huddle"
