"""The import template's optional repeat_presentation column (issue 18 part 6): kept for diagnosis
events, dropped for others, refused with its codes when unknown; the rollups exact after it."""

from __future__ import annotations

from sqlalchemy import select

from psirf.events import counts
from psirf.events.models import SafetyEvent
from psirf.events.rollups import EventCount, ThemeRollup
from psirf.imports.columns import template_header
from tests.support.imports import csv_text, good_row, place, run_csv


def _row(n: int, ods: str, theme: str, answer: str) -> dict:
    return good_row(n, (ods,)) | {
        "record_type": "incident",
        "theme": theme,
        "repeat_presentation": answer,
    }


def test_the_template_offers_the_column_and_old_files_without_it_still_import(session):
    assert "repeat_presentation" in template_header()
    p = place()
    header = [name for name in template_header() if name != "repeat_presentation"]
    ran = run_csv(session, csv_text([good_row(1, (p.practice.ods_code,))], header), p.admin)
    assert ran.outcome.imported == 1 and ran.faults == []


def test_imported_answers_are_kept_for_diagnosis_and_counted_exactly(session):
    p = place()
    ods = p.other_practice.ods_code  # in the ICB and its PCN
    rows = [
        _row(1, ods, "diagnosis", "yes"),
        _row(2, ods, "diagnosis", "not_known"),
        _row(3, ods, "diagnosis", ""),
        _row(4, ods, "medication", "yes"),  # not about diagnosis: not asked, so dropped
        _row(5, ods, "diagnosis", "yes"),
    ]
    ran = run_csv(session, csv_text(rows), p.admin, batch_size=2)
    assert ran.outcome.imported == 5 and ran.faults == []
    stored = dict(
        session.execute(select(SafetyEvent.source_reference, SafetyEvent.repeat_presentation)).all()
    )
    assert stored == {
        "LOCAL-0000001": "yes",
        "LOCAL-0000002": "not_known",
        "LOCAL-0000003": None,
        "LOCAL-0000004": None,
        "LOCAL-0000005": "yes",
    }
    repeats = sum(session.scalars(select(EventCount.repeat_presentations)))
    by_area = sum(session.scalars(select(ThemeRollup.repeat_presentations)))
    assert repeats == 2 and by_area == 2 * 2  # the ICB's rows and the PCN's
    assert counts.differences(session) == []


def test_an_unknown_answer_is_a_fault_naming_the_codes(session):
    p = place()
    ran = run_csv(session, csv_text([_row(1, p.practice.ods_code, "diagnosis", "often")]), p.admin)
    [fault] = ran.faults
    assert (fault.row, fault.field) == (2, "repeat_presentation")
    assert fault.message.endswith("Use one of: yes, no, not_known")
    assert ran.outcome.imported == 0
