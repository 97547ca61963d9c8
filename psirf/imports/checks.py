"""Each imported row checked by the rules that check a recorded event (`checked_details` and the
patients' checks in psirf.events.services), and by the import's own: the organisation (one the
importing person may import for, through the policy), the source's reference, the dates, who
reported. Every fault of a row is reported, not only the first."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from functools import lru_cache
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from psirf import policy
from psirf.accounts.models import User
from psirf.events import lfpse
from psirf.events.lfpse import (
    Agent,
    HealthcareProcess,
    Location,
    RecordType,
    RepeatPresentation,
    ReporterKind,
    ServiceArea,
    Theme,
)
from psirf.events.services import (
    DESCRIPTION_MAX,
    EventDetails,
    checked_details,
    default_service_area,
    normalise_nhs_number,
)
from psirf.imports.columns import PATIENT_FIELDS, SEPARATOR, patient_column
from psirf.lfpse.reading import ERROR as UNREADABLE
from psirf.organisations.models import Organisation
from psirf.problems import InputError

REFERENCE_MAX = 100
# No text column can hold it on PostgreSQL: a row with one is refused, never sent to the database.
NUL = "\x00"
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
# What a fault names is the column to fix; the codes it may hold are said with the rule's message.
CODES = {
    "record_type": RecordType,
    "theme": Theme,
    "service_area": ServiceArea,
    "location": Location,
    "agents": Agent,
    "processes": HealthcareProcess,
    "repeat_presentation": RepeatPresentation,
}
# A field in fault stands in as a value every rule accepts, so the rest of the row is checked too.
_STAND_INS = {"record_type": "incident", "theme": "other", "description": "-"}
_DETAIL_FIELDS = (
    "service_area",
    "location",
    "immediate_actions",
    "never_event_type",
    "repeat_presentation",
)
_MANY_FIELDS = ("agents", "processes", "national_flags")
_REPORTER_KINDS = frozenset(k.value for k in ReporterKind)


class Fault(NamedTuple):
    row: int
    field: str
    message: str


@dataclass
class CheckedRow:
    """A row ready to insert: the event's columns and its patients' rows."""

    position: int
    organisation_id: int
    source_reference: str
    columns: dict
    patients: list[dict] = field(default_factory=list)


class Service(NamedTuple):
    """A service rows may be imported for: plain values, which no commit expires."""

    id: int
    service_area: str | None  # the default, from its kind


class Context:
    """What every row is checked against: the person importing, the day and time it runs, and the
    one organisation a file may be limited to. Organisations are read once each."""

    def __init__(
        self,
        session: Session,
        user: User,
        *,
        today: date,
        now: datetime,
        organisation_ods_code: str | None = None,
    ):
        self.session, self.user, self.today, self.now = session, user, today, now
        self.only = (organisation_ods_code or "").strip().upper() or None
        self._services: dict[str, Service | None] = {}

    def read(self, rows) -> None:
        """Read the services a batch names that are not read yet, in one statement."""
        wanted = {(row.get("organisation_ods_code") or "").strip().upper() for row in rows}
        wanted = {code for code in wanted | {self.only} if code and code not in self._services}
        for code in {code for code in wanted if NUL in code}:  # no such code; PostgreSQL refuses it
            self._services[code] = None
            wanted.discard(code)
        if not wanted:
            return
        found = self.session.scalars(
            select(Organisation).where(Organisation.ods_code.in_(sorted(wanted)))
        )
        for organisation in found:
            allowed = policy.may_import_for(self.user, organisation)
            service = Service(organisation.id, default_service_area(organisation))
            self._services[organisation.ods_code] = service if allowed else None
        for code in wanted - self._services.keys():
            self._services[code] = None

    def organisation(self, ods_code: str) -> Service | None:
        """The service with this code if the person may import for it, else None (one answer
        for both: a code outside their ICBs is not confirmed to exist)."""
        if ods_code not in self._services:
            self.read([{"organisation_ods_code": ods_code}])
        return self._services[ods_code]


def _value(row: dict, name: str) -> str:
    return (row.get(name) or "").strip()


def _with_codes(name: str, message: str) -> str:
    enum = CODES.get(name)
    if enum is None:
        return message
    return f"{message}. Use one of: {', '.join(m.value for m in enum)}"


class _Row:
    """One row's faults as they are found, and the values checked so far."""

    def __init__(self, position: int, row: dict, context: Context):
        self.position, self.row, self.context = position, row, context
        self.faults: list[Fault] = []
        self._faulted: set[str] = set()

    def fault(self, name: str, message: str) -> None:
        self.faults.append(Fault(self.position, name, _with_codes(name, message)))
        self._faulted.add(name)

    def faulted(self, name: str) -> bool:
        return name in self._faulted


def _reference(check: _Row) -> str:
    reference = _value(check.row, "source_reference")
    if not reference:
        check.fault("source_reference", "Enter the event's reference in the system it came from")
    elif len(reference) > REFERENCE_MAX:
        check.fault("source_reference", f"Enter no more than {REFERENCE_MAX} characters")
    return reference


def _organisation(check: _Row) -> Service | None:
    code = _value(check.row, "organisation_ods_code").upper() or check.context.only
    if not code:
        check.fault("organisation_ods_code", "Enter the ODS code of the service it happened at")
        return None
    if check.context.only and code != check.context.only:
        check.fault(
            "organisation_ods_code",
            f"This import is for {check.context.only} only: leave the code empty or enter that one",
        )
        return None
    found = check.context.organisation(code)
    if found is None:
        check.fault(
            "organisation_ods_code",
            "No service of an ICB you administer has this ODS code",
        )
    return found


def _occurred_on(check: _Row) -> date | None:
    text = _value(check.row, "occurred_on")
    if not text:
        return None  # checked_details says what is missing
    try:
        if not _DAY.fullmatch(text):
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        check.fault("occurred_on", "Enter the date it happened as YYYY-MM-DD, like 2025-03-21")
        return None


def _reported_at(check: _Row, occurred_on: date | None) -> datetime:
    """When the source first recorded it, as naive UTC; the import's time when not given."""
    text = _value(check.row, "reported_at")
    if not text:
        return check.context.now
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        check.fault(
            "reported_at", "Enter when it was reported as YYYY-MM-DDTHH:MM, like 2025-03-21T14:05"
        )
        return check.context.now
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    if moment > check.context.now:
        check.fault("reported_at", "The time it was reported must be in the past")
    elif occurred_on is not None and moment.date() < occurred_on:
        check.fault(
            "reported_at", "The time it was reported must be on or after the day it happened"
        )
    return moment


def _reporter(check: _Row) -> tuple[str, bool]:
    kind = _value(check.row, "reporter_kind") or ReporterKind.STAFF.value
    if kind not in _REPORTER_KINDS:
        check.fault(
            "reporter_kind",
            "Enter who reported it: " + ", ".join(k.value for k in ReporterKind),
        )
    protected = _value(check.row, "identity_protected").lower() or "no"
    if protected not in ("yes", "no"):
        check.fault("identity_protected", "Enter yes or no")
    return kind, protected == "yes"


@lru_cache(maxsize=64)  # a source's rows all name the same columns
def _patient_columns(names: tuple[str, ...]) -> tuple[tuple[str, int, str], ...]:
    found = ((name, patient_column(name)) for name in names)
    return tuple((name, *place) for name, place in found if place is not None)


def _patients(row: dict) -> list[tuple[int, dict]]:
    """(N, fields) of each patient the row names, in order of N; a patient all empty is none."""
    found: dict[int, dict] = {}
    for name, number, field_name in _patient_columns(tuple(row)):
        value = row[name]
        if value and not value.isspace():
            found.setdefault(number, {})[field_name] = value.strip()
    return sorted(found.items())


def _details(check: _Row, occurred_on: date | None) -> EventDetails:
    """The row as the recording form gives it, but its patients (checked apart), each field
    already in fault standing in as a value the rules accept."""
    if check.faulted("occurred_on"):
        occurred_on = check.context.today
    return _details_of(check.row, occurred_on, check.faulted)


def _details_of(row: dict, occurred_on: date | None, faulted=lambda name: False) -> EventDetails:
    def one(name):
        if faulted(name):
            return _STAND_INS.get(name)
        return _value(row, name) or None

    def many(name):
        cell = row.get(name)
        if not cell or faulted(name):
            return ()
        return [v.strip() for v in cell.split(SEPARATOR) if v.strip()]

    return EventDetails(
        record_type=one("record_type"),
        occurred_on=occurred_on,
        description=one("description"),
        theme=one("theme"),
        **{name: one(name) for name in _DETAIL_FIELDS},
        **{name: many(name) for name in _MANY_FIELDS},
    )


# The fields checked whole, once for each combination of their cells: none of their rules reads
# another field but these (record_type and theme decide whether repeat_presentation is asked), and
# a file repeats a few hundred combinations where its texts and days are each its own.
_CODE_FIELDS = ("record_type", "theme", "service_area", "location", "repeat_presentation",
                *_MANY_FIELDS)  # fmt: skip


@lru_cache(maxsize=4096)
def _checked_codes(cells: tuple[str, ...]) -> tuple[tuple[str, object], ...] | None:
    """The code fields' checked values (from their cells in _CODE_FIELDS' order), or None when a
    rule refuses one. The rules' own check, beside a description and a day every rule accepts."""
    row = {**dict(zip(_CODE_FIELDS, cells)), "description": "-"}
    try:
        columns = checked_details(_details_of(row, _LONG_AGO), _LONG_AGO).columns
    except InputError:
        return None
    return tuple((name, columns[name]) for name in _CODE_FIELDS)


def _event_columns(check: _Row, occurred_on: date | None) -> dict:
    """checked_details' columns of the row, InputError at the first fault. The quick way for the
    rows most files are made of: the codes checked once a combination (_checked_codes), the day
    and texts here by the same limits; any row it cannot vouch for (a fault, a Never Event, whose
    rule reads the day) is checked whole by checked_details, which says what to fix."""
    row, today = check.row, check.context.today
    description, immediate_actions = _value(row, "description"), _value(row, "immediate_actions")
    codes = None
    if (
        occurred_on is not None
        and occurred_on <= today
        and not _value(row, "never_event_type")
        and description
        and len(description) <= DESCRIPTION_MAX
        and len(immediate_actions) <= DESCRIPTION_MAX
    ):
        codes = _checked_codes(tuple(row.get(name) or "" for name in _CODE_FIELDS))
    if codes is None:
        return checked_details(_details(check, occurred_on), today).columns
    columns = dict(codes)
    for name in _MANY_FIELDS:  # each row its own lists: the cached ones are shared
        columns[name] = list(columns[name])
    columns.update(
        occurred_on=occurred_on,
        description=description,
        immediate_actions=immediate_actions or None,
        never_event_type=None,
    )
    return columns


def _details_faults(check: _Row, occurred_on: date | None) -> None:
    """Each fault checked_details finds in the row: recorded, the field stood in for, and the row
    checked again, until the rest passes (or a stand-in is refused: a rule over several fields)."""
    while True:
        try:
            checked_details(_details(check, occurred_on), check.context.today)
            return
        except InputError as error:
            name = error.field or ""
            if check.faulted(name):
                return
            check.fault(name, error.message)


_LONG_AGO = date(2000, 1, 1)


def _alone(fields: dict) -> EventDetails:
    """An event every rule accepts, with this one patient: to check a patient by the same rules."""
    return EventDetails(
        record_type="incident",
        occurred_on=_LONG_AGO,
        description="-",
        theme="other",
        patients=[fields],
    )


def _patient_faults(check: _Row, number: int, fields: dict) -> None:
    """A patient's faults, by the same rules, each named `patient_N_field`."""
    fields = dict(fields)
    while True:
        try:
            checked_details(_alone(fields), _LONG_AGO)
            return
        except InputError as error:
            name = error.field or "physical_harm"
            check.fault(f"patient_{number}_{name}", error.message)
            if fields.pop(name, None) is None:
                return


@lru_cache(maxsize=4096)
def _patient_values(items: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str | None], ...]:
    """A patient's values but the NHS number, checked by the recording rules. A file repeats a few
    hundred combinations of harm, age, gender and ethnicity, so each is checked once."""
    checked = checked_details(_alone(dict(items)), _LONG_AGO).patients
    if not checked:  # only an NHS number: a patient still, as the form has it
        return tuple(dict.fromkeys(PATIENT_FIELDS).items())
    return tuple((name, getattr(checked[0], name)) for name in PATIENT_FIELDS)


def _patient_rows(patients: list[tuple[int, dict]]) -> list[dict]:
    """The patients' rows, numbered from 1; InputError at the first fault."""
    rows = []
    for _, fields in patients:
        values = dict(_patient_values(tuple(sorted(
            (name, value) for name, value in fields.items() if name != "nhs_number"
        ))))  # fmt: skip
        values["nhs_number"] = normalise_nhs_number(fields.get("nhs_number"))
        rows.append({"sequence": len(rows) + 1, **values})
    return rows


def check_row(position: int, row: dict, context: Context) -> tuple[CheckedRow | None, list[Fault]]:
    """The row ready to insert, or its faults (row, column, message), every one of them."""
    check = _Row(position, row, context)
    if UNREADABLE in row:  # a source could not read the row at all: its reason is the one fault
        return None, [Fault(position, "", row[UNREADABLE])]
    if "" in row:
        check.fault("", "This row has more cells than the header has columns")
    for name, value in row.items():
        if isinstance(value, str) and NUL in value:
            check.fault(name, "Remove the NUL character from this cell: text cannot hold one")
    reference = _reference(check)
    organisation = _organisation(check)
    occurred_on = _occurred_on(check)
    created_at = _reported_at(check, occurred_on)
    kind, protected = _reporter(check)
    patients = _patients(row)
    try:
        patient_rows = _patient_rows(patients)
        columns = _event_columns(check, occurred_on)
    except InputError as error:
        first, columns = error, None
    if columns is None or check.faults:
        # The slow path, for a row with a fault only: each patient alone, then the rest.
        for number, fields in patients:
            _patient_faults(check, number, fields)
        _details_faults(check, occurred_on)
        if not check.faults:  # a rule over several fields this module does not know of
            check.fault(first.field or "", first.message)
        return None, check.faults
    if columns["service_area"] is None:
        columns["service_area"] = organisation.service_area
    columns.update(
        physical_harm=lfpse.worst_harm([p["physical_harm"] for p in patient_rows]),
        psychological_harm=lfpse.worst_harm([p["psychological_harm"] for p in patient_rows]),
        never_event=columns["never_event_type"] is not None,
        reporter_kind=kind,
        identity_protected=protected,
        created_at=created_at,
        updated_at=created_at,
    )
    return CheckedRow(position, organisation.id, reference, columns, patient_rows), []
