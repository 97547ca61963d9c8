"""A revision's changes in plain words: each field's before and after as the event page shows it."""

from __future__ import annotations

from psirf.events.revision_history import Line, change_lines
from tests.support.events import VALID_NHS_NUMBER


def test_coded_values_dates_and_lists_read_as_their_labels():
    lines = change_lines(
        {
            "occurred_on": {"before": "2026-05-12", "after": "2026-05-02"},
            "theme": {"before": "medication", "after": "diagnosis"},
            "agents": {"before": [], "after": ["medication", "it_system"]},
            "never_event_type": {"before": None, "after": "methotrexate_overdose"},
        }
    )
    assert lines == [
        Line("Date of event", "12 May 2026", "2 May 2026"),
        Line(
            "Theme", "Medication (prescribing, dispensing, monitoring)", "Diagnosis and assessment"
        ),
        Line("What was involved", "Not given", "Medicines, IT systems or software"),
        Line(
            "Never Event",
            "Not a Never Event",
            "Methotrexate overdose for non-cancer treatment",
        ),
    ]


def test_each_patient_s_change_reads_by_patient_number():
    low = {"physical_harm": "low", "psychological_harm": "none", "age_band": "65-74"}
    lines = change_lines(
        {
            "patients": {
                "before": [low, {"physical_harm": "none"}],
                "after": [
                    low | {"physical_harm": "severe", "nhs_number": VALID_NHS_NUMBER},
                    {"physical_harm": "moderate", "gender": "female"},
                ],
            }
        }
    )
    assert lines == [
        Line("Patient 1: physical harm", "Low physical harm", "Severe physical harm"),
        Line("Patient 1: NHS number", "Not given", "943 476 5919"),
        Line("Patient 2: physical harm", "No physical harm", "Moderate physical harm"),
        Line("Patient 2: gender", "Not given", "Female"),
    ]
    added = change_lines(
        {"patients": {"before": [low], "after": [low, {"physical_harm": "fatal"}]}}
    )
    assert added == [Line("Patient 2", "Not recorded", "Fatal")]
    removed = change_lines({"patients": {"before": [low, low], "after": [low]}})
    assert removed == [
        Line("Patient 2", "Low physical harm, No psychological harm, 65 to 74 years", "Removed")
    ]
