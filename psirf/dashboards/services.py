"""The PCN's or federation's panel dashboard, and what both dashboards share. No Flask here.

Event figures come from the rollups (psirf/events/rollups.py), never by scanning the events table;
lists are bounded (the first `LIST_LIMIT` rows, with the total); every figure is one GROUP BY.
Each section is computed when first read, so a CSV of one table computes that table alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property

from sqlalchemy import ColumnElement, String, and_, false, func, literal, or_, select, union_all
from sqlalchemy.orm import Session, aliased, load_only

from psirf.actions import boards
from psirf.actions.models import SafetyAction
from psirf.events.counts import EventCount, ThemeRollup, counted_record_types
from psirf.timeutil import add_months
from psirf.events.lfpse import REPEAT_PRESENTATION, insight_theme_label
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
    """SQL: how many rows meet `condition` (0, not NULL, when none do). An aggregate FILTER
    (PostgreSQL; SQLite since 3.30) rather than a sum of CASEs: no value made for each row."""
    return func.count().filter(condition)


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


# What a list of responses shows (reference, organisation, method, state, due): the record's answers,
# a JSON document per response, are left in the table.
_LISTED = (
    LearningResponse.id,
    LearningResponse.reference,
    LearningResponse.method,
    LearningResponse.organisation_id,
    LearningResponse.workflow_name,
    LearningResponse.workflow_version,
    LearningResponse.state,
    LearningResponse.due_on,
    LearningResponse.due_at,
    LearningResponse.closed_at,
    LearningResponse.created_at,
)


def _responses(session: Session, where, order) -> Listing:
    """The first LIST_LIMIT rows and how many there are in all, in one statement: the total is a
    window count over the rows the WHERE keeps, taken before the LIMIT."""
    rows = session.execute(
        select(LearningResponse, func.count().over())
        .options(load_only(*_LISTED))
        .where(where)
        .order_by(*order)
        .limit(LIST_LIMIT)
    ).all()
    return Listing([r for r, _ in rows], rows[0][1] if rows else 0)


@dataclass(frozen=True)
class ThemeCount:
    theme: str
    count: int

    @property
    def label(self) -> str:
        return insight_theme_label(self.theme)


def area_themes(area_id: int, since: date, until: date | None = None, *, own: bool = False):
    """(month, theme, count) rows of safety events in an area (an ICB, or a PCN's or federation's
    member organisations) from `since`, up to `until` if given, repeat presentation among the
    themes. With `own`, a PCN's or federation's own events too (from its service's counts: the
    rollup holds its members')."""

    def months(column):
        return and_(column >= since, column <= until) if until else column >= since

    # Each rollup row once for its theme, and again for repeat presentation (a theme of its own in
    # insight: its events are diagnosis events too) when it counts any.
    repeat = literal(REPEAT_PRESENTATION, String)
    in_area = (ThemeRollup.area_id == area_id, months(ThemeRollup.month))
    parts = [
        select(ThemeRollup.month, ThemeRollup.theme, ThemeRollup.count).where(*in_area),
        select(ThemeRollup.month, repeat, ThemeRollup.repeat_presentations).where(
            *in_area, ThemeRollup.repeat_presentations > 0
        ),
    ]
    if own:
        mine = (
            EventCount.organisation_id == area_id,
            months(EventCount.month),
            EventCount.record_type.in_(counted_record_types()),
        )
        parts += [
            select(EventCount.month, EventCount.theme, EventCount.count).where(*mine),
            select(EventCount.month, repeat, EventCount.repeat_presentations).where(
                *mine, EventCount.repeat_presentations > 0
            ),
        ]
    return union_all(*parts).subquery("area_themes")


def event_themes(session: Session, area_id: int, since: date, *, own: bool) -> list[ThemeCount]:
    """Events by theme in an area (good care left out), largest first."""
    rows = area_themes(area_id, since, own=own)
    total = func.sum(rows.c.count)
    stmt = select(rows.c.theme, total).group_by(rows.c.theme).order_by(total.desc(), rows.c.theme)
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


class GroupDashboard:
    """The panel's dashboard at `now`: a response with a target in hours is overdue from its hour.
    Each section is one or two queries, run when first read."""

    def __init__(self, session: Session, group: Organisation, now: datetime):
        self.session, self.group, self.now = session, group, now
        self.today = now.date()
        self.since = window_start(self.today)

    @cached_property
    def organisation_ids(self) -> list[int]:
        """The group itself (a PCN-wide thematic review is its own) and its members, read once and given to each list as a plain IN list.
        Inside an OR, a membership IN-subquery left PostgreSQL guessing 40 times too many overdue
        responses, so it merge-joined every event of the ICB (55 ms at 1M) where 21 responses
        needed 21 index lookups (under 1 ms)."""
        return [self.group.id, *self.session.scalars(members_of(self.group.id))]

    @property
    def _in_this(self) -> ColumnElement[bool]:
        return LearningResponse.organisation_id.in_(self.organisation_ids)

    @cached_property
    def awaiting(self) -> Listing:
        return _responses(
            self.session,
            and_(self._in_this, awaiting_panel_clause()),
            (LearningResponse.updated_at, LearningResponse.id),
        )

    @cached_property
    def overdue_responses(self) -> Listing:
        order = (LearningResponse.due_on, LearningResponse.due_at, LearningResponse.id)
        return _responses(
            self.session, and_(self._in_this, timeliness.overdue_clause(self.now)), order
        )

    @cached_property
    def overdue_actions(self) -> Listing:
        """Scoped as the group's board is (boards.actions_of), over the ids read once. Plain rows
        of what the table and its CSV show, and the total, in one statement."""
        ids = self.organisation_ids
        arising, owner = aliased(Organisation), aliased(Organisation)
        rows = self.session.execute(
            select(
                SafetyAction.id,
                SafetyAction.description,
                SafetyAction.due_on,
                LearningResponse.reference.label("response_reference"),
                arising.name.label("organisation_name"),
                owner.name.label("owner_organisation_name"),
                func.count().over().label("total"),
            )
            .join(LearningResponse, LearningResponse.id == SafetyAction.response_id)
            .join(arising, arising.id == SafetyAction.organisation_id)
            .outerjoin(owner, owner.id == SafetyAction.owner_organisation_id)
            .where(boards.actions_of(ids), boards.overdue_clause(self.today))
            .order_by(SafetyAction.due_on, SafetyAction.id)
            .limit(LIST_LIMIT)
        ).all()
        return Listing(rows, rows[0].total if rows else 0)

    @cached_property
    def themes(self) -> list[ThemeCount]:
        """Events by theme, the last 12 months: the members' and the group's own."""
        return event_themes(self.session, self.group.id, self.since, own=True)

    @cached_property
    def overdue_themes(self) -> list[ThemeCount]:
        """Themes of the overdue responses' events."""
        return overdue_response_themes(self.session, self._in_this, self.now)


def group_dashboard(session: Session, group: Organisation, now: datetime) -> GroupDashboard:
    return GroupDashboard(session, group, now)
