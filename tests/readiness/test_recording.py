"""Recording readiness: statuses with their evidence, audited and kept; names and training
counted into the record the map reads; the ICB's confirmation, cleared by a later change; who may."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from psirf import policy
from psirf.audit import AuditRecord
from psirf.db import ChangedBySomeoneElse, unit_of_work
from psirf.extensions import db
from psirf.problems import InputError
from psirf.readiness import services, training
from psirf.readiness.models import CommitmentRecord
from psirf.timeutil import utcnow
from tests.support import readiness as make


def _record(organisation, key):
    return db.session.scalar(
        select(CommitmentRecord).where(
            CommitmentRecord.organisation_id == organisation.id, CommitmentRecord.commitment == key
        )
    )


def test_a_lead_records_a_status_with_evidence_and_the_change_is_audited(world):
    record = make.record(
        world.lead,
        world.practice,
        "lfpse_registration",
        route="connected_system",
        note="Our clinical system sends events to LFPSE.",
        evidence_on=date(2026, 2, 1),
        evidence_url="https://intranet.example.nhs.uk/lfpse",
    )
    assert (record.status, record.route, record.recorded_by_id) == (
        "met",
        "connected_system",
        world.lead.id,
    )
    trail = db.session.scalars(select(AuditRecord).where(AuditRecord.subject_id == record.id)).all()
    assert [t.action for t in trail] == ["readiness:record"]
    assert trail[0].changes["status"] == {"before": "not_started", "after": "met"}
    assert trail[0].changes["evidence_url"]["after"] == "https://intranet.example.nhs.uk/lfpse"


def test_a_met_commitment_with_ways_must_say_which(world):
    with pytest.raises(InputError) as refused:
        make.record(world.lead, world.practice, "lfpse_registration")
    assert refused.value.field == "route"


@pytest.mark.parametrize(
    "evidence, field",
    [
        ({"evidence_url": "javascript:alert(1)"}, "evidence_url"),
        ({"evidence_url": "http://plain.example.org/doc"}, "evidence_url"),
        ({"evidence_on": "tomorrow"}, "evidence_on"),
    ],
)
def test_evidence_must_be_a_secure_link_and_a_date_not_in_the_future(world, evidence, field):
    if evidence.get("evidence_on") == "tomorrow":
        evidence = {"evidence_on": utcnow().date() + timedelta(days=1)}
    with pytest.raises(InputError) as refused:
        make.record(world.lead, world.practice, "staff_survey", status="in_progress", **evidence)
    assert refused.value.field == field


def test_a_change_from_an_older_version_is_refused(world):
    first = make.record(world.lead, world.practice, "staff_survey", status="in_progress")
    make.record(world.lead, world.practice, "staff_survey", status="met", version=first.version_id)
    with pytest.raises(ChangedBySomeoneElse):
        make.record(world.lead, world.practice, "staff_survey", status="not_started", version=1)
    assert _record(world.practice, "staff_survey").status == "met"


def test_a_page_that_saw_no_record_is_refused_once_someone_has_made_it(world):
    make.record(world.lead, world.practice, "staff_survey", status="in_progress")
    with pytest.raises(ChangedBySomeoneElse):
        make.record(world.lead, world.practice, "staff_survey", status="met", version=0)


def test_partners_count_and_a_second_one_puts_the_commitment_in_place(world):
    make.named(world.lead, world.practice, "patient_safety_partners", "Morgan Ellis")
    record = _record(world.practice, "patient_safety_partners")
    assert (record.count, record.status) == (1, "in_progress")
    make.named(world.lead, world.practice, "patient_safety_partners", "Jo Patel")
    db.session.refresh(record)
    assert (record.count, record.status) == (2, "met")


def test_removing_a_partner_counts_again(world):
    make.named(world.lead, world.practice, "patient_safety_partners", "A One", "B Two")
    person = services.named_people(db.session, world.practice)["patient_safety_partners"][0]
    with unit_of_work(db.session):
        services.remove_named(
            db.session, world.lead, world.practice, "patient_safety_partners", person.id
        )
    record = _record(world.practice, "patient_safety_partners")
    assert (record.count, record.status) == (1, "in_progress")


def test_syllabus_levels_count_every_member_of_staff(world):
    make.staff(
        world.lead,
        world.practice,
        ("Ann Able", "ann@example.org"),
        ("Bob Baker", "bob@example.org"),
        level_1=1,
    )
    level_1 = _record(world.practice, "syllabus_level_1")
    level_2 = _record(world.practice, "syllabus_level_2")
    assert (level_1.count, level_1.total, level_1.status) == (1, 2, "in_progress")
    assert (level_2.count, level_2.total, level_2.status) == (0, 2, "not_started")


def test_a_person_records_their_own_training_and_joins_the_staff_listed_by_their_email(world):
    (member,) = make.staff(world.lead, world.practice, ("Robin Reporter", world.reporter.email))
    with unit_of_work(db.session):
        training.record_own_completion(
            db.session, world.reporter, world.practice, 1, date(2026, 3, 2)
        )
    db.session.refresh(member)
    assert member.user_id == world.reporter.id
    assert [(c.level, c.source) for c in member.completions] == [(1, "self")]
    assert _record(world.practice, "syllabus_level_1").status == "met"


def test_no_one_else_records_a_persons_training(world):
    (member,) = make.staff(world.lead, world.practice, ("Dana Nurse", "dana@example.org"))
    with pytest.raises(policy.NotPermitted):
        training.record_completion(db.session, world.reporter, member, 1, date(2026, 1, 1))


def test_the_icb_confirms_and_a_later_change_clears_the_confirmation(world):
    record = make.record(world.lead, world.practice, "freedom_to_speak_up")
    with unit_of_work(db.session):
        services.confirm(
            db.session,
            world.icb_specialist,
            world.practice,
            "freedom_to_speak_up",
            record.version_id,
        )
    assert record.confirmed_by_id == world.icb_specialist.id
    make.record(
        world.lead,
        world.practice,
        "freedom_to_speak_up",
        note="A new guardian",
        version=record.version_id,
    )
    record = _record(world.practice, "freedom_to_speak_up")
    assert record.confirmed_at is None
    last = db.session.scalars(
        select(AuditRecord).where(AuditRecord.subject_id == record.id).order_by(AuditRecord.id)
    ).all()[-1]
    assert "confirmed_at" in last.changes and last.changes["confirmed_at"]["after"] is None


@pytest.mark.parametrize("who", ["panel", "icb_specialist", "icb_quality", "reporter"])
def test_only_the_organisations_own_leads_record_it(world, who):
    with pytest.raises(policy.NotPermitted):
        make.record(getattr(world, who), world.practice, "freedom_to_speak_up")


@pytest.mark.parametrize("who", ["lead", "panel", "icb_quality"])
def test_only_the_icbs_specialists_and_administrators_confirm(world, who):
    record = make.record(world.lead, world.practice, "freedom_to_speak_up")
    with pytest.raises(policy.NotPermitted):
        services.confirm(
            db.session,
            getattr(world, who),
            world.practice,
            "freedom_to_speak_up",
            record.version_id,
        )


def test_a_commitment_that_does_not_apply_is_refused(world):
    from tests.support.factories import OrganisationFactory, UserFactory
    from psirf.accounts.models import Role

    pharmacy = OrganisationFactory(kind="pharmacy", icb=world.icb, name="Corner Pharmacy")
    pharmacist = UserFactory(role=(Role.PATIENT_SAFETY_LEAD, pharmacy))
    db.session.commit()
    with pytest.raises(InputError):
        make.record(pharmacist, pharmacy, "ppg_agenda")
