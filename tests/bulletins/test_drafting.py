"""Drafting a bulletin from an area's records: themes counted against the period before (SQL over
the rollups), learning and good care from the library and the records, the safety actions
completed; the default period is the last whole quarter of the injected clock."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from psirf.audit import AuditRecord
from psirf.bulletins import periods, services
from psirf.bulletins.models import Bulletin
from psirf.db import ChangedBySomeoneElse
from psirf.extensions import db
from psirf.problems import InputError
from tests.support.bulletins import END, START, TODAY
from tests.support.factories import PracticeFactory, SafetyActionFactory, SafetyEventFactory
from tests.support.library import entry as library_entry
from tests.support.queries import counting_queries


def draft(world, area=None, who=None, start=START, end=END):
    bulletin = services.generate(
        db.session, who or world.panel, (area or world.pcn).id, start, end, TODAY
    )
    db.session.commit()
    return bulletin


def points(bulletin, section):
    return [(p.title, p.count, p.previous) for p in bulletin.points_in(section)]


def test_the_default_period_is_the_last_whole_quarter_of_the_clock_given():
    assert periods.default_period(date(2026, 11, 16)) == (date(2026, 7, 1), date(2026, 10, 1))
    assert periods.default_period(date(2027, 1, 1)) == (date(2026, 10, 1), date(2027, 1, 1))
    assert periods.default_period(date(2026, 3, 31)) == (date(2025, 10, 1), date(2026, 1, 1))
    assert periods.label(date(2026, 7, 1), date(2026, 10, 1)) == "July to September 2026"
    assert periods.label(date(2025, 11, 1), date(2026, 2, 1)) == "November 2025 to January 2026"
    assert periods.previous_period(date(2026, 7, 1), date(2026, 10, 1)) == (
        date(2026, 4, 1),
        date(2026, 7, 1),
    )


def test_themes_are_counted_in_the_quarter_and_against_the_quarter_before(world):
    for day, theme in [
        (date(2026, 7, 3), "medication"),
        (date(2026, 8, 20), "medication"),
        (date(2026, 9, 30), "medication"),
        (date(2026, 8, 1), "diagnosis"),
        (date(2026, 5, 9), "medication"),
        (date(2026, 4, 2), "diagnosis"),
        (date(2026, 6, 2), "diagnosis"),
        (date(2026, 10, 1), "medication"),  # after the period: not counted
        (date(2026, 3, 31), "medication"),  # before the period before: not counted
    ]:
        SafetyEventFactory(organisation=world.practice, occurred_on=day, theme=theme)
    # Another PCN's practice and good care are not counted among the themes.
    SafetyEventFactory(organisation=world.other_practice, occurred_on=date(2026, 8, 1))
    SafetyEventFactory(
        organisation=world.practice, occurred_on=date(2026, 8, 2), record_type="good_care"
    )
    db.session.commit()

    bulletin = draft(world)

    themes = points(bulletin, "themes")
    assert themes[0][1:] == (3, 1) and themes[0][0].startswith("Medication")
    assert themes[1][1:] == (1, 2) and themes[1][0].startswith("Diagnosis")
    assert (bulletin.events_total, bulletin.events_previous, bulletin.good_care_total) == (4, 3, 1)
    first = bulletin.points_in("themes")[0]
    assert "up 2 (200%)" in first.body
    assert "4 safety events were recorded in July to September 2026" in bulletin.themes_text
    assert bulletin.title == "North PCN learning bulletin: July to September 2026"


def test_learning_good_care_and_actions_come_from_the_period_and_the_area(world):
    in_period = datetime(2026, 8, 10, 9, 0)
    shared = library_entry(world.practice, world.lead)
    shared.published_at = in_period
    old = library_entry(world.practice, world.lead)
    old.published_at = datetime(2026, 5, 1, 9, 0)
    elsewhere = library_entry(world.other_practice, world.other_lead)
    elsewhere.published_at = in_period
    SafetyEventFactory(
        organisation=world.practice,
        occurred_on=date(2026, 9, 1),
        record_type="good_care",
        description="The nurse spotted sepsis early and called an ambulance.",
    )
    done = SafetyActionFactory(
        response__organisation=world.practice,
        description="Add a dose check to the repeat template",
        strength="stronger",
        state="completed",
        completed_at=datetime(2026, 9, 2, 10, 0),
    )
    SafetyActionFactory(
        response__organisation=world.practice,
        description="Not finished yet",
        completed_at=None,
    )
    db.session.commit()

    bulletin = draft(world)

    learning = bulletin.points_in("learning")
    assert [p.source for p in learning] == [f"library:{shared.id}"]
    assert old.id not in [p.source for p in learning] and elsewhere.id
    care = bulletin.points_in("good_care")
    assert care[0].body == "The nurse spotted sepsis early and called an ambulance."
    actions = bulletin.points_in("actions")
    assert [p.source for p in actions] == [f"action:{done.id}"]
    assert actions[0].title == "Stronger action at Riverside"
    assert bulletin.actions_completed == 1


def test_a_pcns_draft_reads_the_pcn_itself_and_its_members_and_no_one_else(world):
    for organisation, words in (
        (world.pcn, "The PCN's pharmacist caught an interaction."),
        (world.practice, "The nurse spotted sepsis early."),
        (world.other_practice, "Good care in another PCN."),
    ):
        SafetyEventFactory(organisation=organisation, occurred_on=date(2026, 9, 1),
                           record_type="good_care", description=words)  # fmt: skip
    db.session.commit()

    bulletin = draft(world)

    assert sorted(p.body for p in bulletin.points_in("good_care")) == [
        "The PCN's pharmacist caught an interaction.",
        "The nurse spotted sepsis early.",
    ]
    assert bulletin.good_care_total == 2


def test_an_icb_bulletin_is_drafted_by_the_icb_and_not_by_a_panel(world):
    SafetyEventFactory(organisation=world.other_practice, occurred_on=date(2026, 8, 1))
    db.session.commit()
    bulletin = draft(world, area=world.icb, who=world.icb_specialist)
    assert bulletin.events_total == 1
    with pytest.raises(InputError):
        services.generate(db.session, world.panel, world.icb.id, START, END, TODAY)
    with pytest.raises(InputError):
        services.generate(db.session, world.lead, world.pcn.id, START, END, TODAY)


def test_the_same_period_is_drafted_once_and_periods_must_be_whole_months(world):
    draft(world)
    with pytest.raises(InputError, match="already has a bulletin"):
        services.generate(db.session, world.panel, world.pcn.id, START, END, TODAY)
    db.session.rollback()
    with pytest.raises(InputError, match="whole months"):
        services.generate(db.session, world.panel, world.pcn.id, date(2026, 7, 2), END, TODAY)
    with pytest.raises(InputError, match="at most 12 months"):
        services.generate(
            db.session, world.panel, world.pcn.id, date(2025, 1, 1), date(2026, 4, 1), TODAY
        )


@pytest.mark.parametrize(
    "start, end, message",
    [
        (date(1, 1, 1), date(1, 4, 1), "1900 or later"),  # the period before it would be year 0
        (date(1899, 12, 1), date(1900, 1, 1), "1900 or later"),
    ],
)
def test_a_period_keeps_to_the_years_the_forms_take(world, start, end, message):
    with pytest.raises(InputError, match=message):
        services.generate(db.session, world.panel, world.pcn.id, start, end, TODAY)


def test_the_draft_page_refuses_a_period_it_never_offered_on_the_form(world, sign_in):
    answer = sign_in(world.panel).post(
        "/bulletins/new",
        data={"organisation_id": str(world.pcn.id), "period": "0001-01-01/0001-04-01"},
    )
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert "nhsuk-error-summary" in page and "The year must be 1900 or later" in page
    assert db.session.scalars(select(Bulletin)).all() == []


def test_drafting_reads_a_fixed_number_of_statements_however_many_records(world):
    def statements() -> int:
        """The SELECTs drafting sends (each point it keeps is one INSERT more, up to a few dozen)."""
        db.session.expire_all()
        with counting_queries() as sent:
            services.generate(db.session, world.panel, world.pcn.id, START, END, TODAY)
        db.session.rollback()
        return sum(1 for s in sent if s.lstrip().upper().startswith(("SELECT", "WITH")))

    SafetyActionFactory(
        response__organisation=world.practice, state="completed", completed_at=datetime(2026, 8, 1)
    )
    db.session.commit()
    few = statements()
    hillside = PracticeFactory(icb=world.icb, name="Hillside", groups=[world.pcn])
    for n in range(6):
        SafetyEventFactory(organisation=hillside, occurred_on=date(2026, 8, 1 + n), theme="access")
        SafetyEventFactory(
            organisation=hillside, occurred_on=date(2026, 8, 1 + n), record_type="good_care"
        )
        SafetyActionFactory(
            response__organisation=hillside, state="completed", completed_at=datetime(2026, 8, 2)
        )
    db.session.commit()
    assert statements() == few


def test_edits_are_versioned_and_audited_and_a_stale_version_is_refused(world):
    SafetyEventFactory(organisation=world.practice, occurred_on=date(2026, 8, 1))
    db.session.commit()
    bulletin = draft(world)
    version = bulletin.version_id
    services.save_text(db.session, world.panel, bulletin, {"introduction": "Hello all."}, version)
    db.session.commit()
    assert bulletin.introduction == "Hello all." and bulletin.version_id == version + 1
    with pytest.raises(ChangedBySomeoneElse):
        services.save_text(db.session, world.panel, bulletin, {"introduction": "Old tab"}, version)
    db.session.rollback()
    point = bulletin.points_in("themes")[0]
    services.remove_point(db.session, world.panel, bulletin, point.id, bulletin.version_id)
    db.session.commit()
    actions = db.session.scalars(
        select(AuditRecord.action)
        .where(AuditRecord.subject_type == "bulletins", AuditRecord.subject_id == bulletin.id)
        .order_by(AuditRecord.id)
    ).all()
    assert actions == ["bulletin:generate", "bulletin:edit", "bulletin:remove_point"]
