"""Safety improvement plans: one programme that gathers safety actions from many responses, takes
on priorities from the PSIRF plan and good care to spread, and reads its measure over time.

Who reads and who changes a plan is decided in `psirf.policy` (`improvement_plan_scope`,
`may_manage_improvement_plan`); these functions ask it and never decide it themselves. Every
change bumps the plan's version (a stale tab is refused) and is audited.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from psirf import audit, policy
from psirf.db import check_version, record_change
from psirf.actions.models import SafetyAction, Strength
from psirf.actions.states import ActionState
from psirf.improvement.models import (
    ImprovementPlan,
    ItemKind,
    MeasureReading,
    PlanItem,
    improvement_plan_actions,
)
from psirf.improvement.progress import MonthProgress, monthly_progress, percent
from psirf.library.models import EntryKind, LibraryEntry
from psirf.organisations.models import Organisation, OrganisationMembership
from psirf.responses.models import LearningResponse
from psirf.plans.services import local_focus_for
from psirf.triage.recommend import LocalFocus
from psirf.web.pagination import Page, keyset_page
from psirf.problems import InputError

# States in which nothing more is done; a cancelled action is left out of every count.
CANCELLED = ActionState.CANCELLED
FINISHED = frozenset({ActionState.REVIEWED, CANCELLED})
# How many candidate actions and library entries the plan page offers at once (filter for more).
OFFER_LIMIT = 50


# ---- reading plans ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    actions: int = 0  # gathered and not cancelled
    completed: int = 0

    @property
    def percent_completed(self) -> int | None:
        return percent(self.completed, self.actions)


def listing(session: Session, user, cursor: str | None, size: int) -> Page:
    stmt = select(ImprovementPlan).where(
        policy.improvement_plan_scope(user, ImprovementPlan.organisation_id)
    )
    return keyset_page(session, stmt, ImprovementPlan, cursor, size)


def counts_by_plan(session: Session, plan_ids: list[int]) -> dict[int, Counts]:
    """Actions and completed actions of each plan, in one GROUP BY query however many plans."""
    if not plan_ids:
        return {}
    live = SafetyAction.state != CANCELLED
    rows = session.execute(
        select(
            improvement_plan_actions.c.plan_id,
            func.count(SafetyAction.id),
            func.coalesce(func.sum(case((SafetyAction.completed_at.is_not(None), 1), else_=0)), 0),
        )
        .join(SafetyAction, SafetyAction.id == improvement_plan_actions.c.action_id)
        .where(improvement_plan_actions.c.plan_id.in_(plan_ids), live)
        .group_by(improvement_plan_actions.c.plan_id)
    )
    return {plan_id: Counts(int(total), int(done)) for plan_id, total, done in rows}


def get_visible(session: Session, user, plan_id: int) -> ImprovementPlan:
    """The plan, if `user` reads it (the policy's own SQL condition); else NotVisible (404)."""
    plan = session.scalar(
        select(ImprovementPlan)
        .where(
            ImprovementPlan.id == plan_id,
            policy.improvement_plan_scope(user, ImprovementPlan.organisation_id),
        )
        .options(
            selectinload(ImprovementPlan.actions).options(
                selectinload(SafetyAction.owner_organisation),
                selectinload(SafetyAction.response).options(
                    selectinload(LearningResponse.contributors),
                    joinedload(LearningResponse.organisation).selectinload(Organisation.groups),
                ),
            ),
            selectinload(ImprovementPlan.items),
            selectinload(ImprovementPlan.readings),
        )
    )
    if plan is None:
        raise policy.NotVisible("Page not found")
    return plan


def manageable_organisations(user) -> list[Organisation]:
    """The organisations whose plans `user` may run: where they hold a role and the policy agrees."""
    if not policy.grants(user):
        return []
    organisations = {r.organisation_id: r.organisation for r in user.roles}
    return sorted(
        (o for o in organisations.values() if policy.may_manage_improvement_plan(user, o)),
        key=lambda o: o.name,
    )


# ---- changing a plan ----------------------------------------------------------------------------


def _check(user, plan: ImprovementPlan, expected_version: int | None) -> None:
    policy.require_may_manage_improvement_plan(user, plan)
    check_version(plan, expected_version)


def _finish(session: Session, user, plan: ImprovementPlan, action: str, changes: dict) -> None:
    """Bump the plan's version (so a second editor or a stale tab is refused), then audit."""
    record_change(session, plan, actor_id=user.id, action=f"improvement:{action}", changes=changes)


def create(
    session: Session, user, organisation_id: int | None, title: str, aim: str, measure: str
) -> ImprovementPlan:
    organisation = session.get(Organisation, organisation_id) if organisation_id else None
    if organisation is None or not policy.may_manage_improvement_plan(user, organisation):
        raise InputError(
            "organisation_id", "Choose an organisation whose improvement plans you run"
        )
    for field, value, message in (
        ("title", title, "Enter a title for the plan"),
        ("aim", aim, "Say what the plan is trying to accomplish"),
        ("measure", measure, "Say how you will know a change is an improvement"),
    ):
        if not (value or "").strip():
            raise InputError(field, message)
    plan = ImprovementPlan(
        organisation_id=organisation.id,
        title=title.strip(),
        aim=aim.strip(),
        measure=measure.strip(),
        created_by_id=user.id,
    )
    session.add(plan)
    session.flush()
    audit.record(
        session,
        actor_id=user.id,
        action="improvement:create",
        subject=plan,
        organisation_id=organisation.id,
        changes={
            "title": {"before": None, "after": plan.title},
            "organisation": {"before": None, "after": organisation.name},
        },
    )
    session.flush()
    return plan


# ---- safety actions gathered --------------------------------------------------------------------


def _plan_organisations(plan: ImprovementPlan):
    """SQL: the plan's organisation and, for a PCN or federation, its members."""
    members = select(OrganisationMembership.member_id).where(
        OrganisationMembership.group_id == plan.organisation_id
    )
    return or_(
        SafetyAction.organisation_id == plan.organisation_id,
        SafetyAction.organisation_id.in_(members),
    )


def _candidates(user, plan: ImprovementPlan):
    taken = select(improvement_plan_actions.c.action_id).where(
        improvement_plan_actions.c.plan_id == plan.id
    )
    return (
        select(SafetyAction)
        .join(LearningResponse, LearningResponse.id == SafetyAction.response_id)
        .where(
            policy.action_scope(user),
            _plan_organisations(plan),
            SafetyAction.state != CANCELLED,
            SafetyAction.id.not_in(taken),
        )
    )


def candidate_actions(
    session: Session,
    user,
    plan: ImprovementPlan,
    reference: str | None = None,
    limit: int = OFFER_LIMIT,
) -> list[SafetyAction]:
    """Actions the plan may gather: ones `user` sees, from responses at the plan's organisations,
    not cancelled and not in it already; optionally only responses whose reference contains `reference`."""
    stmt = _candidates(user, plan)
    if (reference or "").strip():
        stmt = stmt.where(
            func.upper(LearningResponse.reference).contains(
                reference.strip().upper(), autoescape=True
            )
        )
    stmt = (
        stmt.options(
            selectinload(SafetyAction.response), selectinload(SafetyAction.owner_organisation)
        )
        .order_by(LearningResponse.reference, SafetyAction.id)
        .limit(limit + 1)
    )
    return list(session.scalars(stmt))


def add_actions(
    session: Session,
    user,
    plan: ImprovementPlan,
    action_ids: list[int],
    expected_version: int | None,
) -> list[SafetyAction]:
    _check(user, plan, expected_version)
    wanted = set(action_ids)
    if not wanted:
        raise InputError("action_ids", "Choose at least one safety action")
    found = list(session.scalars(_candidates(user, plan).where(SafetyAction.id.in_(wanted))))
    if len(found) != len(wanted):
        raise InputError(
            "action_ids",
            "Choose actions from responses at this plan's organisations that are not cancelled or in the plan already",
        )
    found.sort(key=lambda a: (a.response.reference or "", a.id))
    plan.actions.extend(found)
    _finish(
        session,
        user,
        plan,
        "add_actions",
        {
            "actions": {
                "before": None,
                "after": [f"{a.response.reference}: {a.description}" for a in found],
            },
        },
    )
    return found


def remove_action(
    session: Session, user, plan: ImprovementPlan, action_id: int, expected_version: int | None
) -> None:
    _check(user, plan, expected_version)
    action = next((a for a in plan.actions if a.id == action_id), None)
    if action is None:
        raise policy.NotVisible("Page not found")
    plan.actions.remove(action)
    _finish(
        session,
        user,
        plan,
        "remove_action",
        {
            "actions": {
                "before": f"{action.response.reference}: {action.description}",
                "after": None,
            },
        },
    )


# ---- priorities and good care --------------------------------------------------------------------


def priorities(session: Session, plan: ImprovementPlan) -> LocalFocus:
    """The local priorities in force for the plan's organisation: its PSIRF plan's, as triage
    follows them, or the default local focus until one is in force."""
    return local_focus_for(session, plan.organisation)


def good_care_entries(
    session: Session, user, plan: ImprovementPlan, limit: int = OFFER_LIMIT
) -> list[LibraryEntry]:
    """Good care in the library that `user` may read and the plan does not spread yet, newest first."""
    taken = select(PlanItem.library_entry_id).where(
        PlanItem.plan_id == plan.id, PlanItem.library_entry_id.is_not(None)
    )
    return list(
        session.scalars(
            select(LibraryEntry)
            .where(
                LibraryEntry.kind == EntryKind.GOOD_CARE.value,
                policy.library_scope(user),
                LibraryEntry.id.not_in(taken),
            )
            .options(selectinload(LibraryEntry.organisation))
            .order_by(LibraryEntry.published_at.desc(), LibraryEntry.id.desc())
            .limit(limit)
        )
    )


def add_item(
    session: Session,
    user,
    plan: ImprovementPlan,
    kind: str,
    source: str,
    expected_version: int | None,
) -> PlanItem:
    _check(user, plan, expected_version)
    source = (source or "").strip()
    if kind == ItemKind.PRIORITY.value:
        priority = next((p for p in priorities(session, plan).priorities if p.key == source), None)
        if priority is None:
            raise InputError("source", "Choose one of the priorities in the PSIRF plan")
        item = PlanItem(kind=kind, source_key=priority.key, text=priority.label)
    elif kind == ItemKind.GOOD_CARE.value:
        entry = None
        if source.isdigit():
            entry = session.scalar(
                select(LibraryEntry).where(
                    LibraryEntry.id == int(source),
                    LibraryEntry.kind == EntryKind.GOOD_CARE.value,
                    policy.library_scope(user),
                )
            )
        if entry is None:
            raise InputError("source", "Choose good care from the learning library")
        item = PlanItem(
            kind=kind, source_key=str(entry.id), text=entry.title, library_entry_id=entry.id
        )
    else:
        raise InputError("kind", "Choose a priority or good care to add")
    if any(i.kind == item.kind and i.source_key == item.source_key for i in plan.items):
        raise InputError("source", "That is already in the plan")
    plan.items.append(item)
    _finish(
        session,
        user,
        plan,
        "add_item",
        {kind: {"before": None, "after": item.text}},
    )
    return item


# ---- the measure, read over time -----------------------------------------------------------------


# A reading is a count, a share or a time: a billion or more is a slip of the keyboard (forty nines),
# and past fifteen digits a float no longer holds the number that was typed.
READING_LIMIT = 1_000_000_000


def reading_problem(number: float | None) -> str | None:
    """What is wrong with a reading's value, in the words the form shows; None when it will do."""
    if number is None:
        return "Enter the value as a number, like 12 or 4.5"
    if abs(number) >= READING_LIMIT:
        return f"Enter a value smaller than {READING_LIMIT:,}"
    return None


def parse_value(text: str | None) -> float | None:
    """A reading as typed: "12", "4.5", "1,250" or "-3"; None if it is not a finite number."""
    cleaned = (text or "").strip().replace(",", "")
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def add_reading(
    session: Session,
    user,
    plan: ImprovementPlan,
    measured_on: date | None,
    value: str | float | None,
    note: str | None,
    expected_version: int | None,
) -> MeasureReading:
    _check(user, plan, expected_version)
    if measured_on is None:
        raise InputError("measured_on", "Enter the date the measure was read")
    if measured_on > date.today():
        raise InputError("measured_on", "The date must be today or in the past")
    number = value if isinstance(value, (int, float)) else parse_value(value)
    problem = reading_problem(number)
    if problem:
        raise InputError("value", problem)
    reading = MeasureReading(
        measured_on=measured_on,
        value=float(number),
        note=(note or "").strip() or None,
        recorded_by_id=user.id,
    )
    plan.readings.append(reading)
    _finish(
        session,
        user,
        plan,
        "add_reading",
        {
            "reading": {"before": None, "after": f"{measured_on.isoformat()}: {number}"},
        },
    )
    return reading


# ---- progress -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Headline:
    total: int
    completed: int
    overdue: int
    weaker: int

    @property
    def percent_completed(self) -> int | None:
        return percent(self.completed, self.total)

    @property
    def percent_weaker(self) -> int | None:
        return percent(self.weaker, self.total)


def live_actions(plan: ImprovementPlan) -> list[SafetyAction]:
    return [a for a in plan.actions if a.state != CANCELLED]


def headline(plan: ImprovementPlan, today: date | None = None) -> Headline:
    """Totals of the actions gathered (cancelled ones left out), read from the loaded plan."""
    today = today or date.today()
    live = live_actions(plan)
    return Headline(
        total=len(live),
        completed=sum(1 for a in live if a.completed_at is not None),
        overdue=sum(
            1
            for a in live
            if a.completed_at is None
            and a.state not in FINISHED
            and a.due_on is not None
            and a.due_on < today
        ),
        weaker=sum(1 for a in live if a.strength == Strength.WEAKER.value),
    )


def progress_by_month(
    session: Session, plan: ImprovementPlan, today: date | None = None
) -> list[MonthProgress]:
    """Month by month since the plan (or its earliest action) began: actions existing and completed.

    One query reads the (created_at, completed_at) pair of each of the plan's live actions, and
    the months are counted in Python: a plan holds tens of actions, and this stays the same on
    SQLite and PostgreSQL, which truncate dates to months differently.
    """
    rows = session.execute(
        select(SafetyAction.created_at, SafetyAction.completed_at)
        .join(
            improvement_plan_actions,
            and_(
                improvement_plan_actions.c.action_id == SafetyAction.id,
                improvement_plan_actions.c.plan_id == plan.id,
            ),
        )
        .where(SafetyAction.state != CANCELLED)
    ).all()
    return monthly_progress([(c, done) for c, done in rows], plan.created_at, today or date.today())
