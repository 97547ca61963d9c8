"""The PCN's or federation's panel dashboard, and what both dashboards share. No Flask here.

Event figures come from the monthly counts (`event_counts`), never by scanning the events table;
lists are bounded (the first `LIST_LIMIT` rows, with the total); every figure is one GROUP BY.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, case, false, func, or_, select
from sqlalchemy.orm import Session, joinedload

from psirf.actions import boards
from psirf.actions.models import SafetyAction
from psirf.events.counts import EventCount, counted_record_types
from psirf.timeutil import add_months
from psirf.events.lfpse import Theme
from psirf.events.models import SafetyEvent
from psirf.organisations.models import Organisation, OrganisationKind, OrganisationMembership
from psirf.responses import timeliness
from psirf.responses.models import LearningResponse
from psirf.workflow import definitions

LIST_LIMIT = 100
THEME_MONTHS = 12
PANEL_ROLE = "review_panel_member"


# ---- months ----------------------------------------------------------------------------------------


def count_where(condition):
    """SQL: how many rows meet `condition` (0, not NULL, when none do)."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def share(part: int, whole: int) -> int | None:
    """A whole-number percentage, or None when there is nothing to divide by."""
    return round(100 * part / whole) if whole else None


def month_start(day: date) -> date:
    return day.replace(day=1)


def months_from(first: date, last: date) -> list[date]:
    """The first day of every month from `first`'s to `last`'s, both included."""
    months, current = [], month_start(first)
    while current <= month_start(last):
        months.append(current)
        current = add_months(current, 1)
    return months


def window_start(today: date, months: int = THEME_MONTHS) -> date:
    """The first day of the earliest of the last `months` months, this month included."""
    return add_months(month_start(today), -(months - 1))


# ---- scopes -----------------------------------------------------------------------------------------


def members_of(group_id: int):
    return select(OrganisationMembership.member_id).where(
        OrganisationMembership.group_id == group_id
    )


def in_group(column, group_id: int) -> ColumnElement[bool]:
    """The group itself (a PCN-wide thematic review) and its member organisations."""
    return or_(column == group_id, column.in_(members_of(group_id)))


def in_icb(column, icb_id: int) -> ColumnElement[bool]:
    return column.in_(select(Organisation.id).where(Organisation.icb_id == icb_id))


def groups_of_icb(session: Session, icb_id: int) -> list[Organisation]:
    kinds = [OrganisationKind.PCN.value, OrganisationKind.FEDERATION.value]
    return list(
        session.scalars(
            select(Organisation)
            .where(Organisation.icb_id == icb_id, Organisation.kind.in_(kinds))
            .order_by(Organisation.name)
        )
    )


# ---- responses awaiting the panel -------------------------------------------------------------


def panel_states() -> dict[tuple[str, int], list[str]]:
    """Each workflow version's states in which the review panel acts."""
    found: dict[tuple[str, int], list[str]] = {}
    for key, definition in definitions.load_all().items():
        states = [
            s.name for s in definition.states.values() if s.acts == PANEL_ROLE and not s.final
        ]
        if states:
            found[key] = states
    return found


def awaiting_panel_clause() -> ColumnElement[bool]:
    clauses = [
        and_(
            LearningResponse.workflow_name == name,
            LearningResponse.workflow_version == version,
            LearningResponse.state.in_(states),
        )
        for (name, version), states in sorted(panel_states().items())
    ]
    return and_(LearningResponse.closed_at.is_(None), or_(*clauses)) if clauses else false()


@dataclass
class Listing:
    items: list
    total: int

    @property
    def truncated(self) -> bool:
        return self.total > len(self.items)


def _responses(session: Session, where, order) -> Listing:
    total = session.scalar(select(func.count()).select_from(LearningResponse).where(where)) or 0
    items = list(
        session.scalars(select(LearningResponse).where(where).order_by(*order).limit(LIST_LIMIT))
    )
    return Listing(items, total)


@dataclass(frozen=True)
class ThemeCount:
    theme: str
    count: int

    @property
    def label(self) -> str:
        return Theme.label_for(self.theme)


@dataclass
class GroupDashboard:
    group: Organisation
    awaiting: Listing
    overdue_responses: Listing
    overdue_actions: Listing
    themes: list[ThemeCount]  # events by theme, the last 12 months
    overdue_themes: list[ThemeCount]  # themes of the overdue responses' events
    since: date
    today: date


def event_themes(session: Session, where, since: date) -> list[ThemeCount]:
    """Events by theme from the monthly counts (good care left out), largest first."""
    total = func.sum(EventCount.count)
    stmt = (
        select(EventCount.theme, total)
        .where(where, EventCount.month >= since, EventCount.record_type.in_(counted_record_types()))
        .group_by(EventCount.theme)
        .order_by(total.desc(), EventCount.theme)
    )
    return [ThemeCount(theme, int(n)) for theme, n in session.execute(stmt) if n]


def overdue_response_themes(session: Session, where_response, now: datetime) -> list[ThemeCount]:
    """The themes of the events that started the overdue responses (one GROUP BY)."""
    n = func.count(SafetyEvent.id)
    stmt = (
        select(SafetyEvent.theme, n)
        .join(LearningResponse, LearningResponse.id == SafetyEvent.learning_response_id)
        .where(where_response, timeliness.overdue_clause(now))
        .group_by(SafetyEvent.theme)
        .order_by(n.desc(), SafetyEvent.theme)
    )
    return [ThemeCount(theme, int(count)) for theme, count in session.execute(stmt)]


def group_dashboard(session: Session, group: Organisation, now: datetime) -> GroupDashboard:
    """The panel's dashboard at `now`: a response with a target in hours is overdue from its hour."""
    today = now.date()
    in_this = in_group(LearningResponse.organisation_id, group.id)
    order = (LearningResponse.due_on, LearningResponse.due_at, LearningResponse.id)
    action_where = and_(boards.organisation_clause(group), boards.overdue_clause(today))
    actions_total = (
        session.scalar(select(func.count()).select_from(SafetyAction).where(action_where)) or 0
    )
    actions = list(
        session.scalars(
            select(SafetyAction)
            .where(action_where)
            .options(
                joinedload(SafetyAction.response),
                joinedload(SafetyAction.organisation),
                joinedload(SafetyAction.owner_organisation),
            )
            .order_by(SafetyAction.due_on, SafetyAction.id)
            .limit(LIST_LIMIT)
        ).unique()
    )
    since = window_start(today)
    return GroupDashboard(
        group=group,
        awaiting=_responses(
            session,
            and_(in_this, awaiting_panel_clause()),
            (LearningResponse.updated_at, LearningResponse.id),
        ),
        overdue_responses=_responses(session, and_(in_this, timeliness.overdue_clause(now)), order),
        overdue_actions=Listing(actions, actions_total),
        themes=event_themes(session, in_group(EventCount.organisation_id, group.id), since),
        overdue_themes=overdue_response_themes(session, in_this, now),
        since=since,
        today=today,
    )
