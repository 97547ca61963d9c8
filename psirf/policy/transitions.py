"""Who may fire each workflow trigger, and the actor for the steps nobody takes by hand.

The roles a person holds over a workflow's subject come from the engine's registry, where each
feature registered its resolver (see the features' workflow_rules modules); this table says which
of those roles fires each trigger, and the composition root makes `require_can_fire` the engine's
authoriser.
"""

from __future__ import annotations

from psirf.accounts.models import Role
from psirf.actions.states import SAFETY_ACTION
from psirf.plans.states import PLAN_APPROVAL
from psirf.policy.roles import (
    ACTION_LEAD,
    ACTION_OWNER,
    PLAN_APPROVER,
    PLAN_AUTHOR,
    SYSTEM,
    NotPermitted,
    NotVisible,
)
from psirf.workflow import registry

_LEAD, _PANEL, _EXEC, _ICB_PSS = (
    Role.PATIENT_SAFETY_LEAD,
    Role.REVIEW_PANEL_MEMBER,
    Role.EXECUTIVE_LEAD,
    Role.ICB_PATIENT_SAFETY_SPECIALIST,
)

# Who may fire each trigger. A workflow whose trigger is missing here fails the contract test.
TRANSITION_RULES: dict[tuple[str, str], Role] = {
    ("after_action_review", "hold_review"): _LEAD,
    ("after_action_review", "send_to_panel"): _LEAD,
    ("after_action_review", "return_to_lead"): _PANEL,
    ("after_action_review", "approve"): _PANEL,
    ("after_action_review", "escalate"): _LEAD,
    ("after_action_review", "widen"): _LEAD,
    ("swarm_huddle", "close_huddle"): _LEAD,
    ("swarm_huddle", "continue_as_aar"): _LEAD,
    ("swarm_huddle", "escalate"): _LEAD,
    ("swarm_huddle", "widen"): _LEAD,
    ("mdt_review", "start_preparing"): _LEAD,
    ("mdt_review", "start_meetings"): _LEAD,
    ("mdt_review", "start_summary"): _LEAD,
    ("mdt_review", "send_to_panel"): _LEAD,
    ("mdt_review", "return_to_lead"): _PANEL,
    ("mdt_review", "approve"): _PANEL,
    ("mdt_review", "escalate"): _LEAD,
    ("mdt_review", "widen"): _LEAD,
    ("psii", "agree_terms"): _LEAD,
    ("psii", "start_analysis"): _LEAD,
    ("psii", "start_draft"): _LEAD,
    ("psii", "share_draft"): _LEAD,
    ("psii", "finalise"): _LEAD,
    ("psii", "send_for_sign_off"): _LEAD,
    ("psii", "return_for_changes"): _EXEC,
    ("psii", "sign_off"): _EXEC,
    ("psii", "widen"): _LEAD,
    ("thematic_review", "start_analysis"): _PANEL,
    ("thematic_review", "synthesise"): _PANEL,
    ("thematic_review", "validate"): _PANEL,
    ("thematic_review", "plan_improvement"): _PANEL,
    ("thematic_review", "close"): _PANEL,
    ("cross_organisational", "share_terms"): _LEAD,
    ("cross_organisational", "request_joint_review"): _LEAD,
    ("cross_organisational", "complete_joint_review"): _ICB_PSS,
    ("cross_organisational", "sign_off"): _LEAD,
    ("cross_organisational", "escalate"): _LEAD,
    (SAFETY_ACTION, "agree"): ACTION_LEAD,
    (SAFETY_ACTION, "cancel"): ACTION_LEAD,
    (SAFETY_ACTION, "complete"): ACTION_OWNER,
    (SAFETY_ACTION, "reopen"): ACTION_OWNER,
    (SAFETY_ACTION, "review"): ACTION_OWNER,
    (PLAN_APPROVAL, "submit"): PLAN_AUTHOR,
    (PLAN_APPROVAL, "start_review"): PLAN_APPROVER,
    (PLAN_APPROVAL, "request_changes"): PLAN_APPROVER,
    (PLAN_APPROVAL, "resubmit"): PLAN_AUTHOR,
    (PLAN_APPROVAL, "approve"): PLAN_APPROVER,
    (PLAN_APPROVAL, "publish"): PLAN_AUTHOR,
    (PLAN_APPROVAL, "mark_review_due"): SYSTEM,
    (PLAN_APPROVAL, "supersede"): SYSTEM,
}


def _workflow_roles(user, subject) -> set:
    """The roles `user` holds over anything a workflow runs, as its feature registered them."""
    if user is SYSTEM_ACTOR:
        return {SYSTEM}
    return registry.roles_over(user, subject)


def may_fire(user, subject, trigger: str) -> bool:
    try:
        require_can_fire(user, subject, trigger)
    except (NotVisible, NotPermitted):
        return False
    return True


def require_can_fire(user, subject, trigger: str) -> None:
    """NotVisible for a subject outside the person's organisations, else NotPermitted for a role
    that does not fire `trigger`. The roles are worked out once: a resolver may query."""
    roles = _workflow_roles(user, subject)
    if TRANSITION_RULES.get((subject.workflow_name, trigger)) not in roles:
        raise NotPermitted("Your role cannot take this step.")


class _System:
    """Who takes the steps nobody takes by hand; audit records show no person for them."""

    id = None
    name = "The system"
    is_authenticated = False
    is_active = False
    roles: list = []


SYSTEM_ACTOR = _System()
