"""A safety action's history, from the audit trail, as people read it: names and labels, not ids."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from psirf import audit, timeline
from psirf.actions.models import Effect, MeasureKind, SafetyAction, Strength
from psirf.organisations.models import Organisation
from psirf.timeline import TimelineEntry, Vocabulary
from psirf.workflow import runner

LABELS = {
    "action:create": "Safety action drafted",
    "action:details": "Details changed",
    "action:evidence": "Evidence of completion recorded",
    "action:effect": "Whether it worked recorded",
}
FIELD_LABELS = {
    "description": "What will change",
    "finding_id": "Area for improvement",
    "owner": "Owner",
    "owner_user_id": "Owner's account",
    "owner_organisation_id": "Owner's organisation",
    "due_on": "Due date",
    "measure_kind": "Kind of measure",
    "measure": "Measure",
    "strength": "Strength",
    "review_on": "Review date",
    "evidence": "Evidence of completion",
    "effect": "Whether it worked",
    "effect_notes": "What the measure showed",
}


def _date(value) -> str:
    try:
        d = date.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return f"{d.day} {d:%B %Y}"


def _effect(value) -> str:
    # Older records hold the label itself, not the code.
    return Effect.label_for(value) if value in {e.value for e in Effect} else str(value)


def history(session: Session, action: SafetyAction) -> list[TimelineEntry]:
    """Oldest first. Three queries however long: the trail, the people and organisations it names."""
    records = audit.trail(session, [("safety_actions", action.id)])
    org_ids = timeline.values_of(records, {"owner_organisation_id"})
    orgs = (
        dict(
            session.execute(
                select(Organisation.id, Organisation.name).where(Organisation.id.in_(org_ids))
            ).all()
        )
        if org_ids
        else {}
    )
    findings = (
        {f.id: f.text for f in action.response.findings} if action.response is not None else {}
    )
    words = Vocabulary(
        actions=LABELS,
        fields=FIELD_LABELS,
        values={
            "owner_organisation_id": lambda v: orgs.get(v, "An organisation"),
            "finding_id": lambda v: findings.get(v, "An area for improvement"),
            "due_on": _date,
            "review_on": _date,
            "measure_kind": MeasureKind.label_for,
            "strength": Strength.label_for,
            "effect": _effect,
        },
        people={"owner_user_id"},
    )
    vocabulary = timeline.workflow_vocabulary(runner.definition_of(action)).merged(words)
    return timeline.build(session, records, vocabulary)
