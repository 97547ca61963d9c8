"""Safety actions: writing one, agreeing it, carrying it out and reviewing whether it worked.

An action is drafted on its response (only "what will change" is needed to start), filled in on
its own page while it is being written, and agreed once it is SMART. From then on its own
workflow (`workflows/safety_action.yaml`) runs it, whatever state the response is in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from psirf import audit, policy
from psirf.db import check_version, record_change
from psirf.accounts.models import AccountKind, RoleAssignment, User
from psirf.actions.models import Effect, MeasureKind, SafetyAction, Strength
from psirf.actions.states import SAFETY_ACTION, ActionState
from psirf.learning.models import FindingKind
from psirf.organisations import search
from psirf.organisations import services as organisations
from psirf.organisations.models import Organisation
from psirf.responses.services import check_edit, finish_edit
from psirf.workflow import definitions, runner
from psirf.problems import InputError


@dataclass
class Details:
    """What a lead writes about an action; everything but `description` may wait until it is agreed."""

    description: str = ""
    finding_id: int | None = None
    owner: str | None = None
    owner_email: str | None = None
    owner_organisation_id: int | None = None
    due_on: date | None = None
    measure_kind: str | None = None
    measure: str | None = None
    strength: str | None = None
    review_on: date | None = None


def get(session: Session, action_id: int) -> SafetyAction | None:
    return session.get(SafetyAction, action_id)


def usual_owners(response) -> list[Organisation]:
    """The owners offered before any search: the response's organisation first, then its groups.
    Any other organisation in its ICB may own an action too (a trust, a pharmacy: partners own
    actions), found by searching within owner_scope. Not the ICB itself: its roles oversee the
    casework of its organisations and run none of their own."""
    return [response.organisation, *response.organisation.groups]


def owner_scope(response) -> ColumnElement[bool]:
    return search.in_icb(response.organisation.icb_id)


def areas_for_improvement(response) -> list:
    return [f for f in response.findings if f.kind == FindingKind.AREA_FOR_IMPROVEMENT.value]


def _owner_account(session: Session, email: str, organisation_id: int) -> User:
    user = session.scalar(
        select(User)
        .join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(
            User.email == email.strip().lower(),
            User.active.is_(True),
            User.kind == AccountKind.STAFF.value,
            RoleAssignment.organisation_id == organisation_id,
        )
    )
    if user is None:
        raise InputError(
            "owner_email",
            "No account with that email address works at the owner's organisation. "
            "Leave it blank if the owner has no account.",
        )
    return user


def _in_icb_of(session: Session, organisation_id: int, response) -> bool:
    """Whether the organisation is one in owner_scope: one row read, not the ICB's."""
    organisation = organisations.get(session, organisation_id)
    return organisation is not None and organisation.icb_id == response.organisation.icb_id


def _apply(session: Session, action: SafetyAction, response, details: Details) -> dict:
    """Check the details and write them to the action; returns what changed, for the audit."""
    if not (details.description or "").strip():
        raise InputError("description", "Say what will change")
    if details.finding_id is not None and details.finding_id not in {
        f.id for f in areas_for_improvement(response)
    }:
        raise InputError("finding_id", "Choose one of this response's areas for improvement")
    if details.owner_organisation_id is not None and not _in_icb_of(
        session, details.owner_organisation_id, response
    ):
        raise InputError("owner_organisation_id", "Choose an organisation in this ICB")
    owner_user = None
    if (details.owner_email or "").strip():
        if details.owner_organisation_id is None:
            raise InputError("owner_organisation_id", "Choose the owner's organisation")
        owner_user = _owner_account(session, details.owner_email, details.owner_organisation_id)
    owner = (details.owner or "").strip() or (owner_user.name if owner_user else None)
    if (
        details.due_on is not None
        and details.due_on < date.today()
        and details.due_on != action.due_on
    ):
        raise InputError("due_on", "The due date must be today or in the future")
    if (
        details.review_on is not None
        and details.due_on is not None
        and details.review_on < details.due_on
    ):
        raise InputError("review_on", "The review date must be on or after the due date")
    for field, enum in (("measure_kind", MeasureKind), ("strength", Strength)):
        value = getattr(details, field)
        if value and value not in {m.value for m in enum}:
            raise InputError(field, "Choose one of the options")
    values = {
        "description": details.description.strip(),
        "finding_id": details.finding_id,
        "owner": owner,
        "owner_user_id": owner_user.id if owner_user else None,
        "owner_organisation_id": details.owner_organisation_id,
        "due_on": details.due_on,
        "measure_kind": details.measure_kind or None,
        "measure": (details.measure or "").strip() or None,
        "strength": details.strength or None,
        "review_on": details.review_on,
    }
    before = audit.snapshot(action, values)
    for field, value in values.items():
        setattr(action, field, value)
    return audit.diff(before, audit.snapshot(action, values))


def add(
    session: Session, user, response, details: Details, expected_version: int | None
) -> SafetyAction:
    """Draft an action on the response; it is agreed on its own page once it is SMART."""
    check_edit(user, response, "actions", expected_version)
    definition = definitions.get(SAFETY_ACTION)
    action = SafetyAction(organisation_id=response.organisation_id, description="")
    _apply(session, action, response, details)
    runner.start(session, action, definition, user)
    response.safety_actions.append(action)
    session.flush()
    finish_edit(
        session,
        user,
        response,
        "edit:safety_action",
        {"safety_action": {"before": None, "after": action.description}},
    )
    audit.record(
        session,
        actor_id=user.id,
        action="action:create",
        subject=action,
        organisation_id=action.organisation_id,
        changes={"state": {"before": None, "after": action.state}},
    )
    return action


# ---- on the action's own page -------------------------------------------------------------------


def editable_parts(user, action: SafetyAction) -> tuple[str, ...]:
    return policy.action_parts(user, action, runner.definition_of(action).state(action.state))


def check_part(user, action: SafetyAction, part: str, expected_version: int | None) -> None:
    """The policy decides whether `user` may change the part; a stale version is refused here."""
    policy.require_action_part(user, action, part, runner.definition_of(action).state(action.state))
    check_version(action, expected_version)


def _finish(session: Session, user, action: SafetyAction, name: str, changes: dict) -> None:
    record_change(session, action, actor_id=user.id, action=f"action:{name}", changes=changes)


def update_details(
    session: Session, user, action: SafetyAction, details: Details, expected_version: int | None
) -> None:
    check_part(user, action, "details", expected_version)
    _finish(session, user, action, "details", _apply(session, action, action.response, details))


def record_evidence(
    session: Session, user, action: SafetyAction, evidence: str, expected_version: int | None
) -> None:
    check_part(user, action, "evidence", expected_version)
    if not (evidence or "").strip():
        raise InputError("evidence", "Describe the evidence that the action is done")
    before, action.evidence = action.evidence, evidence.strip()
    _finish(
        session,
        user,
        action,
        "evidence",
        {"evidence": {"before": before, "after": action.evidence}},
    )


def record_effect(
    session: Session,
    user,
    action: SafetyAction,
    effect: str,
    notes: str,
    expected_version: int | None,
) -> None:
    check_part(user, action, "effect", expected_version)
    if effect not in {e.value for e in Effect}:
        raise InputError("effect", "Say whether the action worked")
    if not (notes or "").strip():
        raise InputError("effect_notes", "Say what the measure showed")
    before = (action.effect, action.effect_notes)
    action.effect, action.effect_notes = effect, notes.strip()
    _finish(
        session,
        user,
        action,
        "effect",
        {
            "effect": {
                "before": Effect.label_for(before[0]) if before[0] else None,
                "after": Effect.label_for(effect),
            },
            "effect_notes": {"before": before[1], "after": action.effect_notes},
        },
    )


def fire(
    session: Session,
    user,
    action: SafetyAction,
    trigger: str,
    expected_version: int | None,
    comment: str | None = None,
):
    return runner.fire(session, action, trigger, user, expected_version, comment)


def all_weaker(actions) -> bool:
    """True when every action still in play is of the weaker kind: the page then warns the lead."""
    live = [a for a in actions if a.state != ActionState.CANCELLED and a.strength]
    return bool(live) and all(a.strength == Strength.WEAKER.value for a in live)
