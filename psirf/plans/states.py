"""A PSIRF plan's state names that code relies on, checked against workflows/plan_approval.yaml
when it loads (a renamed state fails `flask workflows check`, naming the constant here)."""

from __future__ import annotations

from psirf.workflow.states import StateNames

PLAN_APPROVAL = "plan_approval"


class PlanState(StateNames, workflows=[PLAN_APPROVAL]):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    UNDER_REVIEW = "under_review"
    CHANGES_REQUESTED = "changes_requested"
    RESUBMITTED = "resubmitted"
    PUBLISHED = "published"
    REVIEW_DUE = "review_due"
    SUPERSEDED = "superseded"


# Versions not yet approved by the ICB quality committee: marked DRAFT on the page and every PDF page.
DRAFT_STATES = (
    PlanState.DRAFT,
    PlanState.SUBMITTED,
    PlanState.UNDER_REVIEW,
    PlanState.CHANGES_REQUESTED,
    PlanState.RESUBMITTED,
)
# The states a submission of the plan enters: each is a new version (keep_revision).
SUBMITTED_STATES = (PlanState.SUBMITTED, PlanState.RESUBMITTED)
