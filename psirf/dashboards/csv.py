"""Every dashboard table as CSV, written by psirf.web.spreadsheets (safe to open in a
spreadsheet: no cell is ever run as a formula). No Flask here.
"""

from __future__ import annotations

from typing import Sequence

from psirf.dashboards.icb import IcbDashboard
from psirf.dashboards.services import GroupDashboard
from psirf.dashboards.spc import RULES, rule_label
from psirf.timeutil import in_london

Table = tuple[list[str], list[Sequence]]


def _pct(value: int | None) -> str:
    return "" if value is None else f"{value}%"


def _date(value) -> str:
    return value.isoformat() if value else ""


def _due(response) -> str:
    """A response's due day, or for a target in hours the minute it falls due in England's clock."""
    if response.due_at is not None:
        return in_london(response.due_at).isoformat(sep=" ", timespec="minutes")
    return _date(response.due_on)


# ---- the panel's tables ---------------------------------------------------------------------------


def _response_rows(listing) -> list[Sequence]:
    return [
        (r.reference, r.organisation.name, r.method_label, r.state, _due(r)) for r in listing.items
    ]


GROUP_TABLES = {
    "awaiting": lambda d: (RESPONSE_HEADER, _response_rows(d.awaiting)),
    "overdue_responses": lambda d: (RESPONSE_HEADER, _response_rows(d.overdue_responses)),
    "overdue_actions": lambda d: (
        ["Response", "Organisation", "Safety action", "Owner's organisation", "Due on"],
        [
            (
                a.response_reference,
                a.organisation_name,
                a.description,
                a.owner_organisation_name or "",
                _date(a.due_on),
            )
            for a in d.overdue_actions.items
        ],
    ),
    "themes": lambda d: (
        ["Theme", "Events in the last 12 months"],
        [(t.label, t.count) for t in d.themes],
    ),
    "overdue_themes": lambda d: (
        ["Theme", "Events of overdue responses"],
        [(t.label, t.count) for t in d.overdue_themes],
    ),
}
RESPONSE_HEADER = ["Reference", "Organisation", "Method", "State", "Due"]


def group_tables(d: GroupDashboard) -> dict[str, Table]:
    return {name: build(d) for name, build in GROUP_TABLES.items()}


# ---- the ICB's tables -----------------------------------------------------------------------------


def _spc_rows(d: IcbDashboard) -> list[Sequence]:
    series = d.series
    chart = series.chart
    return [
        (
            m.strftime("%Y-%m"),
            p.value,
            round(chart.mean, 2),
            round(chart.lower_limit, 2),
            round(chart.upper_limit, 2),
            "; ".join(rule_label(r, chart.run_length) for r in RULES if r in p.rules)
            or "Common cause",
        )
        for m, p in zip(series.months, chart.points)
    ]


def _equality_rows(d: IcbDashboard) -> list[Sequence]:
    return [
        (b.title, row.label, row.patients_text, row.serious_text, row.serious_share_text)
        for b in d.equality
        for row in [*b.rows, b.not_recorded]
    ]


ICB_TABLES = {
    "plans": lambda d: (
        ["PCN or federation", "Plan version", "Status", "Review date"],
        [
            (g.name, plan.version_label if plan else "", status, on.isoformat() if on else "")
            for g, plan, status, on in d.plans
        ],
    ),
    "methods": lambda d: (
        [
            "Method",
            "Target",
            "Open",
            "Overdue",
            "Closed in the last 12 months",
            "Closed by the due date",
            "Share on time",
        ],
        [
            (
                r.label,
                r.target,
                r.open,
                r.overdue,
                r.closed,
                r.closed_on_time,
                _pct(r.on_time_share),
            )
            for r in d.methods
        ],
    ),
    "themes": lambda d: (
        ["PCN or federation", "Theme", "Events in the last 12 months"],
        d.themes.long,
    ),
    "actions": lambda d: (
        [
            "PCN or federation",
            "Safety actions (not cancelled)",
            "Completed",
            "Share completed",
            "Overdue",
        ],
        [
            (r.name, r.total, r.completed, _pct(r.completed_share), r.overdue)
            for r in [*d.actions, d.actions_total]
        ],
    ),
    "involvement": lambda d: (
        [
            "Method",
            "Responses started in the last 12 months",
            "With a patient, family member or carer recorded",
            "Offered involvement",
            "Share offered",
        ],
        [
            (r.label, r.responses, r.with_family, r.offered, _pct(r.offered_share))
            for r in [*d.involvement, d.involvement_total]
        ],
    ),
    "candour": lambda d: (
        ["Notification", "On time", "Late or not made", "Not yet due", "Share on time"],
        [(r.label, r.on_time, r.late, r.not_yet_due, _pct(r.on_time_share)) for r in d.candour],
    ),
    "spc": lambda d: (
        ["Month", "Events", "Mean", "Lower process limit", "Upper process limit", "Signal"],
        _spc_rows(d),
    ),
    "equality": lambda d: (
        [
            "Characteristic",
            "Group",
            "Patients",
            "Moderate harm or worse",
            "Share moderate or worse",
        ],
        _equality_rows(d),
    ),
}


def icb_tables(d: IcbDashboard) -> dict[str, Table]:
    """Every table, for the page (a CSV download builds its own alone, from ICB_TABLES)."""
    return {name: build(d) for name, build in ICB_TABLES.items()}
