"""The monthly event counts change with the events, in the same transaction, and can be checked."""

from datetime import date

from sqlalchemy import func, select

from psirf.events import counts
from psirf.events.counts import EventCount
from psirf.extensions import db
from tests.support.factories import PracticeFactory, SafetyEventFactory


def _stored():
    return {
        (c.month, c.theme, c.record_type, c.harm): c.count
        for c in db.session.scalars(select(EventCount))
    }


def test_counts_follow_events_written_changed_and_deleted(app):
    practice = PracticeFactory()
    first = SafetyEventFactory(
        organisation=practice,
        occurred_on=date(2026, 3, 9),
        physical_harm="low",
        psychological_harm="moderate",
    )
    SafetyEventFactory(
        organisation=practice, occurred_on=date(2026, 3, 30), physical_harm="moderate"
    )
    SafetyEventFactory(
        organisation=practice, occurred_on=date(2026, 4, 1), physical_harm=None, theme="access"
    )
    assert _stored() == {
        (date(2026, 3, 1), "medication", "incident", "moderate"): 2,  # the worse of the two harms
        (date(2026, 4, 1), "access", "incident", "not_recorded"): 1,
    }

    first.theme = "diagnosis"
    db.session.commit()
    db.session.delete(db.session.get(type(first), first.id))
    db.session.commit()
    assert _stored() == {
        (date(2026, 3, 1), "medication", "incident", "moderate"): 1,
        (date(2026, 3, 1), "diagnosis", "incident", "moderate"): 0,
        (date(2026, 4, 1), "access", "incident", "not_recorded"): 1,
    }
    assert counts.differences(db.session) == []


def test_a_rolled_back_event_takes_its_count_with_it(app):
    practice = PracticeFactory()
    db.session.add(SafetyEventFactory.build(organisation=practice, occurred_on=date(2026, 5, 2)))
    db.session.flush()
    assert sum(_stored().values()) == 1
    db.session.rollback()
    assert _stored() == {}


def test_the_check_command_reports_a_difference_and_repair_mends_it(app):
    SafetyEventFactory(occurred_on=date(2026, 6, 3))
    db.session.execute(EventCount.__table__.update().values(count=5))
    db.session.commit()
    runner = app.test_cli_runner()

    result = runner.invoke(args=["counts", "check"])
    # (count, repeat presentations): two measures, as equality_rollups has (patients, serious)
    assert result.exit_code != 0 and "stored (5, 0), events say (1, 0)" in result.output

    assert "1 count(s) differed" in runner.invoke(args=["counts", "check", "--repair"]).output
    assert runner.invoke(args=["counts", "check"]).exit_code == 0


def test_a_service_joining_a_pcn_brings_its_events_into_the_pcns_figures(app):
    from psirf.db import unit_of_work
    from psirf.events.counts import ThemeRollup
    from psirf.organisations import services as organisations
    from tests.support.factories import PcnFactory

    practice = PracticeFactory()
    pcn = PcnFactory(icb=practice.icb)
    SafetyEventFactory(organisation=practice, occurred_on=date(2026, 3, 9))
    SafetyEventFactory(
        organisation=practice, occurred_on=date(2026, 3, 10), record_type="good_care"
    )

    def in_pcn():
        return db.session.scalar(
            select(func.coalesce(func.sum(ThemeRollup.count), 0)).where(
                ThemeRollup.area_id == pcn.id
            )
        )

    assert in_pcn() == 0
    with unit_of_work(db.session):
        organisations.join_group(db.session, practice, pcn)
    assert in_pcn() == 1  # good care is not counted
    assert counts.differences(db.session) == []


def test_a_patient_recorded_without_harm_takes_the_events_only_when_alone(app):
    """Older records carry the event's harm and patients without their own: with several patients
    the event's harm belongs to one of them, so none of them counts as moderate or worse."""
    from psirf.events.counts import EqualityRollup
    from psirf.events.models import EventPatient

    practice = PracticeFactory()
    SafetyEventFactory(
        organisation=practice,
        occurred_on=date(2026, 3, 9),
        physical_harm="severe",
        patients=[EventPatient(sequence=1, gender="female")],
    )
    SafetyEventFactory(
        organisation=practice,
        occurred_on=date(2026, 3, 9),
        physical_harm="severe",
        patients=[EventPatient(sequence=1, gender="male"), EventPatient(sequence=2, gender="male")],
    )
    rows = db.session.execute(
        select(EqualityRollup.value, EqualityRollup.patients, EqualityRollup.serious).where(
            EqualityRollup.characteristic == "gender"
        )
    ).all()
    assert sorted(rows) == [("female", 1, 1), ("male", 2, 0)]
    assert counts.differences(db.session) == []


def test_new_events_are_counted_from_their_own_values_as_the_rollups_select_counts_them(app):
    """A new event's rollup rows come from its own values, not a read-back (psirf/events/counts.py):
    every pairing of harms, patients with and without their own, each characteristic given or not,
    every record type, in and out of groups, one flush; the stored rollups equal the SELECTs'."""
    from itertools import product

    from psirf.events.models import EventPatient
    from psirf.events.lfpse import RecordType
    from tests.support.factories import IcbFactory, PcnFactory, one_commit

    harms = (None, "none", "low", "moderate", "severe", "fatal")
    with one_commit():
        icb = IcbFactory()
        pcn, federation = PcnFactory(icb=icb), PcnFactory(icb=icb, kind="federation")
        services = [
            PracticeFactory(icb=icb),
            PracticeFactory(icb=icb, groups=[pcn]),
            PracticeFactory(icb=icb, groups=[pcn, federation]),
        ]
        for n, (physical, psychological) in enumerate(product(harms, harms)):
            patients = [
                EventPatient(sequence=1, physical_harm=physical, gender="female"),
                EventPatient(sequence=2, psychological_harm=psychological, age_band="25-44"),
                EventPatient(sequence=3, ethnicity="white_british"),
            ][: n % 4]
            SafetyEventFactory(
                organisation=services[n % 3],
                record_type=list(RecordType)[n % len(RecordType)].value,
                theme=("medication", "access")[n % 2],
                occurred_on=date(2026, 1 + n % 12, 1 + n % 28),
                physical_harm=physical,
                psychological_harm=psychological,
                patients=patients,
            )
    assert counts.differences(db.session) == []
    assert db.session.scalar(select(func.sum(EventCount.count))) == len(harms) ** 2


def test_recording_an_event_reads_no_rollup_back(app):
    """A new event's rows are upserted from its values, its areas read by the upserts themselves:
    nothing is read on its own."""
    from psirf.events import services
    from psirf.db import unit_of_work
    from tests.support.queries import counting_queries

    practice = PracticeFactory()
    _ = practice.kind  # loaded, as the form has it
    with counting_queries() as statements, unit_of_work(db.session):
        services.record_event(
            db.session,
            organisation=practice,
            record_type="incident",
            occurred_on=date(2026, 3, 9),
            description="Counted from its values.",
            theme="medication",
            reporter_kind="patient",
            patients=[{"physical_harm": "moderate", "gender": "female"}],
            today=date(2026, 3, 10),
        )
    reads = [s for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH"))]
    assert [s for s in reads if "nextval" not in s] == []
    assert len([s for s in statements if "ON CONFLICT" in s.upper()]) == 3
    assert counts.differences(db.session) == []
