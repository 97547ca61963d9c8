"""Imports in the tests: CSV files of good rows with chosen faults among them, and a run of one
through the import with the day and time given."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime

from psirf.accounts.models import Role
from psirf.db import unit_of_work
from psirf.imports import importing, services
from psirf.imports.checks import Context, Fault
from psirf.imports.columns import template_header
from psirf.imports.csv_source import csv_rows
from tests.support.factories import PcnFactory, PracticeFactory, UserFactory, one_commit

TODAY = date(2026, 3, 20)
NOW = datetime(2026, 3, 20, 12, 0)
VALID_NHS_NUMBER = "9434765919"

THEMES = ("medication", "diagnosis", "referral", "test_results")
# The theme codes, as a fault in the theme column lists them.
THEME_CODES = (
    "diagnosis, medication, referral, test_results, communication, access, administration, "
    "it_systems, safeguarding, screening, treatment, premises, other"
)
HARMS = ("none", "low", "moderate", "severe")


@dataclass
class Place:
    """An ICB's administrator and two of its practices (one in a PCN), and a practice elsewhere."""

    admin: object
    practice: object
    other_practice: object
    far_practice: object
    icb: object = None
    pcn: object = None


def place() -> Place:
    with one_commit():
        practice = PracticeFactory()
        icb = practice.icb
        pcn = PcnFactory(icb=icb)
        other = PracticeFactory(icb=icb, groups=[pcn])
        return Place(
            admin=UserFactory(role=(Role.ADMINISTRATOR, icb)),
            practice=practice,
            other_practice=other,
            far_practice=PracticeFactory(),
            icb=icb,
            pcn=pcn,
        )


def good_row(n: int, ods_codes: tuple[str, ...]) -> dict[str, str]:
    """The nth of a file's good rows: its themes, harms, patients and services vary with n."""
    row = {
        "source_reference": f"LOCAL-{n:07d}",
        "organisation_ods_code": ods_codes[n % len(ods_codes)],
        "record_type": "good_care" if n % 10 == 0 else "incident",
        "occurred_on": f"2025-{n % 12 + 1:02d}-{n % 27 + 1:02d}",
        "reported_at": f"2025-{n % 12 + 1:02d}-28T09:30:00",
        "theme": THEMES[n % len(THEMES)],
        "description": f"Historic event number {n}.",
        "agents": "medication;it_system" if n % 3 == 0 else "",
        "reporter_kind": "staff",
        "identity_protected": "no",
    }
    if n % 4:
        row.update(
            patient_1_physical_harm=HARMS[n % len(HARMS)],
            patient_1_age_band="45-64",
            patient_1_gender="female" if n % 2 else "male",
            patient_1_ethnicity="white_british",
        )
    if n % 7 == 0:
        row.update(patient_2_psychological_harm="low", patient_2_age_band="85+")
    return row


def csv_text(rows: list[dict], header: list[str] | None = None) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header or template_header(), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


@dataclass
class Ran:
    outcome: importing.Outcome
    faults: list[Fault] = field(default_factory=list)
    record: object = None


def run_csv(session, text: str, user, *, dry_run=False, batch_size=100, ods=None) -> Ran:
    """The CSV through the import as `user`, on TODAY at NOW (a record made for a run that writes)."""
    return run_rows(
        session, csv_rows(io.StringIO(text)), user, dry_run=dry_run, batch_size=batch_size, ods=ods
    )


def run_rows(session, rows, user, *, dry_run=False, batch_size=100, ods=None, fmt="csv") -> Ran:
    """A source's rows through the import as `user`, on TODAY at NOW."""
    record = None
    if not dry_run:
        with unit_of_work(session):
            record = services.create(
                session, user, filename=f"events.{fmt}", source_format=fmt, dry_run=False,
                batch_size=batch_size, organisation_ods_code=ods,
            )  # fmt: skip
    faults: list[Fault] = []
    context = Context(session, user, today=TODAY, now=NOW, organisation_ods_code=ods)
    outcome = importing.run(
        session, rows, context, record=record, dry_run=dry_run,
        on_faults=faults.extend, batch_size=batch_size,
    )  # fmt: skip
    return Ran(outcome, faults, record)
