"""The insight a plan's profile is drawn from: the group's own records over a look-back period.

Every figure is one GROUP BY: event figures from the monthly counts (psirf/events/counts.py), all
in one statement, and responses and safety actions from their tables, all for the group's member
organisations (and the group itself, which runs thematic reviews). The result is plain JSON,
frozen into the plan when it is generated, so the document shows what its authors saw.

Event figures count safety events only, as the dashboards do (`counted_record_types`): good care
is counted on its own, and `events["good_care_left_out"]` records how many records the figures
left out. Profiles frozen before that key existed counted good care in, and say nothing.
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import (
    Date,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    null,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import Session

from psirf.actions.models import SafetyAction
from psirf.actions.states import ActionState
from psirf.events.counts import NOT_RECORDED, EventCount, counted_record_types
from psirf.events.lfpse import (
    HARM_SEVERITY,
    REPEAT_PRESENTATION,
    RecordType,
    insight_theme_label,
)
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


def _scope(session: Session, group: Organisation) -> list[int]:
    """The group and its members by id: a plain list the indexes can use (an OR beside an
    IN-subquery made PostgreSQL read the whole of event_counts for every figure)."""
    members = session.scalars(
        select(OrganisationMembership.member_id).where(OrganisationMembership.group_id == group.id)
    )
    return [group.id, *members]


def _since(column, start: date, end: date):
    """The rows created in [start, end): the timestamps compared as they are stored, where
    date(created_at) could use no index."""
    return and_(column >= datetime.combine(start, time()), column < datetime.combine(end, time()))


def _events(session: Session, ids: list[int], start: date, end: date) -> dict:
    """Every figure is its own GROUP BY, all in one statement over the group's monthly counts read
    once (materialised, so each figure does not read event_counts again)."""
    counted = counted_record_types()
    grain = (EventCount.month, EventCount.theme, EventCount.record_type, EventCount.harm)
    # The services summed together first: about half as many rows for each figure to group.
    rows = (
        select(
            *grain,
            Organisation.kind,
            func.sum(EventCount.count).label("count"),
            func.sum(EventCount.repeat_presentations).label("repeats"),
        )
        .join(Organisation, Organisation.id == EventCount.organisation_id)
        .where(
            EventCount.organisation_id.in_(ids), EventCount.month >= start, EventCount.month < end
        )
        .group_by(*grain, Organisation.kind)
        .cte("group_counts")
        .prefix_with("MATERIALIZED")
    )
    scope = rows.c.record_type.in_(counted)
    total = func.sum(rows.c.count)
    harmful = func.coalesce(
        func.sum(case((rows.c.harm.in_(MODERATE_OR_WORSE), rows.c.count), else_=0)), 0
    )
    keys = ("theme", "record_type", "harm", "month", "kind")
    # Each figure names its own keys; the others are NULL, typed so every row reads back alike.
    blank = {
        "theme": cast(null(), String),
        "record_type": cast(null(), String),
        "harm": cast(null(), String),
        "month": cast(null(), Date),
        "kind": cast(null(), String),
    }

    def figure(name: str, by: tuple[str, ...], where=scope):
        columns = [rows.c[k] if k in by else blank[k] for k in keys]
        return (
            select(literal(name, String).label("figure"), *columns, total, harmful)
            .where(where)
            .group_by(*(rows.c[k] for k in by))
        )

    # Repeat presentation, a theme of its own in insight: the diagnosis events it counts are
    # counted again here, from the rollups' measure, with the same keys as a theme's figures.
    repeats = func.coalesce(func.sum(rows.c.repeats), 0)
    repeats_harmful = func.coalesce(
        func.sum(case((rows.c.harm.in_(MODERATE_OR_WORSE), rows.c.repeats), else_=0)), 0
    )

    def repeat_figure(name: str, by: tuple[str, ...]):
        columns = [
            literal(REPEAT_PRESENTATION, String)
            if k == "theme"
            else rows.c[k]
            if k in by
            else blank[k]
            for k in keys
        ]
        return (
            select(literal(name, String).label("figure"), *columns, repeats, repeats_harmful)
            .where(scope, rows.c.repeats > 0)
            .group_by(*(rows.c[k] for k in by))
        )

    statement = union_all(
        figure("theme", ("theme",)),
        repeat_figure("theme", ()),
        repeat_figure("detail", ("record_type", "harm")),
        # Over every record type, so what the figures leave out is counted beside them.
        figure("record_type", ("record_type",), where=true()),
        figure("harm", ("harm",)),
        figure("month", ("month",)),
        figure("kind", ("kind",)),
        # Events by theme and harm, for the suggestions and the capacity estimate.
        figure("detail", ("theme", "record_type", "harm")),
    )
    themes, record_types, harms, months, by_kind = [], {}, {}, {}, []
    theme_harm: dict[str, dict[str, dict[str, int]]] = {}
    for name, theme, record_type, harm, month, kind, n, h in session.execute(statement):
        n, h = int(n), int(h)
        if name == "theme":
            if n:  # repeat presentation's one row reads 0 when there are none
                themes.append(
                    {"key": theme, "label": insight_theme_label(theme), "events": n, "harmful": h}
                )
        elif name == "record_type":
            record_types[record_type] = n
        elif name == "harm":
            harms[harm] = n
        elif name == "month":
            months[month] = n
        elif name == "kind":
            by_kind.append((kind, n, h))
        else:
            theme_harm.setdefault(theme, {}).setdefault(record_type, {})[harm] = n
    themes.sort(key=lambda row: (-row["events"], row["label"]))
    services = sorted(
        (
            {"key": k, "label": OrganisationKind.label_for(k), "events": n, "harmful": h}
            for k, n, h in by_kind
        ),
        key=lambda row: -row["events"],
    )
    month_rows, month = [], start
    while month < end:
        month_rows.append({"month": month.isoformat(), "events": months.get(month, 0)})
        month = add_months(month, 1)
    return {
        "total": sum(n for r, n in record_types.items() if r in counted),
        "harmful": sum(harms.get(h, 0) for h in MODERATE_OR_WORSE),
        "good_care_left_out": sum(n for r, n in record_types.items() if r not in counted),
        # Every theme, and repeat presentation (whose events are diagnosis events too).
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


def _responses(session: Session, ids: list[int], start: date, end: date) -> list[dict]:
    rows = session.execute(
        select(
            LearningResponse.method,
            LearningResponse.workflow_name,
            LearningResponse.workflow_version,
            LearningResponse.state,
            func.count(),
        )
        .where(
            LearningResponse.organisation_id.in_(ids),
            _since(LearningResponse.created_at, start, end),
        )
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


def _actions(session: Session, ids: list[int], start: date, end: date, today: date) -> dict:
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
        ).where(
            SafetyAction.organisation_id.in_(ids), live, _since(SafetyAction.created_at, start, end)
        )
    ).one()
    return {"total": int(total), "completed": int(completed), "overdue": int(overdue)}


def profile(session: Session, group: Organisation, lookback_months: int, today: date) -> dict:
    start, end = lookback_window(today, lookback_months)
    ids = _scope(session, group)
    events = _events(session, ids, start, end)
    return {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "months": lookback_months,
        "events": events,
        "responses": _responses(session, ids, start, end),
        "actions": _actions(session, ids, start, end, today),
        "good_care": events["good_care_left_out"],
    }
