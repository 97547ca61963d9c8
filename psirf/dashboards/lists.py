"""The ICB's overdue lists: learning responses past their due date, and duty of candour steps past
their local target, across the organisations a person sees.

Each list is one or two queries however many rows, and a page model of rows for its template.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from psirf import policy
from psirf.engagement.candour_steps import CandourStep, CandourTargets, overdue_clause, steps_for
from psirf.engagement.models import CandourDecision, CandourRecord
from psirf.responses import timeliness
from psirf.responses.models import LearningResponse
from psirf.workflow import runner

# ---- overdue responses ---------------------------------------------------------------------


@dataclass
class OverduePage:
    items: list[LearningResponse]
    total: int
    limit: int

    @property
    def truncated(self) -> bool:
        return self.total > len(self.items)


def overdue_for(session: Session, user, now: datetime, limit: int = 200) -> OverduePage:
    """Open responses past their deadline at `now` that `user` may see, oldest due first, at most
    `limit` of them, with the total count. Two queries however many rows (organisation is joined)."""
    where = and_(
        policy.casework_scope(user, LearningResponse.organisation_id),
        timeliness.overdue_clause(now),
    )
    total = session.scalar(select(func.count()).select_from(LearningResponse).where(where)) or 0
    items = list(
        session.scalars(
            select(LearningResponse)
            .where(where)
            .order_by(LearningResponse.due_on, LearningResponse.due_at, LearningResponse.id)
            .limit(limit)
        )
    )
    return OverduePage(items=items, total=total, limit=limit)


@dataclass
class OverdueRow:
    response: LearningResponse
    step: str
    timeliness: timeliness.Timeliness


def overdue_rows(page: OverduePage, now: datetime) -> list[OverdueRow]:
    """Each overdue response with its step's label and its timeliness against its own target."""
    rows = []
    for response in page.items:
        definition = runner.definition_of(response)
        rows.append(
            OverdueRow(
                response,
                definition.state(response.state).label,
                timeliness.status(response, now, definition.target),
            )
        )
    return rows


# ---- overdue duty of candour ---------------------------------------------------------------


def overdue_candour(
    session: Session, user, today: date, targets: CandourTargets, limit: int = 200
) -> list[tuple[LearningResponse, CandourRecord]]:
    """Responses `user` sees where the duty of candour applies and a needed step is past its local
    target (candour_steps says which are needed and when each is due)."""
    stmt = (
        select(LearningResponse, CandourRecord)
        .join(CandourRecord, CandourRecord.response_id == LearningResponse.id)
        .where(
            policy.response_scope(user),
            CandourRecord.decision == CandourDecision.APPLIES.value,
            overdue_clause(today, targets),
        )
        .order_by(CandourRecord.decided_on, LearningResponse.id)
        .limit(limit)
    )
    return [(r, c) for r, c in session.execute(stmt).all()]


@dataclass
class CandourRow:
    response: LearningResponse
    step: str
    steps: list[CandourStep]
    record: CandourRecord


def candour_rows(
    session: Session, user, today: date, targets: CandourTargets, limit: int
) -> list[CandourRow]:
    """The overdue candour list's rows: each response's workflow step and its candour steps, each
    with its status and when it is due."""
    return [
        CandourRow(
            response,
            runner.definition_of(response).state(response.state).label,
            steps_for(record, today, targets),
            record,
        )
        for response, record in overdue_candour(session, user, today, targets, limit)
    ]
