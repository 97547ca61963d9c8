"""Each row checked by the recording rules and the import's own, every fault of a row reported."""

from __future__ import annotations

from datetime import date
from itertools import product

from psirf.events.lfpse import RecordType
from psirf.events.services import checked_details, default_service_area
from psirf.imports.checks import Context, _details_of, check_row
from psirf.triage.never_events import choices_on
from tests.support.imports import NOW, THEME_CODES, TODAY, VALID_NHS_NUMBER, good_row, place


def _faults(session, row, user, ods=None):
    checked, faults = check_row(
        5, row, Context(session, user, today=TODAY, now=NOW, organisation_ods_code=ods)
    )
    return checked, [(f.row, f.field) for f in faults], faults


def test_every_fault_of_a_row_is_reported_not_only_the_first(session):
    p = place()
    row = good_row(1, (p.practice.ods_code,)) | {
        "source_reference": "",
        "record_type": "accident",
        "theme": "",
        "occurred_on": "2027-01-01",
        "reported_at": "",
        "location": "moon",
        "agents": "medication;spoons",
        "reporter_kind": "robot",
        "identity_protected": "maybe",
        "patient_1_nhs_number": "1234567890",
        "patient_1_age_band": "ancient",
        "patient_3_gender": "dragon",
    }
    checked, fields, _ = _faults(session, row, p.admin)
    assert checked is None
    assert sorted(fields) == sorted(
        (5, name)
        for name in (
            "source_reference",
            "record_type",
            "theme",
            "occurred_on",
            "location",
            "agents",
            "reporter_kind",
            "identity_protected",
            "patient_1_nhs_number",
            "patient_1_age_band",
            "patient_3_gender",
        )
    )


def test_a_fault_in_a_coded_field_names_the_codes_it_takes(session):
    p = place()
    _, _, faults = _faults(session, good_row(1, (p.practice.ods_code,)) | {"theme": "x"}, p.admin)
    assert faults[0].message.endswith("Use one of: " + THEME_CODES)


def test_a_service_outside_the_importers_icbs_reads_as_unknown(session):
    p = place()
    for code in (p.far_practice.ods_code, "NOPE1", p.icb.ods_code):
        row = good_row(1, (code,))
        _, fields, faults = _faults(session, row, p.admin)
        assert fields == [(5, "organisation_ods_code")]
        assert "No service of an ICB you administer" in faults[0].message


def test_an_import_for_one_service_refuses_rows_of_another_and_fills_in_empty_ones(session):
    p = place()
    only = p.practice.ods_code
    mine = good_row(1, ("",))
    checked, fields, _ = _faults(session, mine, p.admin, ods=only)
    assert fields == [] and checked.organisation_id == p.practice.id
    _, fields, _ = _faults(session, good_row(1, (p.other_practice.ods_code,)), p.admin, ods=only)
    assert fields == [(5, "organisation_ods_code")]


def test_the_nhs_number_is_kept_as_ten_digits_and_dates_are_read_as_utc(session):
    p = place()
    row = good_row(1, (p.practice.ods_code,)) | {
        "patient_1_nhs_number": "943 476 5919",
        "reported_at": "2025-02-02T10:00:00+01:00",
        "occurred_on": "2025-02-01",
    }
    checked, fields, _ = _faults(session, row, p.admin)
    assert fields == []
    assert checked.patients[0]["nhs_number"] == VALID_NHS_NUMBER
    assert checked.columns["created_at"].isoformat() == "2025-02-02T09:00:00"


def test_a_report_before_the_day_it_happened_or_in_the_future_is_refused(session):
    p = place()
    for reported in ("2025-01-31T23:00:00", "2026-03-21T00:00:00", "yesterday"):
        row = good_row(1, (p.practice.ods_code,)) | {
            "occurred_on": "2025-02-01",
            "reported_at": reported,
        }
        assert _faults(session, row, p.admin)[1] == [(5, "reported_at")], reported


def test_a_reporter_kind_left_empty_is_staff_and_no_row_names_an_account(session):
    p = place()
    checked, _, _ = _faults(
        session, good_row(1, (p.practice.ods_code,)) | {"reporter_kind": ""}, p.admin
    )
    assert checked.columns["reporter_kind"] == "staff"


def test_rows_checked_by_their_codes_combination_get_what_the_recording_rules_give(session):
    """The import checks each combination of a row's codes once (checks._checked_codes) and the
    rest of the row beside it: each row's columns must be exactly what checked_details makes of
    the whole row, whatever the combination, spacing, texts, day or Never Event."""
    p = place()
    context = Context(session, p.admin, today=TODAY, now=NOW)
    never_event = choices_on(date(2025, 3, 1))[0][0]
    variants = product(
        [t.value for t in RecordType],
        ["diagnosis", " medication ", "access"],
        ["", "yes", "not_known"],
        ["", "medication; it_system ", "it_system;medication;medication"],
        ["", "community_pharmacy"],
        ["", never_event],
        ["Plain.", "  Spaced around.  "],
        ["", "  Called the patient.  "],
    )
    for n, (kind, theme, repeat, agents, area, never, description, actions) in enumerate(variants):
        row = good_row(n, (p.practice.ods_code,)) | {
            "record_type": kind, "theme": theme, "repeat_presentation": repeat, "agents": agents,
            "service_area": area, "never_event_type": never, "description": description,
            "immediate_actions": actions, "occurred_on": "2025-03-01",
            "reported_at": "2025-03-02T09:00:00",
        }  # fmt: skip
        checked, faults = check_row(5, row, context)
        expected = checked_details(_details_of(row, date(2025, 3, 1)), TODAY).columns
        expected["service_area"] = expected["service_area"] or default_service_area(p.practice)
        assert faults == [] and {k: checked.columns[k] for k in expected} == expected, row
