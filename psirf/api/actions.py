"""Safety actions: the boards' lists (yours, an organisation's, the ICB's) and one action.

The same queries and policy as the boards (psirf.actions.boards: the viewer's own scope within
each board's, open first, then by due date, keyset-paged) and the action's page.
"""

from __future__ import annotations

from flask_login import current_user

from psirf import policy
from psirf.actions import boards, schemas, services
from psirf.api.paging import PageQuery, page_schema, page_size, paged
from psirf.api.registry import operation
from psirf.api.replies import reply
from psirf.extensions import db
from psirf.organisations import services as organisations
from psirf.problems import InputError
from psirf.timeutil import utcnow
from psirf.web.loading import fetch

_ACTION = schemas.ActionSchema()


class ActionQuery(PageQuery, schemas.BoardQuery):
    pass


ActionPage = page_schema(schemas.ActionSchema, "ActionPage")


def _board(user, query: dict):
    """The board the query names, each refused as its page refuses it."""
    today = utcnow().date()
    cursor, size = query.get("cursor"), page_size(query)
    board = query["board"]
    if board == "icb":
        policy.require_icb_oversight(user)
        status = boards.known_status(query.get("status"), "overdue")
        return boards.icb_list(db.session, user, status, today, cursor, size)
    policy.require_staff(user, "Safety actions are for staff.")
    status = boards.known_status(query.get("status"))
    if board == "mine":
        return boards.mine(db.session, user, status, today, cursor, size)
    if query.get("organisation_id") is None:
        raise InputError("organisation_id", "Say which organisation's board to read.")
    organisation = fetch(
        organisations.get, query["organisation_id"], policy.require_casework_visible
    )
    return boards.organisation_board(db.session, user, organisation, status, today, cursor, size)


@operation(
    "/actions",
    summary="A board of safety actions",
    tag="actions",
    query=ActionQuery,
    response=ActionPage,
    errors=(403,),
)
def index(query):
    """Still open first, then by due date (undated last): your own actions, an organisation's
    board, or the ICB's, each as its page lists them."""
    page = _board(current_user._get_current_object(), query)
    return paged(page, [_ACTION.dump(a) for a in page.items])


@operation(
    "/actions/<int:action_id>",
    summary="One safety action",
    tag="actions",
    response=schemas.ActionSchema,
)
def show(action_id):
    """The action as its page shows it; the ETag is its version."""
    action = fetch(services.get, action_id, policy.require_action_visible)
    return reply(_ACTION.dump(action), version=action.version_id)
