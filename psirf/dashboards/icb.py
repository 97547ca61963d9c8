"""The ICB quality committee's dashboard: plans by status, responses against the standards, themes
across PCNs and federations, safety action completion, family involvement, candour timeliness, the
XmR chart of events a month (series.py) and the equality breakdowns (equality.py). No Flask here;
each section is one or two GROUP BYs.

Definitions (stated on the page too):
- Offered involvement: of the learning responses started in the last 12 months (thematic reviews
  left out: they cover many events and no one patient), those with a patient, family member or
  carer recorded as affected who has at least one engagement step other than "could not be
  reached" (first contact, a being-open conversation, ..., or declining, which follows an offer).
- Candour timeliness: of the cases where the duty of candour was decided to apply in the last 12
  months, each notification (in person, written) is on time when made within the local target of
  working days from the decision, late when made after it or still not made once it has passed;
  cases still within the target and not yet notified are "not yet due" and left out of the share.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property

from sqlalchemy import Integer, and_, func, null, or_, select, union_all
from sqlalchemy.orm import Session

from psirf.actions.models import SafetyAction
from psirf.actions.states import ActionState
from psirf.engagement.candour_steps import DUE, CandourTargets, steps_for
from psirf.engagement.models import (
    AffectedPerson,
    CandourDecision,
    CandourRecord,
    EngagementStep,
    PersonKind,
    StepKind,
)
from psirf.events.counts import ThemeRollup
from psirf.events.lfpse import Theme
from psirf.organisations.models import Organisation, OrganisationMembership
from psirf.dashboards.equality import Breakdown, equality
from psirf.dashboards.series import Series, event_series
from psirf.dashboards.services import (
    ThemeCount,
    count_where as _sum,
    event_themes,
    groups_of_icb,
    in_icb,
    share,
    window_start,
)
from psirf.plans import services as plan_services
from psirf.responses import timeliness
from psirf.responses.models import LearningResponse, ResponseMethod
from psirf.workflow import definitions

TOP_THEMES = 5
FAMILY_KINDS = (PersonKind.PATIENT.value, PersonKind.FAMILY_MEMBER.value, PersonKind.CARER.value)


# ---- responses by method against the standards -----------------------------------------------


@dataclass(frozen=True)
class MethodRow:
    method: str
    target: str
    open: int
    overdue: int
    closed: int  # in the last 12 months
    closed_on_time: int

    @property
    def label(self) -> str:
        return ResponseMethod.label_for(self.method)

    @property
    def on_time_share(self) -> int | None:
        return share(self.closed_on_time, self.closed)


def target_text(target: dict) -> str:
    if target.get("close_within_hours"):
        return f"{target['close_within_hours']} hours"
    if target.get("close_within_days"):
        words = f"{target['close_within_days']} days"
        if target.get("at_most_days"):
            words += f" (at most {target['at_most_days']})"
        return words
    return "No target"


def _method_target(method: str) -> str:
    try:
        return target_text(definitions.for_method(method).target)
    except definitions.WorkflowError:
        return "No target"


def responses_by_method(session: Session, icb_id: int, now: datetime) -> list[MethodRow]:
    """Each response once, under the method it is now: one that changed course began once."""
    since = window_start(now.date())
    closed_recently = and_(
        LearningResponse.closed_at.is_not(None), LearningResponse.closed_at >= since
    )
    stmt = (
        select(
            LearningResponse.method,
            _sum(LearningResponse.closed_at.is_(None)),
            _sum(timeliness.overdue_clause(now)),
            _sum(closed_recently),
            _sum(and_(closed_recently, timeliness.closed_on_time_clause())),
        )
        .where(
            in_icb(LearningResponse.organisation_id, icb_id),
            # Every figure is of the open or the recently closed: the years of older closed
            # responses would only add noughts.
            or_(LearningResponse.closed_at.is_(None), LearningResponse.closed_at >= since),
        )
        .group_by(LearningResponse.method)
    )
    found = {row[0]: row for row in session.execute(stmt)}
    rows = []
    for method in ResponseMethod:
        row = found.get(method.value)
        counts = [int(v) for v in row[1:]] if row else [0, 0, 0, 0]
        rows.append(MethodRow(method.value, _method_target(method.value), *counts))
    return rows


# ---- themes across PCNs and federations -----------------------------------------------------------


@dataclass
class ThemeMatrix:
    themes: list[str]  # the ICB's largest themes, the columns
    rows: list[
        tuple[Organisation, list[int], int, int]
    ]  # group, counts per column, other themes, total
    long: list[tuple[str, str, int]] = field(
        default_factory=list
    )  # (group name, theme, count) for the CSV

    @staticmethod
    def label(theme: str) -> str:
        return Theme.label_for(theme)

    @cached_property
    def labels(self) -> list[str]:
        """The columns' labels, once: each row's cells name their column."""
        return [Theme.label_for(t) for t in self.themes]


def themes_by_group(
    session: Session, icb_id: int, groups: list[Organisation], today: date
) -> ThemeMatrix:
    """Events in each PCN's or federation's member organisations by theme, the last 12 months.
    A practice in both a PCN and a federation counts in both."""
    total = func.sum(ThemeRollup.count)
    stmt = (
        select(ThemeRollup.area_id, ThemeRollup.theme, total)
        .where(
            ThemeRollup.area_id.in_([g.id for g in groups]),
            ThemeRollup.month >= window_start(today),
        )
        .group_by(ThemeRollup.area_id, ThemeRollup.theme)
    )
    by_group: dict[int, dict[str, int]] = {}
    overall: dict[str, int] = {}
    for group_id, theme, n in session.execute(stmt):
        if n:
            by_group.setdefault(group_id, {})[theme] = int(n)
            overall[theme] = overall.get(theme, 0) + int(n)
    themes = [t for t, _ in sorted(overall.items(), key=lambda kv: (-kv[1], kv[0]))][:TOP_THEMES]
    labels = {t: Theme.label_for(t) for t in overall}  # once each, not once a cell
    rows, long = [], []
    for g in groups:
        cells = by_group.get(g.id, {})
        counts = [cells.get(t, 0) for t in themes]
        whole = sum(cells.values())
        rows.append((g, counts, whole - sum(counts), whole))
        long += [(g.name, labels[t], n) for t, n in sorted(cells.items())]
    return ThemeMatrix(themes, rows, long)


# ---- safety action completion -----------------------------------------------------------------------


@dataclass(frozen=True)
class ActionRow:
    name: str
    total: int  # not cancelled
    completed: int
    overdue: int

    @property
    def completed_share(self) -> int | None:
        return share(self.completed, self.total)


def action_completion(
    session: Session, icb_id: int, groups: list[Organisation], today: date
) -> tuple[list[ActionRow], ActionRow]:
    """By PCN or federation (its member organisations' responses' actions), and the ICB's total.

    One statement that reads the ICB's actions once: each organisation's figures first (a row an
    organisation), then those summed by group and over the whole ICB. A service in both a PCN and
    a federation counts in both groups and once in the total."""
    from psirf.actions.boards import overdue_clause

    live = SafetyAction.state != ActionState.CANCELLED
    per_organisation = (
        select(
            SafetyAction.organisation_id.label("organisation_id"),
            _sum(live).label("total"),
            _sum(and_(live, SafetyAction.completed_at.is_not(None))).label("completed"),
            _sum(overdue_clause(today)).label("overdue"),
        )
        .where(in_icb(SafetyAction.organisation_id, icb_id))
        .group_by(SafetyAction.organisation_id)
        .cte("per_organisation")
    )
    figures = [
        func.sum(per_organisation.c.total),
        func.sum(per_organisation.c.completed),
        func.sum(per_organisation.c.overdue),
    ]
    # Each organisation's groups, by member_id: a service joins only its own ICB's groups
    # (organisations.services.join_group), so no list of the groups is needed here; filtering by
    # one made SQLite probe every group for each organisation.
    by_group = (
        select(OrganisationMembership.group_id, *figures)
        .join(
            OrganisationMembership,
            OrganisationMembership.member_id == per_organisation.c.organisation_id,
        )
        .group_by(OrganisationMembership.group_id)
    )
    whole_icb = select(null().cast(Integer), *figures)  # the total's row: no group
    found = {
        group_id: [int(v or 0) for v in rest]
        for group_id, *rest in session.execute(union_all(by_group, whole_icb))
    }
    rows = [ActionRow(g.name, *found.get(g.id, [0, 0, 0])) for g in groups]
    return rows, ActionRow("Whole ICB", *found.get(None, [0, 0, 0]))


# ---- family involvement ------------------------------------------------------------------------------


@dataclass(frozen=True)
class InvolvementRow:
    method: str
    responses: int
    with_family: int  # a patient, family member or carer recorded as affected
    offered: int

    @property
    def label(self) -> str:
        return ResponseMethod.label_for(self.method) if self.method else "All methods"

    @property
    def offered_share(self) -> int | None:
        return share(self.offered, self.responses)


def family_involvement(
    session: Session, icb_id: int, today: date
) -> tuple[list[InvolvementRow], InvolvementRow]:
    # Uncorrelated IN-subqueries: each is read once (hashed), not probed once per response as the
    # EXISTS it replaces was.
    family = AffectedPerson.kind.in_(FAMILY_KINDS)
    with_family = select(AffectedPerson.response_id).where(family)
    offered = (
        select(AffectedPerson.response_id)
        .join(EngagementStep, EngagementStep.person_id == AffectedPerson.id)
        .where(family, EngagementStep.kind != StepKind.NOT_REACHED.value)
    )
    stmt = (
        select(
            LearningResponse.method,
            func.count(),
            _sum(LearningResponse.id.in_(with_family)),
            _sum(LearningResponse.id.in_(offered)),
        )
        .where(
            in_icb(LearningResponse.organisation_id, icb_id),
            LearningResponse.method != ResponseMethod.THEMATIC_REVIEW.value,
            LearningResponse.created_at >= window_start(today),
        )
        .group_by(LearningResponse.method)
        .order_by(LearningResponse.method)
    )
    rows = [InvolvementRow(m, int(n), int(f), int(o)) for m, n, f, o in session.execute(stmt)]
    total = InvolvementRow(
        "",
        sum(r.responses for r in rows),
        sum(r.with_family for r in rows),
        sum(r.offered for r in rows),
    )
    return rows, total


# ---- candour timeliness ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CandourRow:
    step: str
    label: str
    on_time: int
    late: int  # made after the target, or not made and the target has passed
    not_yet_due: int

    @property
    def on_time_share(self) -> int | None:
        return share(self.on_time, self.on_time + self.late)


CANDOUR_STEPS = (
    ("notified_on", "Notification in person or by phone"),
    ("written_on", "Written notification"),
)


def candour_timeliness(
    session: Session, icb_id: int, today: date, days: int
) -> tuple[list[CandourRow], int]:
    """Per notification step, against the local target of `days` working days from the decision,
    as the candour page counts it (a step regulation 20(5) lifts is left out). Worked here over
    the ICB's notifiable cases of the last 12 months (a few rows: moderate harm or worse), which
    come in one query."""
    stmt = (
        select(CandourRecord)
        .join(LearningResponse, LearningResponse.id == CandourRecord.response_id)
        .where(
            in_icb(LearningResponse.organisation_id, icb_id),
            CandourRecord.decision == CandourDecision.APPLIES.value,
            CandourRecord.decided_on >= window_start(today),
        )
    )
    targets = CandourTargets(notice_days=days)
    cases = [
        {s.name: s for s in steps_for(record, today, targets)} for record in session.scalars(stmt)
    ]
    rows = []
    for step, label in CANDOUR_STEPS:
        taken = [case[step] for case in cases if case[step].needed]
        on_time = sum(1 for s in taken if s.on_time)
        pending = sum(1 for s in taken if s.status == DUE)
        rows.append(CandourRow(step, label, on_time, len(taken) - on_time - pending, pending))
    return rows, len(cases)


# ---- the whole page ----------------------------------------------------------------------------------


class IcbDashboard:
    """The ICB's dashboard at `now`. Each section runs its queries when first read: the page reads
    them all, a CSV download or the chart only its own."""

    def __init__(
        self,
        session: Session,
        icb: Organisation,
        now: datetime,
        *,
        theme: str,
        group: Organisation | None,
        candour_days: int,
        baseline: int | None = None,
    ):
        self.session, self.icb, self.now = session, icb, now
        self.theme, self.group, self.candour_days, self.baseline = (
            theme,
            group,
            candour_days,
            baseline,
        )
        self.today = now.date()
        self.since = window_start(self.today)

    @cached_property
    def groups(self) -> list[Organisation]:
        return groups_of_icb(self.session, self.icb.id)

    @cached_property
    def plans(self) -> list[tuple]:  # psirf.plans.services.icb_overview
        return plan_services.icb_overview(self.session, self.groups)

    @cached_property
    def methods(self) -> list[MethodRow]:
        return responses_by_method(self.session, self.icb.id, self.now)

    @cached_property
    def themes(self) -> ThemeMatrix:
        return themes_by_group(self.session, self.icb.id, self.groups, self.today)

    @cached_property
    def icb_themes(self) -> list[ThemeCount]:
        return event_themes(self.session, self.icb.id, self.since, own=False)

    @cached_property
    def _actions(self) -> tuple[list[ActionRow], ActionRow]:
        return action_completion(self.session, self.icb.id, self.groups, self.today)

    @property
    def actions(self) -> list[ActionRow]:
        return self._actions[0]

    @property
    def actions_total(self) -> ActionRow:
        return self._actions[1]

    @cached_property
    def _involvement(self) -> tuple[list[InvolvementRow], InvolvementRow]:
        return family_involvement(self.session, self.icb.id, self.today)

    @property
    def involvement(self) -> list[InvolvementRow]:
        return self._involvement[0]

    @property
    def involvement_total(self) -> InvolvementRow:
        return self._involvement[1]

    @cached_property
    def _candour(self) -> tuple[list[CandourRow], int]:
        return candour_timeliness(self.session, self.icb.id, self.today, self.candour_days)

    @property
    def candour(self) -> list[CandourRow]:
        return self._candour[0]

    @property
    def candour_cases(self) -> int:
        return self._candour[1]

    @cached_property
    def series(self) -> Series:
        group_id = self.group.id if self.group else None
        return event_series(
            self.session, self.icb.id, self.theme, self.today, group_id, baseline=self.baseline
        )

    @cached_property
    def equality(self) -> list[Breakdown]:
        return equality(self.session, self.icb.id, self.today)


def icb_dashboard(
    session: Session,
    icb: Organisation,
    now: datetime,
    *,
    theme: str,
    group: Organisation | None,
    candour_days: int,
    baseline: int | None = None,
) -> IcbDashboard:
    return IcbDashboard(
        session,
        icb,
        now,
        theme=theme,
        group=group,
        candour_days=candour_days,
        baseline=baseline,
    )
