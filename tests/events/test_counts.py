"""The monthly event counts change with the events, in the same transaction, and can be checked."""

from datetime import date

from sqlalchemy import select

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
    assert result.exit_code != 0 and "stored 5, events say 1" in result.output

    assert "1 count(s) differed" in runner.invoke(args=["counts", "check", "--repair"]).output
    assert runner.invoke(args=["counts", "check"]).exit_code == 0
