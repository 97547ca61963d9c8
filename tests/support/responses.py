"""Learning responses built straight as rows (for the tests of timeliness and the overdue list),
and their steps, sections and audit trail as the services write them."""

from __future__ import annotations

import itertools

from sqlalchemy import select

from psirf.audit import AuditRecord
from psirf.db import unit_of_work
from psirf.responses import services
from psirf.responses.models import LearningResponse
from psirf.workflow import definitions, runner


_NUMBERS = itertools.count(1)


def response_row(session, organisation, due_on, closed_at=None, due_at=None, method=None):
    """An after action review (or a response of `method`) due on `due_on`, or at `due_at` when
    its target counts in hours."""
    definition = definitions.get(method or "after_action_review")
    row = LearningResponse(
        reference=f"LR-T-{next(_NUMBERS):06d}",
        method=definition.method,
        organisation=organisation,
        workflow_name=definition.name,
        workflow_version=definition.version,
        state=definition.initial,
        due_on=due_on,
        due_at=due_at,
        closed_at=closed_at,
    )
    session.add(row)
    return row


def fire(session, response, trigger, actor, comment=None):
    """Take a workflow step as the service would, in its own transaction."""
    with unit_of_work(session):
        return runner.fire(session, response, trigger, actor, response.version_id, comment)


def save(session, response, section, actor, **values):
    """Save one section of the response's record, in its own transaction."""
    with unit_of_work(session):
        services.save_section(session, actor, response, section, values, response.version_id)


def trail(session, response) -> list[AuditRecord]:
    """The response's own audit records, oldest first."""
    return session.scalars(
        select(AuditRecord)
        .where(
            AuditRecord.subject_type == LearningResponse.__tablename__,
            AuditRecord.subject_id == response.id,
        )
        .order_by(AuditRecord.id)
    ).all()
