"""The pharmacy near-miss log: logging one, the log a page at a time, the summaries by month and by
medicine (in SQL), and promoting one to a safety event.

Who keeps and reads a log, and who promotes, is `psirf.policy`'s (near_miss_scope,
may_promote_near_miss); these functions ask it. A near miss is never queued for LFPSE: only the
event a promotion records is, by the events' own service, under the events' rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from psirf import audit, policy
from psirf.db import ChangedBySomeoneElse, flush
from psirf.events import services as events
from psirf.events.lfpse import (
    Agent,
    HealthcareProcess,
    Location,
    PhysicalHarm,
    PsychologicalHarm,
    RecordType,
    ReporterKind,
    ServiceArea,
    Theme,
)
from psirf.nearmiss.models import (
    MEDICINE_MAX,
    NOTE_MAX,
    Cause,
    ErrorType,
    NearMiss,
    Stage,
    medicine_key,
)
from psirf.organisations.models import Organisation
from psirf.organisations import services as organisation_services
from psirf.problems import InputError
from psirf.timeutil import add_months, utcnow
from psirf.web.pagination import Page, keyset_page

DMD_CODE = re.compile(r"\d{6,18}")
# How many months the summary by month shows, this one included.
MONTHS_SHOWN = 12
# How many medicines a month's summary lists (the most frequent first).
MEDICINES_SHOWN = 20


# ---- logging one ----------------------------------------------------------------------------------


@dataclass
class NearMissDetails:
    """What the bench form (or the API) sends."""

    organisation_id: int | None
    error_type: str | None
    stage: str | None
    medicine: str | None
    cause: str | None
    occurred_on: date | None = None
    dmd_code: str | None = None
    note: str | None = None


def loggable_pharmacies(session: Session, user) -> list[Organisation]:
    """The pharmacies where `user` logs near misses, by name."""
    ids = policy.near_miss_pharmacies(user)
    return organisation_services.by_ids(session, ids)


def _choice(enum, value, field: str, message: str) -> str:
    try:
        return enum(value).value
    except ValueError:
        raise InputError(field, message) from None


def _checked(session: Session, user, details: NearMissDetails, today: date) -> dict:
    organisation = (
        session.get(Organisation, details.organisation_id) if details.organisation_id else None
    )
    if organisation is None or not policy.may_log_near_misses(user, organisation):
        raise InputError("organisation_id", "Choose a pharmacy where you work")
    medicine = " ".join((details.medicine or "").split())
    if not medicine:
        raise InputError("medicine", "Enter the medicine involved")
    if len(medicine) > MEDICINE_MAX:
        raise InputError("medicine", f"Use {MEDICINE_MAX} characters or fewer")
    dmd_code = (details.dmd_code or "").strip() or None
    if dmd_code is not None and not DMD_CODE.fullmatch(dmd_code):
        raise InputError("dmd_code", "Enter the dm+d code as 6 to 18 digits, or leave it blank")
    note = (details.note or "").strip() or None
    if note is not None and len(note) > NOTE_MAX:
        raise InputError("note", f"Use {NOTE_MAX} characters or fewer")
    occurred_on = details.occurred_on or today
    if occurred_on > today:
        raise InputError("occurred_on", "The date must be today or in the past")
    return {
        "organisation_id": organisation.id,
        "error_type": _choice(
            ErrorType, details.error_type, "error_type", "Select what was nearly given wrongly"
        ),
        "stage": _choice(Stage, details.stage, "stage", "Select where it was caught"),
        "cause": _choice(Cause, details.cause, "cause", "Select the likely cause"),
        "medicine": medicine,
        "medicine_key": medicine_key(medicine),
        "dmd_code": dmd_code,
        "note": note,
        "occurred_on": occurred_on,
    }


def log_near_miss(
    session: Session, user, details: NearMissDetails, today: date | None = None
) -> NearMiss:
    """Log a near miss at one of the person's pharmacies, audited. Nothing is queued for LFPSE."""
    values = _checked(session, user, details, today or utcnow().date())
    near_miss = NearMiss(**values, recorded_by_id=user.id, created_at=utcnow())
    session.add(near_miss)
    session.flush()
    audit.record(
        session,
        actor_id=user.id,
        action="near_miss:create",
        subject=near_miss,
        organisation_id=near_miss.organisation_id,
        # The coded fields only: the medicine and the note stay in the log.
        changes={
            name: {"before": None, "after": getattr(near_miss, name)}
            for name in ("error_type", "stage", "cause")
        }
        | {"occurred_on": {"before": None, "after": near_miss.occurred_on.isoformat()}},
    )
    return near_miss


# ---- reading --------------------------------------------------------------------------------------


def get_visible(session: Session, user, near_miss_id: int) -> NearMiss:
    """The near miss, if `user` reads it (the policy's SQL scope); else NotVisible (404)."""
    near_miss = session.scalar(
        select(NearMiss).where(
            NearMiss.id == near_miss_id, policy.near_miss_scope(user, NearMiss.organisation_id)
        )
    )
    if near_miss is None:
        raise policy.NotVisible("Page not found")
    return near_miss


def listing(session: Session, user, cursor: str | None, size: int) -> Page:
    """The log of the person's pharmacies, newest first, a page at a time (keyset)."""
    stmt = select(NearMiss).where(policy.near_miss_scope(user, NearMiss.organisation_id))
    return keyset_page(session, stmt, NearMiss, cursor, size)


@dataclass(frozen=True)
class MonthCount:
    month: date  # its first day
    near_misses: int
    promoted: int

    @property
    def key(self) -> str:
        """The month as the summary's address names it: 2026-11."""
        return f"{self.month.year:04d}-{self.month.month:02d}"


@dataclass(frozen=True)
class Count:
    key: str
    label: str
    near_misses: int


@dataclass(frozen=True)
class Summary:
    month: date  # the month the medicines and error types are of
    months: list[MonthCount]  # the MONTHS_SHOWN months to `month`, oldest first, empty ones too
    medicines: list[Count]  # the month's, most frequent first
    error_types: list[Count]  # the month's, in the list's order, those that happened
    total: int  # the month's


def _month_of(when: date) -> date:
    return when.replace(day=1)


def summary(session: Session, user, month: date) -> Summary:
    """The person's pharmacies' near misses by month (the twelve months to `month`) and, for
    `month`, by medicine and by error type. Three GROUP BY queries, whatever the size of the log."""
    month = _month_of(month)
    first = add_months(month, -(MONTHS_SHOWN - 1))
    after = add_months(month, 1)
    scope = policy.near_miss_scope(user, NearMiss.organisation_id)
    year = func.extract("year", NearMiss.occurred_on)
    month_number = func.extract("month", NearMiss.occurred_on)
    by_month = {
        (int(y), int(m)): (int(n), int(p or 0))
        for y, m, n, p in session.execute(
            select(
                year,
                month_number,
                func.count(NearMiss.id),
                func.sum(case((NearMiss.event_id.is_not(None), 1), else_=0)),
            )
            .where(scope, NearMiss.occurred_on >= first, NearMiss.occurred_on < after)
            .group_by(year, month_number)
        )
    }
    months = []
    for n in range(MONTHS_SHOWN):
        start = add_months(first, n)
        total, promoted = by_month.get((start.year, start.month), (0, 0))
        months.append(MonthCount(start, total, promoted))
    in_month = (scope, NearMiss.occurred_on >= month, NearMiss.occurred_on < after)
    medicines = [
        Count(key, label, int(n))
        for key, label, n in session.execute(
            select(NearMiss.medicine_key, func.min(NearMiss.medicine), func.count(NearMiss.id))
            .where(*in_month)
            .group_by(NearMiss.medicine_key)
            .order_by(func.count(NearMiss.id).desc(), NearMiss.medicine_key)
            .limit(MEDICINES_SHOWN)
        )
    ]
    types = dict(
        session.execute(
            select(NearMiss.error_type, func.count(NearMiss.id))
            .where(*in_month)
            .group_by(NearMiss.error_type)
        ).all()
    )
    error_types = [
        Count(t.value, t.label, int(types[t.value])) for t in ErrorType if t.value in types
    ]
    return Summary(month, months, medicines, error_types, months[-1].near_misses)


# ---- promoting one to a safety event ----------------------------------------------------------------


# Where it was caught, as the event's sentences say it: "Caught at the accuracy check".
CAUGHT = {
    Stage.ACCURACY_CHECK.value: "at the accuracy check",
    Stage.CLINICAL_CHECK.value: "at the clinical check",
    Stage.HAND_OUT.value: "at hand-out",
    Stage.BY_PATIENT.value: "by the patient or carer",
}


def _caught(near_miss: NearMiss) -> str:
    return CAUGHT.get(near_miss.stage, near_miss.stage_label.lower())


def event_description(near_miss: NearMiss) -> str:
    """What happened, in the event's words, from the near miss's fields."""
    what = near_miss.error_type_label.lower()
    text = (
        f"Near miss in dispensing: {what}, {near_miss.medicine}"
        + (f" (dm+d {near_miss.dmd_code})" if near_miss.dmd_code else "")
        + f". Caught {_caught(near_miss)}. "
        + f"Likely cause: {near_miss.cause_label.lower()}."
    )
    if near_miss.note:
        text += f" Note: {near_miss.note}"
    return text


def promote(
    session: Session,
    user,
    near_miss: NearMiss,
    expected_version: int | None,
    today: date | None = None,
):
    """Record a safety event from the near miss (its fields carried over), through the events'
    own service (audited, counted, queued for LFPSE as every event is), and link the two, once.

    A second promotion, or one from a page that showed an older version, is ChangedBySomeoneElse;
    two at once: the row's version is checked as it is written, so one wins and the other's event
    is rolled back with it.
    """
    policy.require_may_promote_near_miss(user, near_miss)
    if near_miss.event_id is not None or (
        expected_version is not None and expected_version != near_miss.version_id
    ):
        raise ChangedBySomeoneElse()
    event = events.record_event(
        session,
        organisation=near_miss.organisation,
        record_type=RecordType.INCIDENT.value,
        occurred_on=near_miss.occurred_on,
        description=event_description(near_miss),
        theme=Theme.MEDICATION.value,
        reporter_kind=ReporterKind.STAFF.value,
        reporter_user=user,
        service_area=ServiceArea.COMMUNITY_PHARMACY.value,
        location=Location.PHARMACY.value,
        immediate_actions=f"Caught {_caught(near_miss)}, before the medicine was taken.",
        agents=[Agent.MEDICATION.value],
        processes=[HealthcareProcess.DISPENSING.value],
        # A near miss harmed nobody; no patient identifier is asked for or carried.
        patients=[
            {
                "physical_harm": PhysicalHarm.NONE.value,
                "psychological_harm": PsychologicalHarm.NONE.value,
            }
        ],
        today=today or utcnow().date(),
    )
    flush(session)
    near_miss.event_id = event.id
    near_miss.promoted_at = utcnow()
    near_miss.promoted_by_id = user.id
    flush(session)  # the version is checked here: a promotion that lost the race stops
    audit.record(
        session,
        actor_id=user.id,
        action="near_miss:promote",
        subject=near_miss,
        organisation_id=near_miss.organisation_id,
        changes={"event_id": {"before": None, "after": event.id}},
    )
    return event
