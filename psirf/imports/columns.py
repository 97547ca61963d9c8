"""The row shape every source yields (docs: README, "Importing historic events"): one key per
column of the CSV template, psirf's own stored codes as values, the Nth patient's fields as
`patient_N_<field>`."""

from __future__ import annotations

import re
from functools import lru_cache

EVENT_COLUMNS = (
    "source_reference",
    "organisation_ods_code",
    "record_type",
    "occurred_on",
    "reported_at",
    "theme",
    "service_area",
    "location",
    "description",
    "immediate_actions",
    "agents",
    "processes",
    "national_flags",
    "never_event_type",
    # Optional: yes, no or not_known, for incidents and poor outcomes about diagnosis (else dropped).
    "repeat_presentation",
    "reporter_kind",
    "identity_protected",
)
PATIENT_FIELDS = (
    "physical_harm",
    "psychological_harm",
    "age_band",
    "gender",
    "ethnicity",
    "nhs_number",
)
# The columns a file must name (a row may still leave the organisation empty with --organisation).
REQUIRED_COLUMNS = ("source_reference", "record_type", "occurred_on", "theme", "description")
TEMPLATE_PATIENTS = 3
# Several codes in one cell.
SEPARATOR = ";"

_PATIENT = re.compile(r"patient_([1-9][0-9]{0,2})_(%s)" % "|".join(PATIENT_FIELDS))


@lru_cache(maxsize=1024)  # every row of a file names the same columns
def patient_column(name: str) -> tuple[int, str] | None:
    """(N, field) of a `patient_N_field` column, or None for any other name."""
    found = _PATIENT.fullmatch(name)
    return (int(found.group(1)), found.group(2)) if found else None


def is_known(name: str) -> bool:
    return name in EVENT_COLUMNS or patient_column(name) is not None


def template_header() -> list[str]:
    """The header row of the downloadable template: every column, patients 1 to 3."""
    return [
        *EVENT_COLUMNS,
        *(f"patient_{n}_{f}" for n in range(1, TEMPLATE_PATIENTS + 1) for f in PATIENT_FIELDS),
    ]
