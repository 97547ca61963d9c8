"""A safety action's state names that code relies on, checked against workflows/safety_action.yaml
when it loads (a renamed state fails `flask workflows check`, naming the constant here)."""

from __future__ import annotations

from psirf.workflow.states import StateNames

SAFETY_ACTION = "safety_action"


class ActionState(StateNames, workflows=[SAFETY_ACTION]):
    DRAFT = "draft"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    REVIEWED = "reviewed"
    CANCELLED = "cancelled"
