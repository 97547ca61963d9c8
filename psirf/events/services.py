"""Recording a safety event: the one path by which staff and public reports become records.

Plain functions over a session; the caller wraps them in `unit_of_work()`. Nothing here
commits, and everything is checked before anything is added, so a refusal writes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date

import nhs_number as nhs_number_package
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from psirf import audit, policy
from psirf.accounts.models import User
from psirf.events import feedback, lfpse
from psirf.events.lfpse import (
    AgeBand,
    Agent,
    Ethnicity,
    Gender,
    HealthcareProcess,
    Location,
    PhysicalHarm,
    PsychologicalHarm,
    RecordType,
    RepeatPresentation,
    ReporterKind,
    ServiceArea,
    Theme,
)
from psirf.events.models import EventPatient, SafetyEvent
from psirf.lfpse import exports as lfpse_exports
from psirf.organisations.models import Organisation, OrganisationKind
from psirf.timeutil import utcnow
from psirf.triage import national, never_events
from psirf.web.pagination import Page, keyset_page
from psirf.problems import InputError

DESCRIPTION_MAX = 20_000
NAME_MAX = 200
CONTACT_MAX = 254

# Where a public report does not say, the service's kind gives LFPSE's service area.
SERVICE_AREA_BY_KIND = {
    OrganisationKind.PRACTICE: ServiceArea.GENERAL_PRACTICE,
    OrganisationKind.PHARMACY: ServiceArea.COMMUNITY_PHARMACY,
    OrganisationKind.DENTAL: ServiceArea.COMMUNITY_DENTISTRY,
    OrganisationKind.OPTOMETRY: ServiceArea.COMMUNITY_OPTOMETRY,
}


@dataclass
class PatientDetails:
    """One affected patient as a form gives it; every part is optional."""

    physical_harm: str | None = None
    psychological_harm: str | None = None
    age_band: str | None = None
    gender: str | None = None
    ethnicity: str | None = None
    nhs_number: str | None = None

    def is_empty(self) -> bool:
        return not any(getattr(self, f.name) for f in fields(self))


def nhs_number_spaced(value: str | None) -> str:
    """An NHS number as people write it: 943 476 5919."""
    return f"{value[:3]} {value[3:6]} {value[6:]}" if value else ""


# ---- checks -------------------------------------------------------------------------------


def normalise_nhs_number(value: str | None) -> str | None:
    """10 digits without spaces, or None when nothing was given; InputError when not valid."""
    if value is None or not value.strip():
        return None
    digits = re.sub(r"[\s-]", "", value)
    if not (digits.isdigit() and len(digits) == 10 and nhs_number_package.is_valid(digits)):
        raise InputError("nhs_number", "Enter a valid NHS number, like 485 777 3456")
    return digits


def _one_of(enum, value, field: str, message: str, required: bool = False) -> str | None:
    if value in (None, ""):
        if required:
            raise InputError(field, message)
        return None
    try:
        return enum(value).value
    except ValueError:
        raise InputError(field, message) from None


def _many_of(enum, values: Iterable[str] | None, field: str, message: str) -> list[str]:
    """The values chosen, in the list's own order: the same choices always read the same, so a
    correction that ticks them in another order changes nothing."""
    chosen = {_one_of(enum, value, field, message) for value in values or ()}
    if not chosen:
        return []  # most events choose none: a bulk import checks a million of them
    return [member.value for member in enum if member.value in chosen]


def _text(
    value: str | None, field: str, message: str, maximum: int, required: bool = False
) -> str | None:
    value = (value or "").strip()
    if not value:
        if required:
            raise InputError(field, message)
        return None
    if len(value) > maximum:
        raise InputError(field, f"Enter no more than {maximum:,} characters")
    return value


def _patient(details: PatientDetails | Mapping, sequence: int) -> EventPatient | None:
    if isinstance(details, Mapping):
        details = PatientDetails(**details)
    if details.is_empty():
        return None
    return EventPatient(
        sequence=sequence,
        physical_harm=_one_of(
            PhysicalHarm, details.physical_harm, "physical_harm", "Select a level of physical harm"
        ),
        psychological_harm=_one_of(
            PsychologicalHarm,
            details.psychological_harm,
            "psychological_harm",
            "Select a level of psychological harm",
        ),
        age_band=_one_of(AgeBand, details.age_band, "age_band", "Select an age group"),
        gender=_one_of(Gender, details.gender, "gender", "Select a gender"),
        ethnicity=_one_of(Ethnicity, details.ethnicity, "ethnicity", "Select an ethnic group"),
        nhs_number=normalise_nhs_number(details.nhs_number),
    )


def reportable_organisations(user: User) -> list[Organisation]:
    """The services where `user` may report an event, by name."""
    seen: dict[int, Organisation] = {}
    for assignment in getattr(user, "roles", ()):
        organisation = assignment.organisation
        if organisation.id not in seen and policy.can_report_for(user, organisation):
            seen[organisation.id] = organisation
    return sorted(seen.values(), key=lambda o: o.name)


def national_flag_choices() -> list[tuple[str, str]]:
    """The national requirement categories a reporter may flag (seed/national_requirements.yaml)."""
    return national.flag_choices()


def _national_flags(values: Iterable[str] | None) -> list[str]:
    if not values:
        return []
    known = {key for key, _ in national_flag_choices()}
    chosen = []
    for value in values or ():
        if value not in known:
            raise InputError("national_flags", "Select the national requirements from the list")
        if value not in chosen:
            chosen.append(value)
    return chosen


def default_service_area(organisation: Organisation) -> str | None:
    area = SERVICE_AREA_BY_KIND.get(organisation.kind_enum)
    return area.value if area else None


# ---- what a reporter tells: checked the same way when it is first sent and when it is corrected --


@dataclass
class EventDetails:
    """What an event's record says, as a form gives it: the staff form, the public report and the
    correction form all send these, and `checked_details` checks them the same way."""

    record_type: str | None
    occurred_on: date | None
    description: str | None
    theme: str | None
    service_area: str | None = None
    location: str | None = None
    immediate_actions: str | None = None
    agents: Iterable[str] = ()
    processes: Iterable[str] = ()
    patients: Iterable[PatientDetails | Mapping] = ()
    never_event_type: str | None = None
    national_flags: Iterable[str] = ()
    repeat_presentation: str | None = None


# The event's own columns that `EventDetails` sets (its patients are rows of their own).
DETAIL_COLUMNS = (
    "record_type",
    "occurred_on",
    "service_area",
    "location",
    "description",
    "immediate_actions",
    "theme",
    "agents",
    "processes",
    "never_event_type",
    "national_flags",
    "repeat_presentation",
)


REPEAT_PRESENTATION_QUESTION = (
    "Did the patient have 3 or more consultations for the same symptoms that were not resolved "
    "or were getting worse?"
)
REPEAT_PRESENTATION_REQUIRED = (
    "Select whether the patient had 3 or more consultations for the same symptoms"
)
# The records the question is asked of, when about diagnosis: those of something that happened to
# a patient. Not a risk (nothing has happened yet) nor good care.
REPEAT_PRESENTATION_RECORD_TYPES = (RecordType.INCIDENT.value, RecordType.OUTCOME.value)


def asks_repeat_presentation(record_type: str | None, theme: str | None) -> bool:
    """Whether the repeat presentation question applies: an incident or a poor outcome that was
    mostly about diagnosis."""
    return theme == Theme.DIAGNOSIS.value and record_type in REPEAT_PRESENTATION_RECORD_TYPES


def _repeat_presentation(value: str | None, record_type: str, theme: str) -> str | None:
    """The answer to the repeat presentation question, kept only where the question applies
    (`asks_repeat_presentation`): elsewhere it is not asked, and an answer sent with it (a form
    whose theme was changed after answering, say) is dropped rather than refused. Optional here:
    the staff form requires it where it applies; the public report, the API and an import may
    leave it out."""
    answer = _one_of(
        RepeatPresentation,
        value,
        "repeat_presentation",
        REPEAT_PRESENTATION_REQUIRED,
    )
    return answer if asks_repeat_presentation(record_type, theme) else None


@dataclass
class CheckedDetails:
    columns: dict  # DETAIL_COLUMNS, normalised
    patients: list[EventPatient]  # numbered from 1, the empty ones left out


def checked_details(details: EventDetails, today: date) -> CheckedDetails:
    """The details normalised, or InputError naming the first field to fix. Nothing is written."""
    record_type = _one_of(
        RecordType,
        details.record_type,
        "record_type",
        "Select what kind of event this is",
        required=True,
    )
    theme = _one_of(
        Theme, details.theme, "theme", "Select what the event was mostly about", required=True
    )
    if not isinstance(details.occurred_on, date):
        raise InputError("occurred_on", "Enter the date it happened")
    if details.occurred_on > today:
        raise InputError("occurred_on", "The date must be today or in the past")
    columns = {
        "record_type": record_type,
        "occurred_on": details.occurred_on,
        "service_area": _one_of(
            ServiceArea, details.service_area, "service_area", "Select a service area"
        ),
        "location": _one_of(Location, details.location, "location", "Select a location"),
        "description": _text(
            details.description,
            "description",
            "Describe what happened",
            DESCRIPTION_MAX,
            required=True,
        ),
        "immediate_actions": _text(
            details.immediate_actions, "immediate_actions", "", DESCRIPTION_MAX
        ),
        "theme": theme,
        "agents": _many_of(
            Agent, details.agents, "agents", "Select what was involved from the list"
        ),
        "processes": _many_of(
            HealthcareProcess,
            details.processes,
            "processes",
            "Select the healthcare process from the list",
        ),
        "never_event_type": never_events.check(details.never_event_type, details.occurred_on),
        "national_flags": _national_flags(details.national_flags),
        "repeat_presentation": _repeat_presentation(
            details.repeat_presentation, record_type, theme
        ),
    }
    rows: list[EventPatient] = []
    for patient in details.patients or ():
        row = _patient(patient, len(rows) + 1)
        if row is not None:
            rows.append(row)
    return CheckedDetails(columns, rows)


def apply_details(event: SafetyEvent, checked: CheckedDetails) -> None:
    """Set the event's details and its patients, the worst harm derived from them."""
    # A Never Event recorded before its type was asked stays one: the form cannot say "a Never
    # Event, type not known", so correcting something else must not unflag it unseen.
    untyped_never_event = bool(event.never_event) and event.never_event_type is None
    for name, value in checked.columns.items():
        setattr(event, name, value)
    event.never_event = untyped_never_event or checked.columns["never_event_type"] is not None
    set_patients(event, checked.patients)


def set_patients(event: SafetyEvent, patients: list[EventPatient]) -> None:
    """The one place an event's harm is set: LFPSE records harm per patient, and the event carries
    the worst physical and the worst psychological harm across them (as NHS England's analysis
    does), which triage, candour, the counts and the dashboards read. With no patient, no harm."""
    event.patients = patients
    event.physical_harm = lfpse.worst_harm([p.physical_harm for p in patients])
    event.psychological_harm = lfpse.worst_harm([p.psychological_harm for p in patients])


# ---- the use case -------------------------------------------------------------------------


def _next_event_id(session: Session) -> int | None:
    """PostgreSQL: the id the event will have, from its sequence, so its reference goes in with
    the row: an UPDATE after the INSERT would write the row and each of its indexes twice. SQLite
    has no sequence to draw from (None): there the INSERT gives the id and an UPDATE the reference."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    return session.scalar(_NEXT_EVENT_ID)


_NEXT_EVENT_ID = select(func.nextval(func.pg_get_serial_sequence("safety_events", "id")))


def record_event(
    session: Session,
    *,
    organisation: Organisation,
    record_type: str,
    occurred_on: date,
    description: str,
    theme: str,
    reporter_kind: str,
    service_area: str | None = None,
    location: str | None = None,
    immediate_actions: str | None = None,
    agents: Iterable[str] = (),
    processes: Iterable[str] = (),
    patients: Iterable[PatientDetails | Mapping] = (),
    reporter_user: User | None = None,
    identity_protected: bool = False,
    reporter_name: str | None = None,
    reporter_contact: str | None = None,
    never_event_type: str | None = None,
    national_flags: Iterable[str] = (),
    repeat_presentation: str | None = None,
    today: date | None = None,
) -> SafetyEvent:
    """Records a safety event with its patients, gives it a reference and audits it.

    Raises InputError (a ValueError, with `.field`) for input the form could not catch, and
    policy.NotPermitted when a member of staff reports for a service where they hold no role.
    Everything is checked before the first row is added.
    """
    if organisation is None or not organisation.kind_enum.is_service:
        raise InputError("organisation_id", "Choose the service where it happened")
    kind = _one_of(
        ReporterKind, reporter_kind, "reporter_kind", "Select who is reporting", required=True
    )
    if kind == ReporterKind.STAFF.value:
        if reporter_user is None:
            raise InputError(
                "reporter_kind", "A report from staff needs the member of staff who made it"
            )
        if not policy.can_report_for(reporter_user, organisation):
            raise policy.NotPermitted(
                "You can only report events at a service where you hold a role."
            )
    if identity_protected and reporter_user is None:
        identity_protected = False  # nothing to protect: an anonymous report names nobody

    checked = checked_details(
        EventDetails(
            record_type=record_type,
            occurred_on=occurred_on,
            description=description,
            theme=theme,
            service_area=service_area,
            location=location,
            immediate_actions=immediate_actions,
            agents=agents,
            processes=processes,
            patients=patients,
            never_event_type=never_event_type,
            national_flags=national_flags,
            repeat_presentation=repeat_presentation,
        ),
        today or date.today(),
    )
    reporter_name = _text(reporter_name, "reporter_name", "", NAME_MAX)
    reporter_contact = _text(reporter_contact, "reporter_contact", "", CONTACT_MAX)

    event = SafetyEvent(
        organisation=organisation,
        reporter_kind=kind,
        reporter_user_id=reporter_user.id if reporter_user is not None else None,
        identity_protected=bool(identity_protected),
        reporter_name=reporter_name,
        reporter_contact=reporter_contact,
        revision=1,  # as reported; set here, since the export below reads it before the flush
        created_at=utcnow(),
    )
    apply_details(event, checked)
    event.id = _next_event_id(session)
    session.add(event)
    if event.id is None:
        session.flush()  # the id makes the reference
    event.reference = f"PSE-{event.created_at.year}-{event.id:06d}"
    # LFPSE hears of it in the same transaction: a saved event is always queued for export.
    lfpse_exports.enqueue(session, event, event.created_at)
    audit.record(
        session,
        actor_id=reporter_user.id if reporter_user is not None else None,
        action="event:create",
        subject=event,
        organisation_id=organisation.id,
        # No free text and no NHS number: the trail says what kind of record was made.
        changes={
            name: {"before": None, "after": getattr(event, name)}
            for name in (
                "reference",
                "record_type",
                "theme",
                "status",
                "physical_harm",
                "psychological_harm",
                "reporter_kind",
            )
        }
        | {
            name: {"before": None, "after": getattr(event, name)}
            for name in ("never_event_type", "national_flags", "repeat_presentation")
            if getattr(event, name)
        }
        | {"patients": {"before": None, "after": len(event.patients)}},
    )
    # The reporter hears back in the same transaction: a report that is saved is acknowledged.
    feedback.acknowledge(session, event)
    return event


# ---- reading ------------------------------------------------------------------------------


def get(session: Session, event_id: int) -> SafetyEvent | None:
    return session.get(SafetyEvent, event_id)


def reporter_name_of(session: Session, event: SafetyEvent) -> str | None:
    """The name of the staff member who reported `event` (None for a public report): the page
    shows only the name, so the account and its roles are not loaded."""
    if event.reporter_user_id is None:
        return None
    return session.scalar(select(User.name).where(User.id == event.reporter_user_id))


def reported_by(session: Session, user: User, cursor: str | None, size: int) -> Page:
    """The events `user` reported, newest first, a page at a time (identity protected or not)."""
    stmt = (
        select(SafetyEvent)
        .where(SafetyEvent.reporter_user_id == user.id)
        .options(selectinload(SafetyEvent.updates))  # the inbox shows each report's news
    )
    return keyset_page(session, stmt, SafetyEvent, cursor, size)
