"""Changing course: a response going on as another method, and responses linked to each other.

The earlier response keeps its record, history and audit; the new one starts fresh in its own
workflow, carries the same events, and the link between them shows on both pages.
"""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from psirf import audit, policy
from psirf.db import check_version, record_change
from psirf.responses.models import LearningResponse, LinkKind, ResponseLink, ResponseMethod
from psirf.problems import InputError


def continue_as(
    session: Session, response: LearningResponse, method: str, actor, kind: str
) -> LearningResponse:
    from psirf.responses.services import new_response

    successor = new_response(session, ResponseMethod(method), response.organisation_id, actor)
    for event in list(response.events):
        event.learning_response_id = successor.id
    session.add(
        ResponseLink(from_id=response.id, to_id=successor.id, kind=kind, created_by_id=actor.id)
    )
    audit.record(
        session,
        actor_id=actor.id,
        action="response:continued",
        subject=successor,
        organisation_id=successor.organisation_id,
        changes={
            "state": {"before": None, "after": successor.state},
            "from": {"before": None, "after": response.reference},
        },
    )
    session.flush()
    return successor


def links_of(session: Session, response: LearningResponse) -> list[tuple[str, LearningResponse]]:
    """Each linked response with how it relates to this one, in plain words."""
    rows = session.scalars(
        select(ResponseLink).where(
            or_(ResponseLink.from_id == response.id, ResponseLink.to_id == response.id)
        )
    ).all()
    described = []
    for link in rows:
        if link.from_id == response.id:
            described.append((LinkKind.label_for(link.kind), link.target))
        else:
            earlier = {
                "became": "Continued from",
                "escalated_to": "Escalated from",
                "widened_to": "Widened from",
            }
            described.append((earlier.get(link.kind, "Related to"), link.source))
    return described


def link(
    session: Session,
    response: LearningResponse,
    reference: str,
    actor,
    expected_version: int | None = None,
) -> ResponseLink:
    """Link two responses both visible to the actor, as related."""
    policy.require_may_link_responses(actor, response)
    check_version(response, expected_version)
    other = session.scalar(
        select(LearningResponse).where(
            LearningResponse.reference == (reference or "").strip().upper()
        )
    )
    if other is None or not policy.response_roles(actor, other):
        raise InputError(
            "reference",
            "Enter the reference of a learning response you can see, like LR-2026-000123",
        )
    if other.id == response.id:
        raise InputError("reference", "A response cannot be linked to itself")
    exists = session.scalar(
        select(ResponseLink).where(
            or_(
                (ResponseLink.from_id == response.id) & (ResponseLink.to_id == other.id),
                (ResponseLink.from_id == other.id) & (ResponseLink.to_id == response.id),
            )
        )
    )
    if exists:
        raise InputError("reference", "These responses are already linked")
    created = ResponseLink(
        from_id=response.id, to_id=other.id, kind=LinkKind.RELATED.value, created_by_id=actor.id
    )
    session.add(created)
    record_change(
        session,
        response,
        actor_id=actor.id,
        action="response:link",
        changes={"linked": {"before": None, "after": other.reference}},
    )
    return created


def successor_of(session: Session, response: LearningResponse) -> LearningResponse | None:
    """The response this one went on as, if it changed course."""
    kinds = (LinkKind.BECAME.value, LinkKind.ESCALATED_TO.value, LinkKind.WIDENED_TO.value)
    return session.scalar(
        select(LearningResponse)
        .join(ResponseLink, ResponseLink.to_id == LearningResponse.id)
        .where(ResponseLink.from_id == response.id, ResponseLink.kind.in_(kinds))
    )
