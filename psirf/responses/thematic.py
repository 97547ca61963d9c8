"""Starting a thematic review: the events, or the earlier learning responses, it covers are chosen
by filters and kept as a snapshot, so later records do not change what it looked at."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, time

from sqlalchemy import Select, func, insert, literal, select
from sqlalchemy.orm import Session

from psirf import audit, policy
from psirf.events.models import SafetyEvent
from psirf.organisations.models import Organisation, OrganisationMembership
from psirf.responses.models import (
    LearningResponse,
    ResponseMethod,
    thematic_review_events,
    thematic_review_responses,
)
from psirf.responses.services import new_response
from psirf.problems import InputError


@dataclass
class Selection:
    occurred_from: date
    occurred_to: date
    theme: str | None = None
    record_type: str | None = None
    organisation_ids: list[int] | None = None  # some of the group's members; none means all
    cover: str = "events"  # or "responses": earlier learning responses, by method and start date
    method: str | None = None


def groups_for(session: Session, user) -> list[Organisation]:
    """The PCNs and federations whose panel `user` sits on: where they may start a review."""
    ids = [g.organisation_id for g in policy.grants(user)]
    candidates = session.scalars(
        select(Organisation).where(Organisation.id.in_(ids)).order_by(Organisation.name)
    )
    return [o for o in candidates if policy.may_start_thematic_review(user, o)]


def _matching(group: Organisation, selection: Selection) -> Select:
    members = select(OrganisationMembership.member_id).where(
        OrganisationMembership.group_id == group.id
    )
    stmt = select(SafetyEvent.id).where(
        SafetyEvent.organisation_id.in_(members),
        SafetyEvent.occurred_on >= selection.occurred_from,
        SafetyEvent.occurred_on <= selection.occurred_to,
    )
    if selection.theme:
        stmt = stmt.where(SafetyEvent.theme == selection.theme)
    if selection.record_type:
        stmt = stmt.where(SafetyEvent.record_type == selection.record_type)
    if selection.organisation_ids:
        stmt = stmt.where(SafetyEvent.organisation_id.in_(selection.organisation_ids))
    return stmt


def _matching_responses(group: Organisation, selection: Selection) -> Select:
    members = select(OrganisationMembership.member_id).where(
        OrganisationMembership.group_id == group.id
    )
    stmt = select(LearningResponse.id).where(
        LearningResponse.organisation_id.in_(members),
        LearningResponse.created_at >= datetime.combine(selection.occurred_from, time.min),
        LearningResponse.created_at <= datetime.combine(selection.occurred_to, time.max),
    )
    if selection.method:
        stmt = stmt.where(LearningResponse.method == selection.method)
    if selection.organisation_ids:
        stmt = stmt.where(LearningResponse.organisation_id.in_(selection.organisation_ids))
    return stmt


def _chosen(group: Organisation, selection: Selection) -> Select:
    return (
        _matching_responses(group, selection)
        if selection.cover == "responses"
        else _matching(group, selection)
    )


def count(session: Session, group: Organisation, selection: Selection) -> int:
    return session.scalar(select(func.count()).select_from(_chosen(group, selection).subquery()))


def start(session: Session, user, group: Organisation, selection: Selection) -> LearningResponse:
    if not policy.may_start_thematic_review(user, group):
        raise policy.NotPermitted(
            "Only the PCN or federation's review panel can start a thematic review."
        )
    if selection.occurred_to < selection.occurred_from:
        raise InputError("occurred_to", "The last date must be on or after the first date")
    if count(session, group, selection) == 0:
        raise InputError(
            "theme", f"No {selection.cover} match these filters; widen them to start a review"
        )
    response = new_response(session, ResponseMethod.THEMATIC_REVIEW, group.id, user)
    response.record = {
        "selection": {
            k: (v.isoformat() if isinstance(v, date) else v) for k, v in asdict(selection).items()
        }
    }
    # The snapshot: one INSERT ... SELECT, however many match.
    if selection.cover == "responses":
        snapshot = insert(thematic_review_responses).from_select(
            ["response_id", "covered_id"],
            _matching_responses(group, selection).with_only_columns(
                literal(response.id), LearningResponse.id
            ),
        )
    else:
        snapshot = insert(thematic_review_events).from_select(
            ["response_id", "event_id"],
            _matching(group, selection).with_only_columns(literal(response.id), SafetyEvent.id),
        )
    covered = count(session, group, selection)
    session.execute(snapshot)
    audit.record(
        session,
        actor_id=user.id,
        action="response:open",
        subject=response,
        organisation_id=group.id,
        changes={
            "state": {"before": None, "after": response.state},
            selection.cover: {"before": None, "after": covered},
        },
    )
    session.flush()
    return response
