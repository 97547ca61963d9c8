"""Who may see and do what, by organisation and role: the one place it is decided.

One module per subject, each object check beside the SQL scope that lists the same objects (an
agreement test in tests/policy/ holds every pair together). Callers import the package, never a
module: `from psirf import policy; policy.require_response_visible(user, response)`.

Two kinds of refusal, so that a page never reveals what a person may not know exists:
- `NotVisible`: the object is outside the person's organisations (the web answers 404);
- `NotPermitted`: it is inside, but the person's role may not do this (the web answers 403).
"""

# Re-exported because callers have long reached them through the policy (policy.Role).
from psirf.accounts.models import AccountKind, Role, User
from psirf.organisations.models import Organisation, OrganisationMembership
from psirf.policy.roles import (
    ICB_ROLES,
    OWN_ORGANISATION_ROLES,
    CASEWORK_ROLES,
    CONTRIBUTOR,
    ACTION_OWNER,
    ACTION_LEAD,
    OWNER_ORGANISATION,
    PLAN_AUTHOR,
    PLAN_APPROVER,
    PLAN_READER,
    SYSTEM,
    Denied,
    NotVisible,
    NotPermitted,
    Grant,
    grants,
    has_role,
    is_staff,
    require_staff,
)

from psirf.policy.casework import (
    casework_scope,
    roles_covering,
    require_casework_visible,
    require_casework_role,
    runs_casework,
)

from psirf.policy.events import (
    event_scope,
    require_event_visible,
    require_can_triage,
    can_report_for,
    can_see_reporter,
    require_triage_queue,
    triage_queue_organisations,
)

from psirf.policy.responses import (
    contributing_organisations,
    response_scope,
    response_roles,
    require_response_visible,
    may_edit_response,
    may_see_engagement,
    may_link_responses,
    may_tell_reporters,
    require_may_tell_reporters,
    response_parts,
    require_response_part,
    may_agree_extension,
    require_may_agree_extension,
    require_may_link_responses,
    may_offer_link,
)

from psirf.policy.actions import (
    action_roles,
    require_action_visible,
    action_scope,
    may_edit_action,
    action_parts,
    require_action_part,
)

from psirf.policy.library import (
    may_publish_learning,
    library_scope,
    may_read_library_entry,
    require_library_entry_visible,
    require_may_share_response,
    may_share_response,
    require_may_share_good_care,
    may_share_good_care,
    may_widen_to_icb,
    require_may_widen_to_icb,
)

from psirf.policy.improvement import (
    may_manage_improvement_plan,
    improvement_plan_scope,
    may_start_thematic_review,
    may_read_improvement_plan,
    require_improvement_plan_visible,
    require_may_manage_improvement_plan,
)

from psirf.policy.plans import (
    plan_roles,
    require_plan_visible,
    require_plan_approver,
    may_edit_plan,
    plan_scope,
    require_plan_author,
    may_edit_plan_now,
    require_may_edit_plan,
    may_decide_on_plan,
    may_write_next_plan,
    may_generate_plans,
    require_plan_generator,
)

from psirf.policy.dashboards import (
    require_icb_oversight,
    panel_groups,
    require_group_oversight,
    oversight_icbs,
)

from psirf.policy.administration import (
    require_outbox_viewer,
    administered_icbs,
    require_administrator,
    require_administers,
)

from psirf.policy.engagement import (
    may_edit_engagement,
    require_may_edit_engagement,
    may_share_document,
    require_may_share_document,
)

from psirf.policy.family import (
    FAMILY_ENDPOINTS,
    FAMILY_ENDPOINT_PREFIXES,
    is_family,
    family_may_reach,
    require_family,
    require_family_person,
)

from psirf.policy.transitions import (
    TRANSITION_RULES,
    may_fire,
    require_can_fire,
    _System,
    SYSTEM_ACTOR,
)

__all__ = [
    "AccountKind",
    "Role",
    "User",
    "Organisation",
    "OrganisationMembership",
    "ICB_ROLES",
    "OWN_ORGANISATION_ROLES",
    "CASEWORK_ROLES",
    "CONTRIBUTOR",
    "ACTION_OWNER",
    "ACTION_LEAD",
    "OWNER_ORGANISATION",
    "PLAN_AUTHOR",
    "PLAN_APPROVER",
    "PLAN_READER",
    "SYSTEM",
    "Denied",
    "NotVisible",
    "NotPermitted",
    "Grant",
    "grants",
    "has_role",
    "is_staff",
    "require_staff",
    "casework_scope",
    "roles_covering",
    "require_casework_visible",
    "require_casework_role",
    "runs_casework",
    "event_scope",
    "require_event_visible",
    "require_can_triage",
    "can_report_for",
    "can_see_reporter",
    "require_triage_queue",
    "triage_queue_organisations",
    "contributing_organisations",
    "response_scope",
    "response_roles",
    "require_response_visible",
    "may_edit_response",
    "may_see_engagement",
    "may_link_responses",
    "may_tell_reporters",
    "require_may_tell_reporters",
    "response_parts",
    "require_response_part",
    "may_agree_extension",
    "require_may_agree_extension",
    "require_may_link_responses",
    "may_offer_link",
    "action_roles",
    "require_action_visible",
    "action_scope",
    "may_edit_action",
    "action_parts",
    "require_action_part",
    "may_publish_learning",
    "library_scope",
    "may_read_library_entry",
    "require_library_entry_visible",
    "require_may_share_response",
    "may_share_response",
    "require_may_share_good_care",
    "may_share_good_care",
    "may_widen_to_icb",
    "require_may_widen_to_icb",
    "may_manage_improvement_plan",
    "improvement_plan_scope",
    "may_start_thematic_review",
    "may_read_improvement_plan",
    "require_improvement_plan_visible",
    "require_may_manage_improvement_plan",
    "plan_roles",
    "require_plan_visible",
    "require_plan_approver",
    "may_edit_plan",
    "plan_scope",
    "require_plan_author",
    "may_edit_plan_now",
    "require_may_edit_plan",
    "may_decide_on_plan",
    "may_write_next_plan",
    "may_generate_plans",
    "require_plan_generator",
    "require_icb_oversight",
    "panel_groups",
    "require_group_oversight",
    "oversight_icbs",
    "require_outbox_viewer",
    "administered_icbs",
    "require_administrator",
    "require_administers",
    "may_edit_engagement",
    "require_may_edit_engagement",
    "may_share_document",
    "require_may_share_document",
    "FAMILY_ENDPOINTS",
    "FAMILY_ENDPOINT_PREFIXES",
    "is_family",
    "family_may_reach",
    "require_family",
    "require_family_person",
    "TRANSITION_RULES",
    "may_fire",
    "require_can_fire",
    "_System",
    "SYSTEM_ACTOR",
]
