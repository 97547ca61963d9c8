"""Learning responses built straight as rows, for the tests of timeliness and the overdue list."""

from __future__ import annotations

import itertools

from psirf.responses.models import LearningResponse
from psirf.workflow import definitions


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
