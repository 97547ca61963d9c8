"""Correcting an event after it is sent, through the service: numbered revisions of the same
reference, harm per patient, and everything that reads the event following the latest revision."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, time

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError

from psirf import policy
from psirf.audit import AuditRecord
from psirf.dashboards import icb
from psirf.db import ChangedBySomeoneElse, unit_of_work
from psirf.engagement import candour, notifiable
from psirf.events import revisions, services
from psirf.events.models import EventPatient, EventRevision, SafetyEvent
from psirf.plans import insight
from psirf.problems import InputError
from psirf.responses.models import ResponseMethod
from psirf.responses import services as responses
from psirf.triage import services as triage
from tests.support.events import VALID_NHS_NUMBER
from tests.support.factories import SafetyEventFactory, UserFactory

# Every date here is fixed: the counts, the dashboard and the plan read the months around it.
TODAY = date(2026, 6, 15)
NOON = datetime.combine(TODAY, time(12))
LAST_MONTH = date(2026, 5, 12)
ORIGINAL = "A repeat prescription for warfarin was issued at twice the dose."
CORRECTED = "A repeat prescription for warfarin was issued at twice the dose; the INR was 9."


def triaged_event(world, **overrides) -> SafetyEvent:
    """A low-harm medication incident at Riverside, triaged for insight last month."""
    values = {
        "organisation": world.practice,
        "occurred_on": LAST_MONTH,
        "theme": "medication",
        "description": ORIGINAL,
        "physical_harm": "low",
        "psychological_harm": "none",
        "status": "no_further_response",
        "triaged_at": datetime(2026, 5, 13, 10, 0),
        "triage_recommendation": "no_further_response",
        "patients": [
            EventPatient(
                sequence=1, physical_harm="low", psychological_harm="none", age_band="65-74"
            )
        ],
    }
    return SafetyEventFactory(**(values | overrides))


def as_corrected(event: SafetyEvent, **changes) -> services.EventDetails:
    """The event's details as the correction form would send them, with `changes`."""
    return dataclasses.replace(revisions.details_of(event), **changes)


def revise(
    session, event, actor, reason="The hospital letter showed the patient was admitted.", **changes
):
    with unit_of_work(session):
        return revisions.revise_event(
            session,
            event,
            actor,
            as_corrected(event, **changes),
            reason,
            event.version_id,
            today=TODAY,
        )


SEVERE = [services.PatientDetails("severe", "moderate", "65-74")]


def test_a_lead_corrects_the_harm_after_triage_as_revision_2_of_the_same_reference(session, world):
    event = triaged_event(world)
    reference = event.reference
    revision = revise(session, event, world.lead, patients=SEVERE, description=CORRECTED)

    session.expire_all()
    event = session.get(SafetyEvent, event.id)
    assert (event.reference, event.revision, revision.number) == (reference, 2, 2)
    assert (event.physical_harm, event.psychological_harm) == ("severe", "moderate")
    assert [(p.physical_harm, p.psychological_harm) for p in event.patients] == [
        ("severe", "moderate")
    ]
    assert event.description == CORRECTED and event.status == "no_further_response"
    stored = session.scalars(select(EventRevision)).one()
    assert (stored.actor_id, stored.reason) == (
        world.lead.id,
        "The hospital letter showed the patient was admitted.",
    )
    assert stored.changes["physical_harm"] == {"before": "low", "after": "severe"}
    assert stored.changes["description"] == {"before": ORIGINAL, "after": CORRECTED}
    assert stored.changes["patients"]["before"][0]["physical_harm"] == "low"
    assert "theme" not in stored.changes  # only what changed


def test_the_revision_is_audited_with_its_reason_and_no_free_text(session, world):
    event = triaged_event(world)
    revise(session, event, world.lead, patients=SEVERE, description=CORRECTED)
    record = session.scalars(select(AuditRecord).where(AuditRecord.action == "event:revise")).one()
    assert (record.subject_id, record.actor_id) == (event.id, world.lead.id)
    assert record.comment == "The hospital letter showed the patient was admitted."
    assert record.changes["revision"] == {"before": 1, "after": 2}
    assert record.changes["physical_harm"] == {"before": "low", "after": "severe"}
    assert record.changes["description"] == {
        "before": "as in revision 1",
        "after": "as in revision 2",
    }
    assert CORRECTED not in str(record.changes) and ORIGINAL not in str(record.changes)


def test_the_icb_dashboard_and_the_plan_insight_follow_the_latest_revision(session, world):
    event = triaged_event(world)

    def figures():
        profile = insight.profile(session, world.pcn, 12, TODAY)["events"]
        dashboard = icb.icb_dashboard(
            session, world.icb, NOON, theme="diagnosis", group=None, candour_days=10
        )
        age = next(b for b in dashboard.equality if b.key == "age_band")
        return {
            "plan_by_harm": {r["key"]: r["events"] for r in profile["by_harm"] if r["events"]},
            "plan_harmful": profile["harmful"],
            "plan_themes": {r["key"]: r["events"] for r in profile["by_theme"] if r["events"]},
            "icb_themes": {t.theme: t.count for t in dashboard.icb_themes},
            "icb_serious_65_74": next(r.serious for r in age.rows if r.value == "65-74"),
        }

    assert figures() == {
        "plan_by_harm": {"low": 1},
        "plan_harmful": 0,
        "plan_themes": {"medication": 1},
        "icb_themes": {"medication": 1},
        "icb_serious_65_74": 0,
    }
    revise(session, event, world.lead, patients=SEVERE, theme="diagnosis")
    assert figures() == {
        "plan_by_harm": {"severe": 1},
        "plan_harmful": 1,
        "plan_themes": {"diagnosis": 1},
        "icb_themes": {"diagnosis": 1},
        "icb_serious_65_74": 1,
    }


def test_two_patients_one_low_one_severe_make_the_event_severe_and_prompt_candour(session, world):
    with unit_of_work(session):
        event = services.record_event(
            session,
            organisation=world.practice,
            record_type="incident",
            occurred_on=LAST_MONTH,
            description="Two patients were given each other's prescriptions.",
            theme="medication",
            reporter_kind="staff",
            reporter_user=world.reporter,
            patients=[
                services.PatientDetails("low", "none"),
                services.PatientDetails("severe", "low"),
            ],
            today=TODAY,
        )
        response = responses.open_response(
            session, event, ResponseMethod.AFTER_ACTION_REVIEW, world.lead
        )
    assert (event.physical_harm, event.psychological_harm) == ("severe", "low")
    assert candour.candour_suggested(response)
    applied = notifiable.applied_to(response).test
    assert notifiable.harm_reasons(response, applied) == [
        f"{event.reference}: Severe physical harm"
    ]


def test_the_event_s_harm_is_always_its_patients_worst(session, world):
    """The service takes no harm of its own: it is derived from the patients, so the columns that
    triage, candour and the counts read cannot disagree with them."""
    event = triaged_event(world)
    with pytest.raises(TypeError):
        services.EventDetails(None, None, None, None, physical_harm="severe")
    revise(
        session,
        event,
        world.lead,
        patients=[services.PatientDetails("none"), services.PatientDetails("moderate", "severe")],
    )
    assert (event.physical_harm, event.psychological_harm) == ("moderate", "severe")
    revise(session, event, world.lead, record_type="risk", patients=[])
    assert (event.physical_harm, event.psychological_harm, event.patients) == (None, None, [])


def test_an_event_recorded_with_a_harm_but_no_patient_keeps_its_harm_when_corrected(session, world):
    event = triaged_event(world, patients=[], physical_harm="moderate", psychological_harm=None)
    assert revisions.details_of(event).patients == [services.PatientDetails("moderate")]
    revise(session, event, world.lead, theme="diagnosis")
    assert event.physical_harm == "moderate"
    assert [p.physical_harm for p in event.patients] == ["moderate"]


def test_what_the_reporter_first_sent_stays_readable_after_several_corrections(session, world):
    event = triaged_event(world)
    revise(session, event, world.lead, description=CORRECTED)
    revise(session, event, world.lead, description="Third wording.", patients=SEVERE)
    found = revisions.revisions_of(session, event)
    assert [r.number for r in found] == [2, 3] and event.revision == 3
    original = revisions.first_sent(event, found)
    assert original["description"] == ORIGINAL
    assert original["physical_harm"] == "low"
    assert "theme" not in original  # never corrected: the event's own value is the reporter's


@pytest.mark.parametrize(
    "reason, changes, field",
    [
        ("", {"theme": "diagnosis"}, "reason"),
        ("Because.", {}, "reason"),
        ("Because.", {"occurred_on": date(2026, 7, 1)}, "occurred_on"),
        ("Because.", {"theme": "not_a_theme"}, "theme"),
        ("Because.", {"patients": [services.PatientDetails(nhs_number="123")]}, "nhs_number"),
    ],
)
def test_a_refused_correction_writes_nothing(session, world, reason, changes, field):
    event = triaged_event(world)
    with pytest.raises(InputError) as refused:
        revise(session, event, world.lead, reason=reason, **changes)
    assert refused.value.field == field
    session.expire_all()
    event = session.get(SafetyEvent, event.id)
    assert (event.revision, event.version_id, event.physical_harm, event.theme) == (
        1,
        1,
        "low",
        "medication",
    )
    assert session.scalar(select(func.count()).select_from(EventRevision)) == 0
    assert session.scalar(select(func.count()).select_from(AuditRecord)) == 0


def test_two_people_correcting_at_once_cannot_overwrite_each_other(session, world):
    event = triaged_event(world)
    seen = event.version_id
    revise(session, event, world.lead, theme="diagnosis")
    with pytest.raises(ChangedBySomeoneElse):
        with unit_of_work(session):
            revisions.revise_event(
                session,
                event,
                world.lead,
                as_corrected(event, patients=SEVERE),
                "Seen on the older page.",
                seen,
                today=TODAY,
            )
    assert session.get(SafetyEvent, event.id).revision == 2


def test_triage_moves_the_version_on_so_a_correction_begun_before_it_is_refused(session, world):
    event = SafetyEventFactory(
        organisation=world.practice, reporter_user_id=world.reporter.id, occurred_on=LAST_MONTH
    )
    seen = event.version_id
    with unit_of_work(session):
        triage.decide(
            session,
            event,
            world.lead,
            triage.TriageChoice.NO_FURTHER_RESPONSE,
            "Kept for insight.",
            deviation_reason="Discussed at the practice meeting.",
        )
    with pytest.raises(ChangedBySomeoneElse):
        with unit_of_work(session):
            revisions.revise_event(
                session, event, world.lead, as_corrected(event), "Typed before triage.", seen
            )


def test_the_reporter_corrects_their_own_report_until_it_is_triaged(session, world):
    event = SafetyEventFactory(
        organisation=world.practice, reporter_user_id=world.reporter.id, occurred_on=LAST_MONTH
    )
    assert policy.may_correct(world.reporter, event)
    revise(session, event, world.reporter, reason="I typed the wrong theme.", theme="diagnosis")
    assert event.revision == 2

    event.status, event.triaged_at = "no_further_response", datetime(2026, 6, 1)
    session.commit()
    with pytest.raises(policy.NotPermitted, match="only the patient safety lead"):
        policy.require_can_correct(world.reporter, event)
    assert policy.may_correct(world.lead, event)


@pytest.mark.parametrize(
    "who, refusal",
    [
        ("other_lead", policy.NotVisible),
        ("outsider_icb_quality", policy.NotVisible),
        ("panel", policy.NotPermitted),
        ("icb_specialist", policy.NotPermitted),
        ("reporter", policy.NotVisible),  # not their report
    ],
)
def test_only_the_lead_and_the_reporter_correct_an_event(session, world, who, refusal):
    event = triaged_event(world, status="awaiting_triage", triaged_at=None)
    with pytest.raises(refusal):
        revise(session, event, getattr(world, who), theme="diagnosis")
    assert session.get(SafetyEvent, event.id).revision == 1


def test_a_reporter_who_has_left_the_service_no_longer_corrects_or_reads_the_corrections(world):
    former = UserFactory()  # no role anywhere now
    event = SafetyEventFactory(organisation=world.practice, reporter_user_id=former.id)
    assert not policy.may_correct(former, event)
    assert not policy.may_see_revisions(former, event)
    assert policy.may_see_revisions(world.panel, event)


def test_a_correction_after_triage_shows_a_changed_recommendation_without_reopening_triage(
    session, world
):
    event = SafetyEventFactory(organisation=world.practice, occurred_on=LAST_MONTH)
    event.patients = [EventPatient(sequence=1, physical_harm="low", psychological_harm="none")]
    session.commit()
    recommended = triage.recommendation_for(session, event).method
    with unit_of_work(session):
        opened = triage.decide(session, event, world.lead, recommended, "As recommended.")
    revise(session, event, world.lead, patients=[services.PatientDetails("low", "low")])
    assert triage.recommendation_after_correction(session, event) is None  # the same advice

    revise(session, event, world.lead, patients=SEVERE)
    now = triage.recommendation_after_correction(session, event)
    assert now is not None and now.method != recommended
    assert triage.recommended_at_triage(event) == recommended
    session.expire_all()
    event = session.get(SafetyEvent, event.id)
    assert (event.status, event.learning_response_id) == ("learning_response", opened.id)


@pytest.mark.parametrize(
    "statement", ["UPDATE event_revisions SET reason = 'rewritten'", "DELETE FROM event_revisions"]
)
def test_the_database_refuses_to_change_a_revision(session, world, statement):
    event = triaged_event(world)
    revise(session, event, world.lead, theme="diagnosis")
    with pytest.raises(DatabaseError, match="append-only"):
        session.execute(text(statement))
        session.flush()
    session.rollback()
    assert session.scalar(select(func.count()).select_from(EventRevision)) == 1


def test_an_nhs_number_is_corrected_in_the_revision_not_in_the_audit_trail(session, world):
    event = triaged_event(world)
    revise(
        session,
        event,
        world.lead,
        patients=[services.PatientDetails("low", "none", "65-74", nhs_number=VALID_NHS_NUMBER)],
    )
    assert event.patients[0].nhs_number == VALID_NHS_NUMBER
    audited = session.scalars(select(AuditRecord)).one()
    assert VALID_NHS_NUMBER not in str(audited.changes)
