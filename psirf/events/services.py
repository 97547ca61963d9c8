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
from sqlalchemy import select
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
    ReporterKind,
    ServiceArea,
    Theme,
)
from psirf.events.models import EventPatient, SafetyEvent
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
    chosen = []
    for value in values or ():
        checked = _one_of(enum, value, field, message)
        if checked and checked not in chosen:
            chosen.append(checked)
    return chosen


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


# ---- the use case -------------------------------------------------------------------------


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

    record_type = _one_of(
        RecordType, record_type, "record_type", "Select what kind of event this is", required=True
    )
    theme = _one_of(Theme, theme, "theme", "Select what the event was mostly about", required=True)
    if not isinstance(occurred_on, date):
        raise InputError("occurred_on", "Enter the date it happened")
    if occurred_on > (today or date.today()):
        raise InputError("occurred_on", "The date must be today or in the past")
    description = _text(
        description, "description", "Describe what happened", DESCRIPTION_MAX, required=True
    )
    immediate_actions = _text(immediate_actions, "immediate_actions", "", DESCRIPTION_MAX)
    reporter_name = _text(reporter_name, "reporter_name", "", NAME_MAX)
    reporter_contact = _text(reporter_contact, "reporter_contact", "", CONTACT_MAX)
    service_area = _one_of(ServiceArea, service_area, "service_area", "Select a service area")
    location = _one_of(Location, location, "location", "Select a location")
    agents = _many_of(Agent, agents, "agents", "Select what was involved from the list")
    processes = _many_of(
        HealthcareProcess, processes, "processes", "Select the healthcare process from the list"
    )
    never_event_type = never_events.check(never_event_type, occurred_on)
    national_flags = _national_flags(national_flags)

    rows = []
    for details in patients or ():
        row = _patient(details, len(rows) + 1)
        if row is not None:
            rows.append(row)

    event = SafetyEvent(
        organisation=organisation,
        record_type=record_type,
        theme=theme,
        occurred_on=occurred_on,
        service_area=service_area,
        location=location,
        description=description,
        immediate_actions=immediate_actions,
        agents=agents,
        processes=processes,
        physical_harm=lfpse.worst_harm([p.physical_harm for p in rows]),
        psychological_harm=lfpse.worst_harm([p.psychological_harm for p in rows]),
        never_event=never_event_type is not None,
        never_event_type=never_event_type,
        national_flags=national_flags,
        reporter_kind=kind,
        reporter_user_id=reporter_user.id if reporter_user is not None else None,
        identity_protected=bool(identity_protected),
        reporter_name=reporter_name,
        reporter_contact=reporter_contact,
        created_at=utcnow(),
        patients=rows,
    )
    session.add(event)
    session.flush()  # the id makes the reference
    event.reference = f"PSE-{event.created_at.year}-{event.id:06d}"
    session.flush()
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
            for name in ("never_event_type", "national_flags")
            if getattr(event, name)
        }
        | {"patients": {"before": None, "after": len(rows)}},
    )
    # The reporter hears back in the same transaction: a report that is saved is acknowledged.
    feedback.acknowledge(session, event)
    return event


# ---- reading ------------------------------------------------------------------------------


def get(session: Session, event_id: int) -> SafetyEvent | None:
    return session.get(SafetyEvent, event_id)


def reporter_of(session: Session, event: SafetyEvent) -> User | None:
    return session.get(User, event.reporter_user_id) if event.reporter_user_id else None


def reported_by(session: Session, user: User, cursor: str | None, size: int) -> Page:
    """The events `user` reported, newest first, a page at a time (identity protected or not)."""
    stmt = (
        select(SafetyEvent)
        .where(SafetyEvent.reporter_user_id == user.id)
        .options(selectinload(SafetyEvent.updates))  # the inbox shows each report's news
    )
    return keyset_page(session, stmt, SafetyEvent, cursor, size)
