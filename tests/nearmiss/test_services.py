"""The near-miss log's rules, through its services: who logs where, what is kept and audited, the
summaries in SQL, and promotion to a safety event (once, its fields carried over, LFPSE only then)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from psirf import policy
from psirf.audit import AuditRecord
from psirf.db import ChangedBySomeoneElse, unit_of_work
from psirf.events.models import SafetyEvent
from psirf.lfpse.models import LfpseExport
from psirf.nearmiss import services
from psirf.nearmiss.models import NearMiss
from psirf.problems import InputError
from tests.support.nearmiss import NearMissFactory

TODAY = date(2026, 11, 18)


def _details(pharmacy, **changes) -> services.NearMissDetails:
    values = dict(
        organisation_id=pharmacy.id,
        error_type="wrong_strength",
        stage="accuracy_check",
        medicine="  Amlodipine   5mg tablets ",
        cause="look_alike",
    )
    return services.NearMissDetails(**(values | changes))


def _count(session, model, *where) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where))


def test_a_near_miss_is_logged_for_today_audited_and_not_queued_for_lfpse(session, pharmacies):
    with unit_of_work(session):
        near_miss = services.log_near_miss(
            session, pharmacies.pharmacist, _details(pharmacies.pharmacy), today=TODAY
        )
    assert near_miss.occurred_on == TODAY
    assert near_miss.medicine == "Amlodipine 5mg tablets"
    assert near_miss.medicine_key == "amlodipine 5mg tablets"
    assert near_miss.organisation_id == pharmacies.pharmacy.id
    audit = session.scalars(
        select(AuditRecord).where(AuditRecord.action == "near_miss:create")
    ).one()
    # Coded fields only: the medicine and the note stay in the log.
    assert set(audit.changes) == {"error_type", "stage", "cause", "occurred_on"}
    assert _count(session, LfpseExport) == 0
    assert _count(session, SafetyEvent) == 0


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"medicine": "   "}, "medicine"),
        ({"error_type": "wrong_colour"}, "error_type"),
        ({"stage": None}, "stage"),
        ({"cause": ""}, "cause"),
        ({"dmd_code": "12ab"}, "dmd_code"),
        ({"occurred_on": date(2026, 11, 19)}, "occurred_on"),
    ],
)
def test_a_near_miss_with_a_wrong_answer_is_refused_and_nothing_written(
    session, pharmacies, changes, field
):
    with pytest.raises(InputError) as refused:
        services.log_near_miss(
            session, pharmacies.pharmacist, _details(pharmacies.pharmacy, **changes), today=TODAY
        )
    assert refused.value.field == field
    session.rollback()
    assert _count(session, NearMiss) == 0


def test_only_the_pharmacys_own_staff_log_its_near_misses(session, world, pharmacies):
    for person in (pharmacies.other_pharmacist, world.lead, world.icb_quality):
        with pytest.raises(InputError) as refused:
            services.log_near_miss(session, person, _details(pharmacies.pharmacy), today=TODAY)
        assert refused.value.field == "organisation_id"
    services.log_near_miss(
        session, pharmacies.dispenser, _details(pharmacies.pharmacy), today=TODAY
    )
    assert _count(session, NearMiss) == 1


def test_the_pcn_and_the_icb_see_no_near_miss(session, world, pharmacies):
    NearMissFactory(organisation=pharmacies.pharmacy, recorded_by_id=pharmacies.pharmacist.id)
    for person in (world.panel, world.icb_quality, world.icb_specialist, world.admin, world.lead):
        assert policy.near_miss_pharmacies(person) == []
        assert services.listing(session, person, None, 25).items == []
        with pytest.raises(policy.NotPermitted):
            policy.require_near_miss_log(person)
    assert len(services.listing(session, pharmacies.dispenser, None, 25).items) == 1


def test_the_summary_counts_by_month_and_by_medicine_in_the_pharmacys_log_only(session, pharmacies):
    pharmacy, pharmacist = pharmacies.pharmacy, pharmacies.pharmacist

    def logged(on, medicine, error_type="wrong_strength", organisation=pharmacy):
        return NearMissFactory(
            organisation=organisation,
            occurred_on=on,
            medicine=medicine,
            error_type=error_type,
            recorded_by_id=pharmacist.id,
        )

    logged(date(2026, 11, 1), "Amlodipine 5mg tablets")
    logged(date(2026, 11, 30), "AMLODIPINE 5mg  tablets", "wrong_quantity")
    logged(date(2026, 11, 12), "Sertraline 50mg tablets", "wrong_medicine")
    logged(date(2026, 10, 31), "Sertraline 50mg tablets")
    logged(date(2026, 12, 1), "Sertraline 50mg tablets")  # the month after
    logged(date(2025, 11, 30), "Sertraline 50mg tablets")  # thirteen months back
    logged(date(2026, 11, 2), "Amlodipine 5mg tablets", organisation=pharmacies.other_pharmacy)

    summary = services.summary(session, pharmacist, date(2026, 11, 18))

    assert summary.month == date(2026, 11, 1)
    assert summary.total == 3
    assert [(m.month, m.near_misses) for m in summary.months[-2:]] == [
        (date(2026, 10, 1), 1),
        (date(2026, 11, 1), 3),
    ]
    assert len(summary.months) == 12 and summary.months[0].month == date(2025, 12, 1)
    assert sum(m.near_misses for m in summary.months) == 4
    assert [(m.key, m.near_misses) for m in summary.medicines] == [
        ("amlodipine 5mg tablets", 2),
        ("sertraline 50mg tablets", 1),
    ]
    assert [(t.key, t.near_misses) for t in summary.error_types] == [
        ("wrong_medicine", 1),
        ("wrong_strength", 1),
        ("wrong_quantity", 1),
    ]


def test_the_summary_is_three_queries_however_many_near_misses(session, pharmacies):
    from tests.support.queries import counting_queries

    for n in range(30):
        NearMissFactory(
            organisation=pharmacies.pharmacy,
            occurred_on=date(2026, 1 + n % 11, 1 + n % 27),
            medicine=f"Medicine {n % 7}",
            recorded_by_id=pharmacies.pharmacist.id,
        )
    session.expire_all()
    with counting_queries() as statements:
        summary = services.summary(session, pharmacies.pharmacist, date(2026, 11, 1))
    assert sum(m.near_misses for m in summary.months) == 30
    # The person's roles are read once for the scope; the log itself in three GROUP BYs.
    reads_of_the_log = [s for s in statements if "FROM near_misses" in s]
    assert len(reads_of_the_log) == 3
    assert all("GROUP BY" in s for s in reads_of_the_log)


def test_promotion_records_a_safety_event_with_the_fields_carried_over(session, pharmacies):
    near_miss = NearMissFactory(
        organisation=pharmacies.pharmacy,
        occurred_on=date(2026, 11, 3),
        medicine="Methotrexate 2.5mg tablets",
        dmd_code="39720311000001101",
        error_type="wrong_quantity",
        stage="hand_out",
        cause="busy",
        note="Two prescriptions bagged together",
        recorded_by_id=pharmacies.dispenser.id,
    )
    with unit_of_work(session):
        event = services.promote(
            session, pharmacies.pharmacist, near_miss, near_miss.version_id, today=TODAY
        )
    session.expire_all()
    near_miss = session.get(NearMiss, near_miss.id)
    event = session.get(SafetyEvent, event.id)
    assert near_miss.event_id == event.id
    assert near_miss.promoted_by_id == pharmacies.pharmacist.id
    assert event.organisation_id == pharmacies.pharmacy.id
    assert event.occurred_on == date(2026, 11, 3)
    assert event.record_type == "incident"
    assert event.theme == "medication"
    assert event.service_area == "community_pharmacy"
    assert event.location == "pharmacy"
    assert event.processes == ["dispensing"]
    assert event.physical_harm == "none"
    assert event.reporter_user_id == pharmacies.pharmacist.id
    for carried in (
        "wrong quantity",
        "Methotrexate 2.5mg tablets",
        "39720311000001101",
        "hand-out",
        "busy, interrupted or distracted",
        "Two prescriptions bagged together",
    ):
        assert carried in event.description
    assert "Caught at hand-out." in event.description
    assert event.immediate_actions == "Caught at hand-out, before the medicine was taken."
    # The event follows the events' LFPSE rules: queued once, as every recorded event is.
    assert _count(session, LfpseExport, LfpseExport.event_id == event.id) == 1
    assert _count(session, LfpseExport) == 1
    assert _count(session, AuditRecord, AuditRecord.action == "near_miss:promote") == 1
    assert _count(session, AuditRecord, AuditRecord.action == "event:create") == 1


@pytest.mark.parametrize(
    "stage, caught",
    [
        ("accuracy_check", "Caught at the accuracy check"),
        ("clinical_check", "Caught at the clinical check"),
        ("by_patient", "Caught by the patient or carer"),
    ],
)
def test_the_event_says_where_it_was_caught_in_a_sentence(session, pharmacies, stage, caught):
    near_miss = NearMissFactory(
        organisation=pharmacies.pharmacy, stage=stage, occurred_on=date(2026, 11, 3)
    )
    with unit_of_work(session):
        event = services.promote(
            session, pharmacies.pharmacist, near_miss, near_miss.version_id, today=TODAY
        )
    assert f"{caught}. " in event.description
    assert event.immediate_actions == f"{caught}, before the medicine was taken."


def test_a_second_promotion_or_a_stale_one_makes_no_second_event(session, pharmacies):
    near_miss = NearMissFactory(
        organisation=pharmacies.pharmacy,
        occurred_on=date(2026, 11, 3),
        recorded_by_id=pharmacies.pharmacist.id,
    )
    seen = near_miss.version_id
    with unit_of_work(session):
        services.promote(session, pharmacies.pharmacist, near_miss, seen, today=TODAY)
    for version in (seen, near_miss.version_id, None):
        with pytest.raises(ChangedBySomeoneElse):
            with unit_of_work(session):
                services.promote(session, pharmacies.pharmacist, near_miss, version, today=TODAY)
    assert _count(session, SafetyEvent) == 1
    assert _count(session, AuditRecord, AuditRecord.action == "near_miss:promote") == 1


def test_only_the_pharmacys_patient_safety_lead_promotes(session, pharmacies):
    near_miss = NearMissFactory(
        organisation=pharmacies.pharmacy, recorded_by_id=pharmacies.pharmacist.id
    )
    with pytest.raises(policy.NotPermitted):
        services.promote(session, pharmacies.dispenser, near_miss, None, today=TODAY)
    with pytest.raises(policy.NotVisible):
        services.promote(session, pharmacies.other_pharmacist, near_miss, None, today=TODAY)
    session.rollback()
    assert _count(session, SafetyEvent) == 0
