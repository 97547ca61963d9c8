"""Who may see and do what, by organisation and role: the one place it is decided.

Two kinds of refusal, so that a page never reveals what a person may not know exists:
- `NotVisible`: the object is outside the person's organisations (the web answers 404);
- `NotPermitted`: it is inside, but the person's role may not do this (the web answers 403).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, false, or_, select

from psirf.accounts.models import AccountKind, Role, User
from psirf.organisations.models import Organisation, OrganisationMembership

ICB_ROLES = frozenset({Role.ICB_QUALITY_COMMITTEE, Role.ICB_PATIENT_SAFETY_SPECIALIST})
# Roles whose holders see their own organisation's casework.
OWN_ORGANISATION_ROLES = frozenset({Role.PATIENT_SAFETY_LEAD, Role.EXECUTIVE_LEAD})
CASEWORK_ROLES = OWN_ORGANISATION_ROLES | {Role.REVIEW_PANEL_MEMBER} | ICB_ROLES
# Acts in a cross-organisational response's contributing states; not a role anyone is given.
CONTRIBUTOR = "contributor"
# Carries out a safety action: the person named as its owner, or the patient safety lead of the
# owner's organisation (for an owner without an account). Not a role anyone is given either.
ACTION_OWNER = "action_owner"
# Writes, agrees and cancels a safety action: whoever runs its response's organisation's casework.
ACTION_LEAD = "action_lead"
# Sees a safety action because it covers the owner's organisation; acts on nothing by it alone.
OWNER_ORGANISATION = "owner_organisation"
# Writes a PCN's or federation's PSIRF plan and submits it: the group's review panel.
PLAN_AUTHOR = "plan_author"
# Decides on a plan: a quality committee member of the group's ICB.
PLAN_APPROVER = "plan_approver"
# Reads a plan: its group's member services and the ICB's roles once it is submitted.
PLAN_READER = "plan_reader"
# Steps nobody takes by hand (a plan's review date passing, its successor coming into force).
SYSTEM = "system"


class Denied(Exception):
    """A refusal; the message is safe to show."""


class NotVisible(Denied):
    pass


class NotPermitted(Denied):
    pass


@dataclass(frozen=True)
class Grant:
    role: Role
    organisation_id: int


def grants(user: User | None) -> list[Grant]:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    return [Grant(Role(r.role), r.organisation_id) for r in user.roles]


def has_role(user: User | None, *roles: Role) -> bool:
    return any(g.role in roles for g in grants(user))


def is_staff(user: User | None) -> bool:
    return bool(grants(user)) and user.kind == AccountKind.STAFF.value


def require_staff(user: User | None, refusal: str) -> None:
    """Pages for anyone working in the organisations (their own actions, the shared learning)."""
    if not is_staff(user):
        raise NotPermitted(refusal)


# ---- scope: which organisations' casework a person sees --------------------------------


def casework_scope(user: User | None, org_column) -> ColumnElement[bool]:
    """A SQL condition on an organisation id column: true where `user` may see the casework.

    Built as subqueries so an ICB-wide scope stays one indexed query, never a long IN list.
    """
    conditions = []
    for grant in grants(user):
        if grant.role in OWN_ORGANISATION_ROLES:
            conditions.append(org_column == grant.organisation_id)
        elif grant.role is Role.REVIEW_PANEL_MEMBER:
            members = select(OrganisationMembership.member_id).where(
                OrganisationMembership.group_id == grant.organisation_id
            )
            conditions.append(or_(org_column == grant.organisation_id, org_column.in_(members)))
        elif grant.role in ICB_ROLES:
            in_icb = select(Organisation.id).where(Organisation.icb_id == grant.organisation_id)
            conditions.append(org_column.in_(in_icb))
    return or_(*conditions) if conditions else false()


def _grant_covers(grant: Grant, organisation: Organisation) -> bool:
    if grant.role in OWN_ORGANISATION_ROLES:
        return organisation.id == grant.organisation_id
    if grant.role is Role.REVIEW_PANEL_MEMBER:
        # The panel's own casework (a PCN-wide thematic review) and its members'.
        return organisation.id == grant.organisation_id or any(
            group.id == grant.organisation_id for group in organisation.groups
        )
    if grant.role in ICB_ROLES:
        return organisation.icb_id == grant.organisation_id
    return False


def roles_covering(user: User | None, organisation: Organisation) -> set[Role]:
    return {g.role for g in grants(user) if _grant_covers(g, organisation)}


def require_casework_visible(user: User | None, organisation: Organisation) -> set[Role]:
    roles = roles_covering(user, organisation)
    if not roles:
        raise NotVisible("Page not found")
    return roles


# ---- events -----------------------------------------------------------------------------


def require_event_visible(user, event) -> set[Role]:
    return require_casework_visible(user, event.organisation)


def require_can_triage(user, event) -> None:
    roles = require_event_visible(user, event)
    if Role.PATIENT_SAFETY_LEAD not in roles:
        raise NotPermitted("Only the organisation's patient safety lead can triage this event.")


def can_report_for(user, organisation: Organisation) -> bool:
    """Any staff member may report an event at an organisation where they hold a role."""
    return organisation.kind_enum.is_service and any(
        g.organisation_id == organisation.id for g in grants(user)
    )


def can_see_reporter(user, event) -> bool:
    """A reporter who protected their identity is known only to the event's patient safety lead."""
    if not event.identity_protected:
        return True
    if user is not None and event.reporter_user_id == getattr(user, "id", None):
        return True
    return Role.PATIENT_SAFETY_LEAD in roles_covering(user, event.organisation)


def require_casework_role(
    user, refusal: str = "Your role does not include learning responses."
) -> None:
    if not has_role(user, *CASEWORK_ROLES):
        raise NotPermitted(refusal)


def require_icb_oversight(user) -> None:
    """The ICB-wide lists (overdue responses, overdue candour) are for the ICB's roles."""
    if not has_role(user, *ICB_ROLES):
        raise NotPermitted(
            "Only the ICB's quality committee and patient safety specialists see this list."
        )


def require_outbox_viewer(user) -> None:
    """The development outbox shows every email the service has written, to anyone: administrators only."""
    if not has_role(user, Role.ADMINISTRATOR):
        raise NotPermitted("Only administrators can see the outbox.")


def require_triage_queue(user) -> None:
    if not has_role(user, Role.PATIENT_SAFETY_LEAD):
        raise NotPermitted("Only patient safety leads have a triage queue.")


def triage_queue_organisations(user) -> list[int]:
    return [g.organisation_id for g in grants(user) if g.role is Role.PATIENT_SAFETY_LEAD]


# ---- learning responses and their workflow ------------------------------------------------

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
    ("safety_action", "agree"): ACTION_LEAD,
    ("safety_action", "cancel"): ACTION_LEAD,
    ("safety_action", "complete"): ACTION_OWNER,
    ("safety_action", "reopen"): ACTION_OWNER,
    ("safety_action", "review"): ACTION_OWNER,
    ("plan_approval", "submit"): PLAN_AUTHOR,
    ("plan_approval", "start_review"): PLAN_APPROVER,
    ("plan_approval", "request_changes"): PLAN_APPROVER,
    ("plan_approval", "resubmit"): PLAN_AUTHOR,
    ("plan_approval", "approve"): PLAN_APPROVER,
    ("plan_approval", "publish"): PLAN_AUTHOR,
    ("plan_approval", "mark_review_due"): SYSTEM,
    ("plan_approval", "supersede"): SYSTEM,
}


def _organisation_ids(user) -> set[int]:
    """Where `user` does casework for their own organisation (a lead or an executive lead)."""
    return {g.organisation_id for g in grants(user) if g.role in OWN_ORGANISATION_ROLES}


def contributing_organisations(user, response) -> set[int]:
    """The contributing organisations of a cross-organisational response where `user` works."""
    return {c.organisation_id for c in response.contributors} & _organisation_ids(user)


def response_scope(user) -> ColumnElement[bool]:
    """SQL: the responses `user` sees: their casework, and any they contribute to."""
    from psirf.responses.models import Contributor, LearningResponse

    contributed = select(Contributor.response_id).where(
        Contributor.organisation_id.in_(_organisation_ids(user))
    )
    return or_(
        casework_scope(user, LearningResponse.organisation_id), LearningResponse.id.in_(contributed)
    )


def response_roles(user, response) -> set:
    """The roles `user` holds over this response; CONTRIBUTOR for a contributing organisation's staff."""
    roles: set = set(roles_covering(user, response.organisation))
    if contributing_organisations(user, response):
        roles.add(CONTRIBUTOR)
    return roles


def require_response_visible(user, response) -> set:
    roles = response_roles(user, response)
    if not roles:
        raise NotVisible("Page not found")
    return roles


def _workflow_roles(user, subject) -> set:
    """The roles `user` holds over anything a workflow runs: a response, a safety action or a plan."""
    if user is SYSTEM_ACTOR:
        return {SYSTEM}
    if subject.workflow_name == "safety_action":
        return require_action_visible(user, subject)
    if subject.workflow_name == "plan_approval":
        return require_plan_visible(user, subject)
    return require_response_visible(user, subject)


def may_fire(user, subject, trigger: str) -> bool:
    role = TRANSITION_RULES.get((subject.workflow_name, trigger))
    try:
        return role is not None and role in _workflow_roles(user, subject)
    except NotVisible:
        return False


def require_can_fire(user, subject, trigger: str) -> None:
    _workflow_roles(user, subject)
    if not may_fire(user, subject, trigger):
        raise NotPermitted("Your role cannot take this step.")


def may_edit_response(user, response, acting_role: str | None) -> bool:
    """The role named as acting in the current state edits the record; everyone else reads it."""
    if acting_role is None:
        return False
    return Role(acting_role) in response_roles(user, response)


def may_see_engagement(user, response) -> bool:
    """The people affected, their engagement and the duty of candour belong to the lead
    organisation's casework: whoever sees the response through it reads them; a contributing
    organisation (CONTRIBUTOR alone) sees none of it."""
    return bool(response_roles(user, response) - {CONTRIBUTOR})


def may_link_responses(user, response) -> bool:
    """Linking is casework: a contributing organisation works on its contribution only."""
    return bool(response_roles(user, response) - {CONTRIBUTOR})


def may_tell_reporters(user, response) -> bool:
    """Telling reporters what changed is the lead organisation's patient safety lead's: the owner of
    the response's casework, not a contributing organisation, a panel or the ICB."""
    return Role.PATIENT_SAFETY_LEAD in roles_covering(user, response.organisation)


def require_may_tell_reporters(user, response) -> None:
    require_response_visible(user, response)
    if not may_tell_reporters(user, response):
        raise NotPermitted(
            "Only the lead organisation's patient safety lead tells reporters what changed."
        )


# ---- safety actions ----------------------------------------------------------------------------


def runs_casework(user, organisation: Organisation) -> bool:
    """Whether `user` runs the organisation's own casework: its patient safety lead, or for a PCN
    or federation (which has none) its review panel."""
    role = Role.REVIEW_PANEL_MEMBER if organisation.kind_enum.is_group else Role.PATIENT_SAFETY_LEAD
    return any(g.role is role and g.organisation_id == organisation.id for g in grants(user))


def action_roles(user, action) -> set:
    """The roles `user` holds over a safety action.

    Whoever sees its response sees the action; so do the owner and the casework roles covering
    the owner's organisation (a partner organisation sees the actions it owns, not the response).
    ACTION_LEAD (who runs the response organisation's casework) writes, agrees and cancels it;
    ACTION_OWNER (the owner's account, or who runs the owner organisation's casework) carries it out.
    """
    roles: set = set(roles_covering(user, action.organisation))
    if action.response is not None and contributing_organisations(user, action.response):
        roles.add(CONTRIBUTOR)
    if runs_casework(user, action.organisation):
        roles.add(ACTION_LEAD)
    owner = action.owner_organisation
    if owner is not None and roles_covering(user, owner):
        roles.add(OWNER_ORGANISATION)
    user_id = getattr(user, "id", None)
    if grants(user) and (
        (user_id is not None and action.owner_user_id == user_id)
        or (owner and runs_casework(user, owner))
    ):
        roles.add(ACTION_OWNER)
    return roles


def require_action_visible(user, action) -> set:
    roles = action_roles(user, action)
    if not roles:
        raise NotVisible("Page not found")
    return roles


def action_scope(user) -> ColumnElement[bool]:
    """SQL: the safety actions `user` sees, as `action_roles` decides for one."""
    from psirf.actions.models import SafetyAction
    from psirf.responses.models import Contributor

    if not grants(user):
        return false()
    contributed = select(Contributor.response_id).where(
        Contributor.organisation_id.in_(_organisation_ids(user))
    )
    return or_(
        casework_scope(user, SafetyAction.organisation_id),
        casework_scope(user, SafetyAction.owner_organisation_id),
        SafetyAction.owner_user_id == user.id,
        SafetyAction.response_id.in_(contributed),
    )


def may_edit_action(user, action, acting_role: str | None) -> bool:
    if acting_role is None:
        return False
    return acting_role in action_roles(user, action)


# ---- the shared learning library ----------------------------------------------------------------


def may_publish_learning(user, organisation: Organisation) -> bool:
    """The organisation's patient safety lead shares its learning (a PCN-wide review: its panel)."""
    roles = roles_covering(user, organisation)
    if organisation.kind_enum.is_group:
        return Role.REVIEW_PANEL_MEMBER in roles
    return Role.PATIENT_SAFETY_LEAD in roles


def library_scope(user) -> ColumnElement[bool]:
    """SQL: the library entries `user` may read.

    An entry is read by its audience only: the PCN or federation it was published to (its panel
    and the staff of its member organisations), and, when also published to the ICB, everyone
    working in that ICB. The publishing organisation always reads its own.
    """
    from psirf.library.models import LibraryEntry

    if not is_staff(user):
        return false()
    own = {g.organisation_id for g in grants(user)}
    groups = select(OrganisationMembership.group_id).where(
        OrganisationMembership.member_id.in_(own)
    )
    icbs = select(Organisation.icb_id).where(Organisation.id.in_(own))
    return or_(
        LibraryEntry.organisation_id.in_(own),
        LibraryEntry.audience_group_id.in_(own),
        LibraryEntry.audience_group_id.in_(groups),
        LibraryEntry.audience_icb_id.in_(own),
        LibraryEntry.audience_icb_id.in_(icbs),
    )


# ---- safety improvement plans ---------------------------------------------------------------


def may_manage_improvement_plan(user, organisation: Organisation) -> bool:
    """A practice's patient safety lead runs its plans; a PCN's or federation's panel runs its."""
    return may_publish_learning(user, organisation)


def improvement_plan_scope(user, org_column) -> ColumnElement[bool]:
    """SQL: the plans `user` reads: the casework scope (a panel reads its PCN's and members',
    the ICB reads all in the ICB), and the plans of the groups the user's organisation belongs to."""
    own = {g.organisation_id for g in grants(user) if g.role in OWN_ORGANISATION_ROLES}
    groups = select(OrganisationMembership.group_id).where(
        OrganisationMembership.member_id.in_(own)
    )
    return or_(casework_scope(user, org_column), org_column.in_(groups))


def may_start_thematic_review(user, organisation: Organisation) -> bool:
    return (
        Role.REVIEW_PANEL_MEMBER in roles_covering(user, organisation)
        and organisation.kind_enum.is_group
    )


# ---- PSIRF plans --------------------------------------------------------------------------------


class _System:
    """Who takes the steps nobody takes by hand; audit records show no person for them."""

    id = None
    name = "The system"
    is_authenticated = False
    is_active = False
    roles: list = []


SYSTEM_ACTOR = _System()


def plan_roles(user, plan) -> set:
    """The group's panel writes it; its member services read it; the group's ICB reads it once it
    has been submitted, and its quality committee decides on it. Another ICB never sees it here
    (a published plan has a public link for everyone)."""
    roles: set = set()
    group = plan.organisation
    for grant in grants(user):
        if grant.role is Role.REVIEW_PANEL_MEMBER and grant.organisation_id == group.id:
            roles |= {PLAN_AUTHOR, PLAN_READER}
        elif (
            grant.role in ICB_ROLES and grant.organisation_id == group.icb_id and plan.revision > 0
        ):
            roles.add(PLAN_READER)
            if grant.role is Role.ICB_QUALITY_COMMITTEE:
                roles.add(PLAN_APPROVER)
        elif grant.role in OWN_ORGANISATION_ROLES and any(
            m.id == grant.organisation_id for m in group.members
        ):
            roles.add(PLAN_READER)
    return roles


def require_plan_visible(user, plan) -> set:
    roles = plan_roles(user, plan)
    if not roles:
        raise NotVisible("Page not found")
    return roles


def require_plan_approver(user, plan) -> None:
    if PLAN_APPROVER not in require_plan_visible(user, plan):
        raise NotPermitted("Only a member of the ICB quality committee records its decision.")


def may_edit_plan(user, plan, acting_role: str | None) -> bool:
    return acting_role == PLAN_AUTHOR and PLAN_AUTHOR in plan_roles(user, plan)


def plan_scope(user, plan_model) -> ColumnElement[bool]:
    """SQL: the plans `user` sees (the same rule as plan_roles)."""
    conditions = []
    for grant in grants(user):
        if grant.role is Role.REVIEW_PANEL_MEMBER:
            conditions.append(plan_model.organisation_id == grant.organisation_id)
        elif grant.role in ICB_ROLES:
            in_icb = select(Organisation.id).where(Organisation.icb_id == grant.organisation_id)
            conditions.append((plan_model.organisation_id.in_(in_icb)) & (plan_model.revision > 0))
        elif grant.role in OWN_ORGANISATION_ROLES:
            groups = select(OrganisationMembership.group_id).where(
                OrganisationMembership.member_id == grant.organisation_id
            )
            conditions.append(plan_model.organisation_id.in_(groups))
    return or_(*conditions) if conditions else false()


def require_plan_author(user, group: Organisation) -> None:
    """Generating a new plan: the group's review panel only."""
    if group.id in panel_groups(user):
        return
    members = {m.id for m in group.members}
    reads = any(
        (g.role in OWN_ORGANISATION_ROLES and g.organisation_id in members)
        or (g.role in ICB_ROLES and g.organisation_id == group.icb_id)
        for g in grants(user)
    )
    if reads:
        raise NotPermitted("Only the review panel of a PCN or federation writes its PSIRF plan.")
    raise NotVisible("Page not found")


# ---- oversight dashboards ---------------------------------------------------------------------


def panel_groups(user) -> list[int]:
    """The PCNs and federations on whose review panel `user` sits: their dashboards and their plans."""
    return [g.organisation_id for g in grants(user) if g.role is Role.REVIEW_PANEL_MEMBER]


def require_group_oversight(user, group: Organisation) -> None:
    """A PCN's or federation's dashboard: its review panel, and its ICB's roles."""
    if not group.kind_enum.is_group:
        raise NotVisible("Page not found")
    if group.id in panel_groups(user):
        return
    if any(g.role in ICB_ROLES and g.organisation_id == group.icb_id for g in grants(user)):
        return
    if roles_covering(user, group) or any(g.organisation_id == group.icb_id for g in grants(user)):
        raise NotPermitted("Only the review panel and the ICB see this dashboard.")
    raise NotVisible("Page not found")


def oversight_icbs(user) -> list[int]:
    """The ICBs whose dashboard `user` sees: its quality committee and patient safety specialists."""
    return [g.organisation_id for g in grants(user) if g.role in ICB_ROLES]


# ---- administration ----------------------------------------------------------------------


def administered_icbs(user) -> list[int]:
    return [g.organisation_id for g in grants(user) if g.role is Role.ADMINISTRATOR]


def require_administrator(user) -> list[int]:
    icbs = administered_icbs(user)
    if not icbs:
        raise NotPermitted("Only administrators can manage organisations and accounts.")
    return icbs


def require_administers(user, organisation: Organisation) -> None:
    icbs = require_administrator(user)
    if organisation.id not in icbs and organisation.icb_id not in icbs:
        raise NotVisible("Page not found")


# ---- the family portal -------------------------------------------------------------------

# What a patient's or family member's account may reach: its own portal, the in-app
# notifications, the public pages and the site's furniture. Every other page (staff pages, events
# and responses by number) is refused by a hook that reads this (family_views.keep_to_the_portal).
FAMILY_ENDPOINTS = frozenset(
    {
        "accounts.sign_in",
        "accounts.sign_out",
        "accounts.change_password",
        "static",
        "web.home",
        "web.assets",
        "web.accessibility",
        "web.healthz",
    }
)
FAMILY_ENDPOINT_PREFIXES = (
    "family.",
    "family_join.",
    "notifications.",
    "events_public.",
    "events_follow.",
    "plans_public.",
)


def is_family(user) -> bool:
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and user.kind == AccountKind.FAMILY.value
    )


def family_may_reach(endpoint: str | None) -> bool:
    return endpoint is not None and (
        endpoint in FAMILY_ENDPOINTS or endpoint.startswith(FAMILY_ENDPOINT_PREFIXES)
    )


def require_family(user) -> None:
    if not is_family(user):
        raise NotPermitted("This page is for patients and families who have been invited.")


def require_family_person(user, person) -> None:
    """A family account sees only the people-records linked to it; anything else does not exist."""
    if person is None or not is_family(user) or person.account_id != user.id:
        raise NotVisible("Page not found")
