"""A plan's history, from the audit trail, as people read it: who did what, and the committee's comments."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from psirf import audit
from psirf.accounts.models import User
from psirf.plans.models import PsirfPlan
from psirf.responses.services import Change
from psirf.responses.services import TimelineEntry as Entry
from psirf.workflow import runner

LABELS = {
    "plan:generate": "Plan generated from the profile",
    "plan:decision": "Committee's decision recorded",
}
SECTIONS = {
    "introduction": "Introduction",
    "services": "Our services",
    "sources": "Other insight sources",
    "involved": "Who was involved",
    "local_focus": "Local focus",
    "capacity": "Capacity",
    "engagement": "Engagement commitments",
    "control": "Document control",
}


def _label(action: str, definition) -> str:
    if action.startswith("transition:"):
        t = definition.transition(action.split(":", 1)[1])
        return t.label if t else action
    if action.startswith("plan:edit:"):
        return f"{SECTIONS.get(action.rsplit(':', 1)[1], 'A section')} changed"
    return LABELS.get(action, action)


def history(session: Session, plan: PsirfPlan) -> list[Entry]:
    """Oldest first; two queries however long."""
    definition = runner.definition_of(plan)
    records = audit.trail(session, [("psirf_plans", plan.id)])
    ids = {r.actor_id for r in records if r.actor_id}
    names = (
        dict(session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())
        if ids
        else {}
    )

    def shown(field, value):
        if field == "state" and value in definition.states:
            return definition.states[value].label
        return "(none)" if value in (None, "") else str(value)

    return [
        Entry(
            r.occurred_at,
            names.get(r.actor_id, "Unknown") if r.actor_id else "The system",
            _label(r.action, definition),
            [
                Change(
                    "State" if f == "state" else f.replace("_", " ").capitalize(),
                    shown(f, c.get("before")),
                    shown(f, c.get("after")),
                )
                for f, c in (r.changes or {}).items()
            ],
            r.comment,
        )
        for r in records
    ]
