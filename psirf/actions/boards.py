"""Action boards: the queries behind 'My actions', an organisation's board and the ICB's view.

Every list is one query for its rows (the response, the organisation and the owner's organisation
joined in), keyset-paginated on (still open first, due date, id) so a long board stays fast at any
depth. The ICB's summary is one GROUP BY over its organisations. No Flask here.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import ColumnElement, Select, and_, case, false, func, literal, or_, select, true
from sqlalchemy.orm import Session, joinedload

from psirf import policy
from psirf.accounts.models import Role
from psirf.actions.models import SafetyAction, Strength
from psirf.actions.states import ActionState
from psirf.organisations.models import Organisation, OrganisationMembership
from psirf.organisations import services as organisation_services
from psirf.responses.timeliness import Timeliness
from psirf.timeutil import utcnow
from psirf.web.inputs import record_id
from psirf.web.pagination import read_cursor

# "Due soon" on the boards: due within this many days (the reminders use the responses' week).
DUE_SOON_DAYS = 14

# The status filter every board offers; the first is each board's default unless it says otherwise.
STATUSES = {
    "open": "All open",
    "due_soon": f"Due within {DUE_SOON_DAYS} days",
    "overdue": "Overdue",
    "completed": "Completed",
    "all": "All",
}

# What an empty board says, for each status.
EMPTY = {
    "open": "No open safety actions.",
    "due_soon": f"No safety actions are due within {DUE_SOON_DAYS} days.",
    "overdue": "No safety actions are overdue.",
    "completed": "No safety actions have been completed yet.",
    "all": "No safety actions yet.",
}

_FAR = date(9999, 12, 31)  # an action with no due date sorts after every dated one


# ---- what each status means, in SQL ------------------------------------------------------------


def _to_do() -> ColumnElement[bool]:
    """Not completed, not reviewed, not cancelled: the work is still to be done."""
    return and_(SafetyAction.completed_at.is_(None), SafetyAction.closed_at.is_(None))


def open_clause() -> ColumnElement[bool]:
    """Something is still due of it: being written, under way, or completed and awaiting review."""
    return SafetyAction.closed_at.is_(None)


def overdue_clause(today: date) -> ColumnElement[bool]:
    return and_(_to_do(), SafetyAction.due_on.is_not(None), SafetyAction.due_on < today)


def due_soon_clause(today: date) -> ColumnElement[bool]:
    return and_(
        _to_do(),
        SafetyAction.due_on >= today,
        SafetyAction.due_on <= today + timedelta(days=DUE_SOON_DAYS),
    )


def completed_clause() -> ColumnElement[bool]:
    return SafetyAction.completed_at.is_not(None)


def status_clause(status: str, today: date) -> ColumnElement[bool]:
    return {
        "open": open_clause,
        "due_soon": lambda: due_soon_clause(today),
        "overdue": lambda: overdue_clause(today),
        "completed": completed_clause,
    }.get(status, true)()


def known_status(status: str | None, default: str = "open") -> str:
    return status if status in STATUSES else default


# ---- how one action stands against its due date -------------------------------------------------


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def timeliness_of(action: SafetyAction, today: date | None = None) -> Timeliness:
    """The action's due or overdue status, in words and an NHS.UK tag colour (never colour alone)."""
    today = today or utcnow().date()
    due = action.due_on
    if action.state == ActionState.CANCELLED:
        return Timeliness(None, "Cancelled", "grey", False)
    if action.completed_at is not None:
        if due is None:
            return Timeliness(None, "Completed", "green", False)
        late = (action.completed_at.date() - due).days
        if late <= 0:
            return Timeliness(due, "Completed on time", "green", False)
        return Timeliness(due, f"Completed {_days(late)} late", "orange", False)
    if due is None:
        return Timeliness(None, "No due date", "grey", False)
    left = (due - today).days
    if left < 0:
        return Timeliness(due, f"Overdue by {_days(-left)}", "red", True)
    if left == 0:
        return Timeliness(due, "Due today", "orange", False)
    if left == 1:
        return Timeliness(due, "Due tomorrow", "yellow", False)
    return Timeliness(
        due, f"Due in {_days(left)}", "yellow" if left <= DUE_SOON_DAYS else "green", False
    )


# ---- keyset pages ---------------------------------------------------------------------------------


@dataclass
class Board:
    items: list[SafetyAction]
    next_cursor: str | None
    has_previous: bool


def _rank():
    return case((SafetyAction.closed_at.is_(None), 0), else_=1)


def _due_key():
    return func.coalesce(SafetyAction.due_on, literal(_FAR, SafetyAction.due_on.type))


def _encode(action: SafetyAction) -> str:
    key = [0 if action.closed_at is None else 1, (action.due_on or _FAR).isoformat(), action.id]
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


def _decode(cursor: str | None) -> tuple[int, date, int] | None:
    key = read_cursor(cursor)
    try:
        rank, due, row_id = key
        decoded = (int(rank), date.fromisoformat(due), record_id(row_id))
    except (ValueError, TypeError, OverflowError):
        return None  # a mangled cursor starts from the top rather than failing
    return decoded if decoded[0] in (0, 1) and decoded[2] is not None else None


def _page(session: Session, stmt: Select, cursor: str | None, size: int) -> Board:
    """Open actions first, then by due date (undated last), then id; `cursor` is the last row shown."""
    rank, due_key = _rank(), _due_key()
    after = _decode(cursor)
    if after:
        r, d, i = after
        stmt = stmt.where(
            or_(
                rank > r,
                and_(rank == r, or_(due_key > d, and_(due_key == d, SafetyAction.id > i))),
            )
        )
    stmt = (
        stmt.options(
            joinedload(SafetyAction.response),
            joinedload(SafetyAction.organisation),
            joinedload(SafetyAction.owner_organisation),
        )
        .order_by(rank, due_key, SafetyAction.id)
        .limit(size + 1)
    )
    rows = list(session.scalars(stmt).unique())
    items = rows[:size]
    return Board(items, _encode(items[-1]) if len(rows) > size else None, after is not None)


def _listing(
    session: Session, user, where: ColumnElement[bool], status: str, today: date, cursor, size
) -> Board:
    # The viewer's own scope as well as the board's: a board never shows an action its viewer may not see.
    stmt = select(SafetyAction).where(
        where, policy.action_scope(user), status_clause(status, today)
    )
    return _page(session, stmt, cursor, size)


# ---- the boards -----------------------------------------------------------------------------------


def _lead_organisations(user) -> list[int]:
    return [g.organisation_id for g in policy.grants(user) if g.role is Role.PATIENT_SAFETY_LEAD]


def mine_clause(user) -> ColumnElement[bool]:
    """The actions a person carries out: named as owner, or owned by an organisation they are the
    patient safety lead of (an owner without an account is the lead's to chase)."""
    if not policy.grants(user):
        return false()
    return or_(
        SafetyAction.owner_user_id == user.id,
        SafetyAction.owner_organisation_id.in_(_lead_organisations(user)),
    )


def mine(session: Session, user, status: str, today: date, cursor: str | None, size: int) -> Board:
    return _listing(session, user, mine_clause(user), status, today, cursor, size)


def _within(column, organisation: Organisation) -> ColumnElement[bool]:
    if not organisation.kind_enum.is_group:
        return column == organisation.id
    members = select(OrganisationMembership.member_id).where(
        OrganisationMembership.group_id == organisation.id
    )
    return or_(column == organisation.id, column.in_(members))


def organisation_clause(organisation: Organisation) -> ColumnElement[bool]:
    """The actions arising in the organisation's responses or owned by it; for a PCN or federation,
    its member organisations' too."""
    return or_(
        _within(SafetyAction.organisation_id, organisation),
        _within(SafetyAction.owner_organisation_id, organisation),
    )


def actions_of(organisation_ids: list[int]) -> ColumnElement[bool]:
    """`organisation_clause` over ids already read (an organisation and, for a group, its members):
    a plain IN list, which the planner estimates well inside the OR (the group dashboard's)."""
    return or_(
        SafetyAction.organisation_id.in_(organisation_ids),
        SafetyAction.owner_organisation_id.in_(organisation_ids),
    )


def organisation_board(
    session: Session,
    user,
    organisation: Organisation,
    status: str,
    today: date,
    cursor: str | None,
    size: int,
) -> Board:
    return _listing(session, user, organisation_clause(organisation), status, today, cursor, size)


def boards_for(session: Session, user) -> list[Organisation]:
    """The organisation boards a person's casework roles give them (the ICB's roles have the ICB view)."""
    ids = {
        g.organisation_id
        for g in policy.grants(user)
        if g.role in policy.CASEWORK_ROLES and g.role not in policy.ICB_ROLES
    }
    return organisation_services.by_ids(session, ids)


# ---- the ICB's view -------------------------------------------------------------------------------


def _icb_ids(user) -> list[int]:
    return sorted({g.organisation_id for g in policy.grants(user) if g.role in policy.ICB_ROLES})


def icb_clause(user) -> ColumnElement[bool]:
    """Actions arising in any organisation of the ICBs where the person holds an ICB role."""
    in_icb = select(Organisation.id).where(Organisation.icb_id.in_(_icb_ids(user)))
    return SafetyAction.organisation_id.in_(in_icb)


@dataclass(frozen=True)
class OrganisationCounts:
    organisation_id: int
    name: str
    open: int
    due_soon: int
    overdue: int
    completed: int
    weaker: int
    with_strength: int

    @property
    def weaker_share(self) -> str:
        if not self.with_strength:
            return "No strengths chosen"
        return f"{self.weaker} of {self.with_strength} ({round(100 * self.weaker / self.with_strength)}%)"


@dataclass
class SummaryPage:
    rows: list[OrganisationCounts]
    next_cursor: str | None
    has_previous: bool


def _summary_cursor(row: OrganisationCounts) -> str:
    return (
        base64.urlsafe_b64encode(json.dumps([row.name, row.organisation_id]).encode())
        .decode()
        .rstrip("=")
    )


def _after_organisation(cursor: str | None) -> tuple[str, int] | None:
    key = read_cursor(cursor)
    try:
        name, row_id = key
    except (ValueError, TypeError):
        return None
    row_id = record_id(row_id)
    return (name, row_id) if isinstance(name, str) and row_id is not None else None


def icb_summary(
    session: Session, user, today: date, cursor: str | None = None, size: int = 50
) -> SummaryPage:
    """A page of the ICB's organisations by name, with what is open, due soon, overdue and
    completed in each, and how many are weaker: one GROUP BY, keyset-paginated on (name, id), so
    a page costs the same however many organisations the ICB holds."""

    def counted(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    live = SafetyAction.state != ActionState.CANCELLED
    stmt = (
        select(
            Organisation.id,
            Organisation.name,
            counted(open_clause()),
            counted(due_soon_clause(today)),
            counted(overdue_clause(today)),
            counted(completed_clause()),
            counted(and_(live, SafetyAction.strength == Strength.WEAKER.value)),
            counted(and_(live, SafetyAction.strength.is_not(None))),
        )
        .join(SafetyAction, SafetyAction.organisation_id == Organisation.id)
        .where(icb_clause(user))
    )
    after = _after_organisation(cursor)
    if after:
        name, row_id = after
        stmt = stmt.where(
            or_(Organisation.name > name, and_(Organisation.name == name, Organisation.id > row_id))
        )
    stmt = (
        stmt.group_by(Organisation.id, Organisation.name)
        .order_by(Organisation.name, Organisation.id)
        .limit(size + 1)
    )
    rows = [
        OrganisationCounts(*(int(v) if i != 1 else v for i, v in enumerate(row)))
        for row in session.execute(stmt)
    ]
    shown = rows[:size]
    next_cursor = _summary_cursor(shown[-1]) if len(rows) > size else None
    return SummaryPage(shown, next_cursor, after is not None)


def icb_list(
    session: Session, user, status: str, today: date, cursor: str | None, size: int
) -> Board:
    return _listing(session, user, icb_clause(user), status, today, cursor, size)
