"""A safety action's history, from the audit trail, as people read it: names and labels, not ids."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from psirf import audit
from psirf.accounts.models import User
from psirf.actions.models import Effect, MeasureKind, SafetyAction, Strength
from psirf.organisations.models import Organisation
from psirf.responses.services import Change
from psirf.responses.services import TimelineEntry as Entry
from psirf.workflow import runner

LABELS = {
    "action:create": "Safety action drafted",
    "action:details": "Details changed",
    "action:evidence": "Evidence of completion recorded",
    "action:effect": "Whether it worked recorded",
}
NONE = "(none)"


def _date(value) -> str:
    try:
        d = date.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return f"{d.day} {d:%B %Y}"


def history(session: Session, action: SafetyAction) -> list[Entry]:
    """Oldest first. Three queries however long: the trail, the people and organisations it names."""
    definition = runner.definition_of(action)
    records = audit.trail(session, [("safety_actions", action.id)])
    org_ids, user_ids = set(), {r.actor_id for r in records if r.actor_id}
    for r in records:
        for field, change in (r.changes or {}).items():
            for value in (change.get("before"), change.get("after")):
                if value is not None and field == "Owner's organisation":
                    org_ids.add(value)
                elif value is not None and field == "Owner's account":
                    user_ids.add(value)
    names = (
        dict(session.execute(select(User.id, User.name).where(User.id.in_(user_ids))).all())
        if user_ids
        else {}
    )
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
    enums = {"Kind of measure": MeasureKind, "Strength": Strength}

    def shown(field: str, value) -> str:
        if value is None or value == "":
            return NONE
        if field == "state":
            return definition.states[value].label if value in definition.states else str(value)
        if field == "Owner's organisation":
            return orgs.get(value, "An organisation")
        if field == "Owner's account":
            return names.get(value, "An account")
        if field == "Area for improvement":
            return findings.get(value, "An area for improvement")
        if field in ("Due date", "Review date"):
            return _date(value)
        if field in enums:
            return enums[field].label_for(value)
        if field == "Whether it worked":
            return Effect.label_for(value) if value in {e.value for e in Effect} else str(value)
        return str(value)

    entries = []
    for r in records:
        if r.action.startswith("transition:"):
            t = definition.transition(r.action.split(":", 1)[1])
            label = t.label if t else r.action
        else:
            label = LABELS.get(r.action, r.action)
        changes = [
            Change(
                "State" if field == "state" else field,
                shown(field, c.get("before")),
                shown(field, c.get("after")),
            )
            for field, c in (r.changes or {}).items()
        ]
        entries.append(
            Entry(r.occurred_at, names.get(r.actor_id, "Unknown"), label, changes, r.comment)
        )
    return entries
