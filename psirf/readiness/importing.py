"""Syllabus training from a CSV file, for one organisation, with a report row by row.

The file's header names the columns `email`, `name`, `level` and `completed_on` (a date as
2026-03-31 or 31/03/2026). A person not yet listed is added from their name; each row is recorded
or refused on its own (the report says which and why), in one transaction, and the organisation's
counts are recounted once at the end. Files are small (one organisation's staff): read whole, up
to MAX_ROWS rows.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from psirf import policy
from psirf.organisations.models import Organisation
from psirf.problems import InputError
from psirf.readiness import training
from psirf.readiness.models import CompletionSource, StaffMember
from psirf.web.inputs import record_id, year_problem

COLUMNS = ("email", "name", "level", "completed_on")
MAX_BYTES = 1_000_000
MAX_ROWS = 5_000
FILE = "file"
TEMPLATE = "email,name,level,completed_on\nsam.smith@example.nhs.uk,Sam Smith,1,2026-03-31\n"


@dataclass
class ReportRow:
    row: int
    email: str
    outcome: str
    recorded: bool


def _date(text: str) -> date | None:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    return None


def _rows(data: bytes):
    if len(data) > MAX_BYTES:
        raise InputError(FILE, "The file must be smaller than 1 MB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(FILE, "The file must be saved as CSV UTF-8") from None
    reader = csv.reader(io.StringIO(text))
    header = [c.strip().lower() for c in next(reader, [])]
    missing = [c for c in COLUMNS if c not in header]
    if not header or missing:
        raise InputError(FILE, "The first row must name the columns: " + ", ".join(COLUMNS))
    rows = []
    try:
        for number, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            rows.append(
                (number, {k: (cells[i] if i < len(cells) else "") for i, k in enumerate(header)})
            )
            if len(rows) > MAX_ROWS:
                raise InputError(FILE, f"The file must hold {MAX_ROWS:,} rows or fewer")
    except csv.Error as error:
        raise InputError(FILE, f"The file is not valid CSV: {error}") from None
    if not rows:
        raise InputError(FILE, "The file has no rows below its header")
    return rows


def import_training(
    session: Session, user, organisation: Organisation, data: bytes
) -> list[ReportRow]:
    policy.require_may_record_readiness(user, organisation)
    report = []
    members = {
        m.email: m
        for m in session.scalars(
            select(StaffMember).where(StaffMember.organisation_id == organisation.id)
        )
    }
    recorded = 0
    for number, row in _rows(data):
        email = row.get("email", "").strip().lower()
        try:
            # A number of plain digits a level could be ("²" and 5,000 digits are digits to
            # str.isdigit, which int() then refused: a 500); anything else, no level at all.
            level = record_id(row.get("level")) or 0
            completed_on = _date(row.get("completed_on", ""))
            if completed_on is None:
                raise InputError("completed_on", "The date is not a date like 2026-03-31")
            if year_problem(completed_on):
                raise InputError("completed_on", year_problem(completed_on))
            member = members.get(email)
            added = member is None
            # One savepoint for the row: a person added for a row refused is not kept either.
            with session.begin_nested():
                if added:
                    member = training.add_staff(
                        session, user, organisation, row.get("name", ""), email, recount=False
                    )
                training.record_completion(
                    session,
                    user,
                    member,
                    level,
                    completed_on,
                    source=CompletionSource.IMPORT.value,
                    recount=False,
                )
            members[member.email] = member
        except InputError as error:
            report.append(ReportRow(number, email, f"Not recorded: {error.message}", False))
            continue
        recorded += 1
        outcome = f"Level {level} recorded, completed {completed_on:%d/%m/%Y}"
        report.append(
            ReportRow(
                number, email, outcome + (" (added to the staff list)" if added else ""), True
            )
        )
    if recorded:
        training.recount_after_import(session, user, organisation.id, recorded)
    return report
