"""The demo's shared learning: two closed reviews and a good care record in the library, and a North
PCN safety improvement plan gathering actions from two reviews (seed/learning.yaml). Loaded once.

Rows are written as the services would have left them; summaries still pass through the identifier
stripping, as every published summary does.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from psirf.accounts.models import Role, RoleAssignment
from psirf.actions.models import SafetyAction
from psirf.demo.history import audit_entry
from psirf.demo.organisations import read_seed
from psirf.events.lfpse import RecordType
from psirf.events.models import SafetyEvent
from psirf.improvement.models import ImprovementPlan, ItemKind, MeasureReading, PlanItem
from psirf.learning.redact import redact
from psirf.library.models import EntryKind, LibraryEntry
from psirf.organisations.models import Organisation
from psirf.responses.models import LearningResponse
from psirf.timeutil import utcnow
from psirf.triage.recommend import load_local_focus


def load_learning(session: Session) -> bool:
    """Publish the demo library entries and start the improvement plan, unless already there."""
    if session.scalar(select(exists().where(LibraryEntry.id.is_not(None)))):
        return False
    spec = read_seed("learning.yaml")
    by_code = {o.ods_code: o for o in session.scalars(select(Organisation))}
    entries = [_response_entry(session, item) for item in spec["library"]]
    good_care = _good_care_entry(session, by_code, spec["good_care"])
    entries.append(good_care)
    session.add_all(entries)
    session.flush()
    for entry in entries:
        session.add(
            audit_entry(entry, entry.published_at, entry.published_by_id, "library:publish", {})
        )
    for plan_spec in spec["improvement_plans"]:
        _plan(session, by_code, plan_spec, good_care)
    session.flush()
    return True


def _holder(session: Session, role: Role, organisation: Organisation) -> int:
    return session.scalar(
        select(RoleAssignment.user_id).where(
            RoleAssignment.role == role.value, RoleAssignment.organisation_id == organisation.id
        )
    )


def _audiences(organisation: Organisation, wanted: list[str]) -> dict:
    return {
        "audience_group_id": organisation.groups[0].id
        if "group" in wanted and organisation.groups
        else None,
        "audience_icb_id": organisation.icb_id if "icb" in wanted else None,
    }


def _response_entry(session: Session, item: dict) -> LibraryEntry:
    event = session.scalar(
        select(SafetyEvent).where(SafetyEvent.description.startswith(item["response_event"]))
    )
    response = session.get(LearningResponse, event.learning_response_id)
    organisation = response.organisation
    return LibraryEntry(
        kind=EntryKind.RESPONSE.value,
        response_id=response.id,
        organisation_id=organisation.id,
        title=redact(item["title"]).text,
        summary=redact(item["summary"]).text,
        theme=event.theme,
        method=response.method,
        service_kind=organisation.kind,
        learned_on=event.occurred_on,
        published_by_id=_holder(session, Role.PATIENT_SAFETY_LEAD, organisation),
        published_at=(response.closed_at or utcnow()) + timedelta(days=3),
        **_audiences(organisation, item["audiences"]),
    )


def _good_care_entry(session: Session, by_code: dict, item: dict) -> LibraryEntry:
    organisation = by_code[item["organisation"]]
    event = session.scalar(
        select(SafetyEvent)
        .where(
            SafetyEvent.organisation_id == organisation.id,
            SafetyEvent.record_type == RecordType.GOOD_CARE.value,
        )
        # The record the summary tells of, when the drawn events hold one; else the latest good care.
        .order_by(
            SafetyEvent.description.contains(item["event_contains"]).desc(),
            SafetyEvent.occurred_on.desc(),
            SafetyEvent.id,
        )
    )
    return LibraryEntry(
        kind=EntryKind.GOOD_CARE.value,
        event_id=event.id,
        organisation_id=organisation.id,
        title=redact(item["title"]).text,
        summary=redact(item["summary"]).text,
        theme=event.theme,
        method=None,
        service_kind=organisation.kind,
        learned_on=event.occurred_on,
        published_by_id=_holder(session, Role.PATIENT_SAFETY_LEAD, organisation),
        published_at=event.created_at + timedelta(days=2),
        **_audiences(organisation, item["audiences"]),
    )


def _plan(session: Session, by_code: dict, spec: dict, good_care: LibraryEntry) -> None:
    organisation = by_code[spec["organisation"]]
    author = _holder(session, Role.REVIEW_PANEL_MEMBER, organisation)
    today = utcnow().date()
    started = utcnow() - timedelta(days=31 * (1 + max(r["months_ago"] for r in spec["readings"])))
    plan = ImprovementPlan(
        organisation_id=organisation.id,
        title=spec["title"],
        aim=spec["aim"].strip(),
        measure=spec["measure"],
        created_by_id=author,
        created_at=started,
        updated_at=started,
    )
    plan.actions = [
        session.scalar(select(SafetyAction).where(SafetyAction.description.startswith(text)))
        for text in spec["actions"]
    ]
    priorities = {p.key: p for p in load_local_focus().priorities}
    plan.items = [
        PlanItem(
            kind=ItemKind.PRIORITY.value,
            source_key=key,
            text=priorities[key].label,
            created_at=started,
        )
        for key in spec["priorities"]
    ]
    if spec.get("good_care"):
        plan.items.append(
            PlanItem(
                kind=ItemKind.GOOD_CARE.value,
                source_key=str(good_care.id),
                text=good_care.title,
                library_entry_id=good_care.id,
                created_at=started,
            )
        )
    plan.readings = [
        MeasureReading(
            measured_on=today - timedelta(days=30 * r["months_ago"]),
            value=r["value"],
            note=r.get("note"),
            recorded_by_id=author,
        )
        for r in spec["readings"]
    ]
    session.add(plan)
    session.flush()
    session.add(audit_entry(plan, started, author, "improvement:create", {}))
