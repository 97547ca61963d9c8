"""Recording an event through the service, without the web."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from psirf import policy
from psirf.accounts.models import Role
from psirf.audit import AuditRecord
from psirf.db import unit_of_work
from psirf.events import services
from psirf.events.models import SafetyEvent
from tests.support.events import INVALID_NHS_NUMBER, VALID_NHS_NUMBER, counts
from tests.support.factories import PcnFactory, PracticeFactory, UserFactory
from psirf.problems import InputError


def record(session, organisation, **overrides):
    values = {
        "organisation": organisation,
        "record_type": "incident",
        "occurred_on": date.today() - timedelta(days=1),
        "description": "A referral letter was never sent.",
        "theme": "referral",
        "reporter_kind": "patient",
    }
    values.update(overrides)
    with unit_of_work(session):
        return services.record_event(session, **values)


def test_each_event_gets_a_readable_unique_reference_with_its_year(session):
    practice = PracticeFactory()
    first = record(session, practice)
    second = record(session, practice)
    for event in (first, second):
        assert re.fullmatch(r"PSE-\d{4}-\d{6}", event.reference)
        assert event.reference == f"PSE-{event.created_at.year}-{event.id:06d}"
    assert first.reference != second.reference


def test_the_event_carries_the_worst_harm_across_its_patients(session):
    event = record(
        session,
        PracticeFactory(),
        patients=[
            {"physical_harm": "low", "psychological_harm": "severe"},
            {"physical_harm": "severe", "psychological_harm": "none"},
            {"physical_harm": "none"},
        ],
    )
    assert event.physical_harm == "severe"
    assert event.psychological_harm == "severe"
    assert [p.sequence for p in event.patients] == [1, 2, 3]
    assert [p.physical_harm for p in event.patients] == ["low", "severe", "none"]


def test_an_invalid_nhs_number_is_refused_and_nothing_is_written(session):
    practice = PracticeFactory()
    with pytest.raises(InputError) as refused:
        record(
            session, practice, patients=[{"physical_harm": "low", "nhs_number": INVALID_NHS_NUMBER}]
        )
    assert refused.value.field == "nhs_number"
    assert counts(session) == (0, 0, 0)


def test_a_valid_nhs_number_with_spaces_is_stored_as_ten_digits(session):
    spaced = f"{VALID_NHS_NUMBER[:3]} {VALID_NHS_NUMBER[3:6]} {VALID_NHS_NUMBER[6:]}"
    event = record(session, PracticeFactory(), patients=[{"nhs_number": spaced}])
    session.expire_all()
    assert session.get(SafetyEvent, event.id).patients[0].nhs_number == VALID_NHS_NUMBER


def test_recording_writes_one_audit_record_without_free_text_or_nhs_number(session):
    practice = PracticeFactory()
    user = UserFactory(role=(Role.REPORTER, practice))
    event = record(
        session,
        practice,
        reporter_kind="staff",
        reporter_user=user,
        patients=[{"nhs_number": VALID_NHS_NUMBER}],
    )
    entries = session.scalars(select(AuditRecord)).all()
    assert len(entries) == 1
    entry = entries[0]
    assert (entry.action, entry.actor_id, entry.subject_id, entry.organisation_id) == (
        "event:create",
        user.id,
        event.id,
        practice.id,
    )
    assert entry.changes["reference"]["after"] == event.reference
    assert VALID_NHS_NUMBER not in str(entry.changes)
    assert "referral letter" not in str(entry.changes)


def test_a_public_report_is_audited_with_no_actor(session):
    event = record(session, PracticeFactory(), reporter_kind="family", reporter_name="A Relative")
    entry = session.scalars(select(AuditRecord)).one()
    assert entry.actor_id is None and entry.subject_id == event.id


def test_a_date_in_the_future_is_refused(session):
    with pytest.raises(InputError) as refused:
        record(session, PracticeFactory(), occurred_on=date.today() + timedelta(days=1))
    assert refused.value.field == "occurred_on"
    assert counts(session) == (0, 0, 0)


@pytest.mark.parametrize(
    "field, value",
    [
        ("record_type", "accident"),
        ("theme", "weather"),
        ("description", "   "),
        ("reporter_kind", "robot"),
    ],
)
def test_values_outside_the_lfpse_vocabularies_are_refused(session, field, value):
    with pytest.raises(InputError) as refused:
        record(session, PracticeFactory(), **{field: value})
    assert refused.value.field == field
    assert counts(session) == (0, 0, 0)


def test_a_harm_level_outside_lfpse_is_refused_even_after_a_valid_patient(session):
    with pytest.raises(InputError) as refused:
        record(
            session,
            PracticeFactory(),
            patients=[{"physical_harm": "low"}, {"physical_harm": "dreadful"}],
        )
    assert refused.value.field == "physical_harm"
    assert counts(session) == (0, 0, 0)


def test_an_event_can_only_be_recorded_at_a_service_not_a_pcn(session):
    with pytest.raises(InputError) as refused:
        record(session, PcnFactory())
    assert refused.value.field == "organisation_id"


def test_staff_cannot_record_for_a_service_where_they_hold_no_role(session):
    mine, theirs = PracticeFactory(), PracticeFactory()
    user = UserFactory(role=(Role.REPORTER, mine))
    with pytest.raises(policy.NotPermitted):
        record(session, theirs, reporter_kind="staff", reporter_user=user)
    assert counts(session) == (0, 0, 0)


def test_empty_patient_details_make_no_patient_row(session):
    event = record(
        session, PracticeFactory(), record_type="risk", patients=[services.PatientDetails()]
    )
    assert event.patients == []
    assert event.physical_harm is None
