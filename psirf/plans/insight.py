"""The insight a plan's profile is drawn from: the group's own records over a look-back period.

Every figure is one GROUP BY: event figures from the monthly counts (psirf/events/counts.py),
responses and safety actions from their tables, all for the group's member organisations (and
the group itself, which runs thematic reviews). The result is plain JSON, frozen into the plan
when it is generated, so the document shows what its authors saw.

Event figures count safety events only, as the dashboards do (`counted_record_types`): good care
is counted on its own, and `events["good_care_left_out"]` records how many records the figures
left out. Profiles frozen before that key existed counted good care in, and say nothing.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from psirf.actions.models import SafetyAction
from psirf.actions.states import ActionState
from psirf.events.counts import NOT_RECORDED, EventCount, counted_record_types
from psirf.events.lfpse import HARM_SEVERITY, RecordType, Theme
from psirf.organisations.models import Organisation, OrganisationKind, OrganisationMembership
from psirf.responses.models import LearningResponse, ResponseMethod
from psirf.timeutil import add_months
from psirf.workflow import definitions

HARM_ORDER = ("none", "low", "moderate", "severe", "fatal", NOT_RECORDED)
HARM_LABELS = {
    "none": "No harm",
    "low": "Low harm",
    "moderate": "Moderate harm",
    "severe": "Severe harm",
    "fatal": "Fatal",
    NOT_RECORDED: "Harm not recorded",
}
MODERATE_OR_WORSE = tuple(h for h, n in HARM_SEVERITY.items() if n >= HARM_SEVERITY["moderate"])


def lookback_window(today: date, months: int) -> tuple[date, date]:
    """Whole months: the `months` before the current one (first day inclusive, last exclusive)."""
    end = today.replace(day=1)
    return add_months(end, -months), end


def organisations_of(session: Session, group: Organisation) -> list[Organisation]:
    return list(
        session.scalars(
            select(Organisation)
            .join(OrganisationMembership, OrganisationMembership.member_id == Organisation.id)
            .where(OrganisationMembership.group_id == group.id)
            .order_by(Organisation.name)
        )
    )


def _within(group: Organisation, column):
    members = select(OrganisationMembership.member_id).where(
        OrganisationMembership.group_id == group.id
    )
    return or_(column == group.id, column.in_(members))


def _counted(condition):
    return func.coalesce(func.sum(case((condition, EventCount.count), else_=0)), 0)


def _events(session: Session, group: Organisation, start: date, end: date) -> dict:
    within = and_(
        _within(group, EventCount.organisation_id),
        EventCount.month >= start,
        EventCount.month < end,
    )
    counted = counted_record_types()
    scope = and_(within, EventCount.record_type.in_(counted))
    harmful = EventCount.harm.in_(MODERATE_OR_WORSE)

    def grouped(*columns):
        return session.execute(
            select(*columns, func.sum(EventCount.count), _counted(harmful))
            .where(scope)
            .group_by(*columns)
        ).all()

    themes = sorted(
        (
            {"key": t, "label": Theme.label_for(t), "events": int(n), "harmful": int(h)}
            for t, n, h in grouped(EventCount.theme)
        ),
        key=lambda row: (-row["events"], row["label"]),
    )
    # Grouped over every record type, so what the figures leave out is counted beside them.
    record_types = {
        r: int(n)
        for r, n in session.execute(
            select(EventCount.record_type, func.sum(EventCount.count))
            .where(within)
            .group_by(EventCount.record_type)
        )
    }
    harms = {h: int(n) for h, n, _ in grouped(EventCount.harm)}
    months = {m: int(n) for m, n, _ in grouped(EventCount.month)}
    by_kind = session.execute(
        select(Organisation.kind, func.sum(EventCount.count), _counted(harmful))
        .join(Organisation, Organisation.id == EventCount.organisation_id)
        .where(scope)
        .group_by(Organisation.kind)
    ).all()
    services = sorted(
        (
            {"key": k, "label": OrganisationKind.label_for(k), "events": int(n), "harmful": int(h)}
            for k, n, h in by_kind
        ),
        key=lambda row: -row["events"],
    )
    # Events by theme and harm, for the suggestions and the capacity estimate.
    theme_harm: dict[str, dict[str, int]] = {}
    for t, r, h, n in session.execute(
        select(
            EventCount.theme, EventCount.record_type, EventCount.harm, func.sum(EventCount.count)
        )
        .where(scope)
        .group_by(EventCount.theme, EventCount.record_type, EventCount.harm)
    ):
        theme_harm.setdefault(t, {}).setdefault(r, {})[h] = int(n)
    month_rows, month = [], start
    while month < end:
        month_rows.append({"month": month.isoformat(), "events": months.get(month, 0)})
        month = add_months(month, 1)
    return {
        "total": sum(n for r, n in record_types.items() if r in counted),
        "harmful": sum(harms.get(h, 0) for h in MODERATE_OR_WORSE),
        "good_care_left_out": sum(n for r, n in record_types.items() if r not in counted),
        "by_theme": themes,
        "by_record_type": [
            {"key": r.value, "label": r.label, "events": record_types.get(r.value, 0)}
            for r in RecordType
            if r.value in counted
        ],
        "by_harm": [
            {"key": h, "label": HARM_LABELS[h], "events": harms.get(h, 0)} for h in HARM_ORDER
        ],
        "by_service": services,
        "by_month": month_rows,
        "detail": theme_harm,
    }


def _responses(session: Session, group: Organisation, start: date, end: date) -> list[dict]:
    started = func.date(LearningResponse.created_at)
    rows = session.execute(
        select(
            LearningResponse.method,
            LearningResponse.workflow_name,
            LearningResponse.workflow_version,
            LearningResponse.state,
            func.count(),
        )
        .where(_within(group, LearningResponse.organisation_id), started >= start, started < end)
        .group_by(
            LearningResponse.method,
            LearningResponse.workflow_name,
            LearningResponse.workflow_version,
            LearningResponse.state,
        )
    ).all()
    by_method: dict[str, dict] = {}
    for method, name, version, state, n in rows:
        entry = by_method.setdefault(
            method,
            {
                "key": method,
                "label": ResponseMethod.label_for(method),
                "started": 0,
                "open": 0,
                "outcomes": {},
            },
        )
        entry["started"] += n
        step = definitions.get(name, version).state(state)
        if step.final:
            entry["outcomes"][step.label] = entry["outcomes"].get(step.label, 0) + n
        else:
            entry["open"] += n
    order = [m.value for m in ResponseMethod]
    return [
        {**e, "outcomes": [{"label": k, "responses": v} for k, v in sorted(e["outcomes"].items())]}
        for e in sorted(
            by_method.values(), key=lambda e: order.index(e["key"]) if e["key"] in order else 99
        )
    ]


def _actions(session: Session, group: Organisation, start: date, end: date, today: date) -> dict:
    created = func.date(SafetyAction.created_at)
    live = SafetyAction.state != ActionState.CANCELLED
    total, completed, overdue = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((SafetyAction.completed_at.is_not(None), 1), else_=0)), 0),
            func.coalesce(
                func.sum(
                    case(
                        (
                            and_(
                                SafetyAction.completed_at.is_(None),
                                SafetyAction.closed_at.is_(None),
                                SafetyAction.due_on < today,
                            ),
                            1,
                        ),
                        else_=0,
                    )
                ),
                0,
            ),
        ).where(_within(group, SafetyAction.organisation_id), live, created >= start, created < end)
    ).one()
    return {"total": int(total), "completed": int(completed), "overdue": int(overdue)}


def profile(session: Session, group: Organisation, lookback_months: int, today: date) -> dict:
    start, end = lookback_window(today, lookback_months)
    events = _events(session, group, start, end)
    return {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "months": lookback_months,
        "events": events,
        "responses": _responses(session, group, start, end),
        "actions": _actions(session, group, start, end, today),
        "good_care": events["good_care_left_out"],
    }
