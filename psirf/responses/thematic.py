"""Starting a thematic review: the events it covers are chosen by filters and kept as a snapshot."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

from sqlalchemy import Select, func, insert, literal, select
from sqlalchemy.orm import Session

from psirf import audit, policy
from psirf.events.models import SafetyEvent
from psirf.organisations.models import Organisation, OrganisationMembership
from psirf.responses.models import LearningResponse, ResponseMethod, thematic_review_events
from psirf.responses.services import ResponseError, new_response


@dataclass
class Selection:
    occurred_from: date
    occurred_to: date
    theme: str | None = None
    record_type: str | None = None
    organisation_ids: list[int] | None = None  # some of the group's members; none means all


def _matching(group: Organisation, selection: Selection) -> Select:
    members = select(OrganisationMembership.member_id).where(OrganisationMembership.group_id == group.id)
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


def count(session: Session, group: Organisation, selection: Selection) -> int:
    return session.scalar(select(func.count()).select_from(_matching(group, selection).subquery()))


def start(session: Session, user, group: Organisation, selection: Selection) -> LearningResponse:
    if not policy.may_start_thematic_review(user, group):
        raise policy.NotPermitted("Only the PCN or federation's review panel can start a thematic review.")
    if selection.occurred_to < selection.occurred_from:
        raise ResponseError("occurred_to", "The last date must be on or after the first date")
    if count(session, group, selection) == 0:
        raise ResponseError("theme", "No events match these filters; widen them to start a review")
    response = new_response(session, ResponseMethod.THEMATIC_REVIEW, group.id, user)
    response.record = {"selection": {k: (v.isoformat() if isinstance(v, date) else v) for k, v in asdict(selection).items()}}
    # The snapshot: one INSERT ... SELECT, however many events match.
    session.execute(
        insert(thematic_review_events).from_select(
            ["response_id", "event_id"],
            _matching(group, selection).with_only_columns(literal(response.id), SafetyEvent.id),
        )
    )
    audit.record(
        session,
        actor_id=user.id,
        action="response:open",
        subject=response,
        organisation_id=group.id,
        changes={"state": {"before": None, "after": response.state}, "events": {"before": None, "after": count(session, group, selection)}},
    )
    session.flush()
    return response
