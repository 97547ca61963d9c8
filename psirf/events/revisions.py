"""Correcting an event after it is sent, as LFPSE records are revised: each save is a numbered
revision of the same reference, with who, when, why and each field's before and after.

The event row always holds the latest values (so the monthly counts, the dashboards, the plans and
triage follow a correction with no join); `event_revisions` keeps the changes, append-only.
Revision 1 is the event as reported, so what the reporter first sent is each changed field's value
before its first correction (`first_sent`), and the event's own row for the rest.

Plain functions over a session; the caller wraps them in `unit_of_work()`.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from psirf import policy
from psirf.audit import diff
from psirf.db import check_version, record_change
from psirf.events import lfpse
from psirf.events.models import EventPatient, EventRevision, SafetyEvent
from psirf.lfpse import exports as lfpse_exports
from psirf.events.services import (
    DETAIL_COLUMNS,
    CheckedDetails,
    EventDetails,
    PatientDetails,
    apply_details,
    checked_details,
)
from psirf.problems import InputError
from psirf.timeutil import utcnow

REASON_MAX = 5_000
PATIENT_FIELDS = ("physical_harm", "psychological_harm", "age_band", "gender", "ethnicity")
# The worst harm is derived from the patients, but a reader wants to see it move too.
HARM_COLUMNS = ("physical_harm", "psychological_harm")
# Kept in the revision (read under the event's own rules), never in the audit trail: free text and
# NHS numbers stay out of it, as when the event was recorded.
NOT_AUDITED = ("description", "immediate_actions", "patients")


# ---- the event as stored, field by field -------------------------------------------------------


def _plain(value):
    return value.isoformat() if isinstance(value, date) else value


def _patient_record(patient: EventPatient) -> dict:
    return {name: getattr(patient, name) for name in (*PATIENT_FIELDS, "nhs_number")}


def stored(event: SafetyEvent) -> dict:
    """What a correction can change, as it is now, in the form a revision keeps it."""
    values = {name: _plain(getattr(event, name)) for name in (*DETAIL_COLUMNS, *HARM_COLUMNS)}
    values["patients"] = [_patient_record(p) for p in event.patients]
    return values


def _proposed(checked: CheckedDetails) -> dict:
    values = {name: _plain(value) for name, value in checked.columns.items()}
    values["physical_harm"] = lfpse.worst_harm([p.physical_harm for p in checked.patients])
    values["psychological_harm"] = lfpse.worst_harm(
        [p.psychological_harm for p in checked.patients]
    )
    values["patients"] = [_patient_record(p) for p in checked.patients]
    return values


def patients_of(event: SafetyEvent) -> list[PatientDetails]:
    """The event's patients as the correction form shows them. An event recorded with a harm but no
    patient (before harm was kept per patient) shows one patient with that harm, so correcting
    something else does not silently drop it."""
    if not event.patients and (event.physical_harm or event.psychological_harm):
        return [PatientDetails(event.physical_harm, event.psychological_harm)]
    return [PatientDetails(**_patient_record(p)) for p in event.patients]


def details_of(event: SafetyEvent) -> EventDetails:
    """The event's details as they now stand: what the correction form starts from."""
    columns = {name: getattr(event, name) for name in DETAIL_COLUMNS}
    return EventDetails(**columns, patients=patients_of(event))


# ---- the use case ---------------------------------------------------------------------------------


def _reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InputError("reason", "Say why you are correcting the event")
    if len(reason) > REASON_MAX:
        raise InputError("reason", f"Enter no more than {REASON_MAX:,} characters")
    return reason


def _audited(changes: dict, number: int) -> dict:
    """The revision's changes for the audit trail: coded values as they are, and free text and
    patients' details by the revision that holds them."""
    audited = {"revision": {"before": number - 1, "after": number}}
    for name, change in changes.items():
        if name in NOT_AUDITED:
            change = {"before": f"as in revision {number - 1}", "after": f"as in revision {number}"}
        audited[name] = change
    return audited


def revise_event(
    session: Session,
    event: SafetyEvent,
    actor,
    details: EventDetails,
    reason: str | None,
    expected_version: int | None,
    today: date | None = None,
) -> EventRevision:
    """Save a correction as the event's next revision, audited with it.

    Refuses (policy) anyone but the organisation's patient safety lead, or the reporter before
    triage; a page that showed an older version (ChangedBySomeoneElse); and, with InputError, what
    the staff form would refuse, a correction without a reason, or one that changes nothing.
    Everything is checked before the event is touched.
    """
    policy.require_can_correct(actor, event)
    check_version(event, expected_version)
    checked = checked_details(details, today or date.today())
    reason = _reason(reason)
    changes = diff(stored(event), _proposed(checked))
    if not changes:
        raise InputError("reason", "Nothing has changed: correct what was wrong, then save")

    apply_details(event, checked)
    number = event.revision + 1
    event.revision = number
    revision = EventRevision(
        event_id=event.id,
        number=number,
        actor_id=actor.id,
        created_at=utcnow(),
        reason=reason,
        changes=changes,
    )
    session.add(revision)
    # The correction goes to LFPSE as the next revision of the same reference.
    lfpse_exports.enqueue(session, event, revision.created_at)
    record_change(
        session,
        event,
        actor_id=actor.id,
        action="event:revise",
        changes=_audited(changes, number),
        comment=reason,
    )
    return revision


# ---- reading ---------------------------------------------------------------------------------------


def revisions_of(session: Session, event: SafetyEvent) -> list[EventRevision]:
    """The corrections of `event`, oldest first (revision 2 onwards)."""
    return list(
        session.scalars(
            select(EventRevision)
            .where(EventRevision.event_id == event.id)
            .order_by(EventRevision.number)
        )
    )


def first_sent(event: SafetyEvent, revisions: list[EventRevision]) -> dict:
    """The fields corrected since the event was reported, each as the reporter first sent it."""
    original: dict = {}
    for revision in revisions:
        for name, change in revision.changes.items():
            original.setdefault(name, change["before"])
    return original


def revised_since_triage(event: SafetyEvent, revisions: list[EventRevision]) -> bool:
    return bool(
        revisions and event.triaged_at is not None and revisions[-1].created_at >= event.triaged_at
    )
