"""A plan's history, from the audit trail, as people read it: who did what, and the committee's comments."""

from __future__ import annotations

from sqlalchemy.orm import Session

from psirf import audit, timeline
from psirf.plans.models import PsirfPlan
from psirf.timeline import TimelineEntry, Vocabulary, humanise
from psirf.workflow import runner

# Who a record without a person names: the system's own steps (a review coming due).
NOBODY = "The system"
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
    "no_further_response": "Events that need no further response",
    "capacity": "Capacity",
    "engagement": "Engagement commitments",
    "control": "Document control",
}


def _action_label(action: str) -> str | None:
    if action.startswith("plan:edit:"):
        return f"{SECTIONS.get(action.rsplit(':', 1)[1], 'A section')} changed"
    return None


def _field_label(action: str, name: str) -> str:
    # A plan's fields read in sentence case: only the first letter capitalised.
    return humanise(name.lower())


def history(session: Session, plan: PsirfPlan) -> list[TimelineEntry]:
    """Oldest first; two queries however long."""
    records = audit.trail(session, [("psirf_plans", plan.id)])
    words = Vocabulary(
        actions=LABELS,
        action_label=_action_label,
        field_label=_field_label,
        nobody=NOBODY,
    )
    vocabulary = timeline.workflow_vocabulary(runner.definition_of(plan)).merged(words)
    return timeline.build(session, records, vocabulary)
