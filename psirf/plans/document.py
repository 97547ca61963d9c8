"""A PSIRF plan as a document: one presentation model, read by the web page and by the PDF.

`document(plan)` lays out NHS England's plan template (../shared/psirf-domain.md 1.4) in order,
numbered, each section a list of blocks of plain strings: paragraphs, tables, charts (each followed
by its table, the chart's text alternative), warnings and a summary list. The page
(templates/plans/_document.html) and the PDF (psirf/plans/reports.py) only render blocks, so the
two always say the same words and figures. Nothing here queries the database: every figure comes
from the profile frozen into the plan when it was generated, and from its content; document
control, which names who did what, is read by psirf/plans/control.py.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import object_session

from psirf.plans.blocks import (
    NOT_RECORDED,
    Chart,
    Document,
    Heading,
    Section,
    Summary,
    Table,
    Text,
    WarningCallout,
)
from psirf.plans.content import (
    capacity,
    good_care_excluded,
    matched_events,
    period_note,
    period_of,
)
from psirf.events.lfpse import REPEAT_PRESENTATION
from psirf.plans.control import DocumentControl, control_of, control_section
from psirf.plans.models import PsirfPlan
from psirf.plans.states import DRAFT_STATES
from psirf.triage.recommend import method_label
from psirf.web import dates
from psirf.web.svg import format_number
from psirf.workflow import definitions

# ---- words and numbers --------------------------------------------------------------------------


def _day(value) -> str:
    return dates.day(date.fromisoformat(value) if isinstance(value, str) else value)


def _n(value: int) -> str:
    return f"{int(value):,}"


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{_n(count)} {one if count == 1 else (many or one + 's')}"


def _share(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "none"


def _about(value: float) -> str:
    """A yearly estimate: whole numbers from 10, else one decimal place."""
    return format_number(round(value) if value >= 10 else round(value, 1))


def _paragraphs(value: str | None) -> Text:
    parts = tuple(p.strip() for p in (value or "").replace("\r\n", "\n").split("\n\n") if p.strip())
    return Text(parts) if parts else Text((NOT_RECORDED,), muted=True)


def month_labels(months: list[date]) -> tuple[str, ...]:
    """Up to a year: 'Dec 2025', 'Jan', 'Feb', ... the year on the first month and on each January
    after the second point (two long labels side by side would overlap), short enough for twelve
    to show together. Beyond a year the chart shows only every few months, which may skip each
    January, so every label carries its year."""
    if len(months) > 12:
        return tuple(dates.short_month(m) for m in months)
    return tuple(
        dates.short_month(m) if i == 0 or (m.month == 1 and i > 1) else dates.short_month_name(m)
        for i, m in enumerate(months)
    )


def short_theme(label: str) -> str:
    """'Medication (prescribing, dispensing, monitoring)' -> 'Medication', for a chart's axis."""
    short = label.split(" (")[0]
    return short.split(" and ")[0] if len(short) > 26 else short


# ---- the sections -------------------------------------------------------------------------------


def _introduction(plan: PsirfPlan, content: dict, period: str) -> Section:
    note = period_note(plan.starts_on, plan.period_months)
    return Section(
        1,
        "introduction",
        "Introduction",
        [
            Summary(
                (
                    ("Period covered", period),
                    ("Look-back for the profile", f"{plan.lookback_months} months"),
                )
            ),
            *([Text((note,))] if note else []),
            _paragraphs(content.get("introduction")),
        ],
    )


def _services(content: dict) -> Section:
    members = content.get("members") or []
    blocks = [_paragraphs(content.get("services"))]
    if members:
        blocks.append(
            Table(
                "Member services",
                ("Name", "ODS code", "Kind of service"),
                tuple((m["name"], m.get("ods_code") or "", m.get("kind") or "") for m in members),
            )
        )
    else:
        blocks.append(Text(("No member services are recorded.",), muted=True))
    return Section(2, "services", "Our services", blocks)


def _events(profile: dict) -> list:
    events = profile["events"]
    total = events["total"]
    months = [(date.fromisoformat(m["month"]), m["events"]) for m in events["by_month"]]
    themes = events["by_theme"]
    blocks: list = [
        Heading("Events by month"),
        Chart(
            "plan-events-by-month",
            "line",
            "Patient safety events recorded each month",
            f"A line joining the number of events that occurred in each month of the look-back, "
            f"{dates.month(months[0][0])} to {dates.month(months[-1][0])}."
            if months
            else "No months.",
            "Month the event occurred",
            "Events",
            tuple(zip(month_labels([m for m, _ in months]), (n for _, n in months))),
            "One point a month, joined by a line, with its number above it. The table below gives the same figures.",
        ),
        Table(
            "Events by the month they occurred",
            ("Month", "Events"),
            tuple((dates.month(m), _n(n)) for m, n in months),
            numeric=(1,),
        ),
        Heading("Events by theme"),
    ]
    if themes:
        blocks.append(
            Chart(
                "plan-events-by-theme",
                "bars",
                "Patient safety events by theme",
                "Horizontal bars, largest theme first: "
                + "; ".join(f"{t['label']} {t['events']}" for t in themes)
                + ".",
                "Events",
                "Theme",
                tuple((short_theme(t["label"]), t["events"]) for t in themes),
                "One bar a theme, largest first, with its number beside it. The table below gives the same figures.",
            )
        )
    blocks += [
        Table(
            "Events by theme, largest first",
            ("Theme", "Events", "Share of all events", "Moderate or worse harm"),
            tuple(
                (t["label"], _n(t["events"]), _share(t["events"], total), _n(t["harmful"]))
                for t in themes
            ),
            numeric=(1, 2, 3),
        ),
    ]
    if any(t["key"] == REPEAT_PRESENTATION for t in themes):
        blocks.append(
            Text(
                (
                    "Repeat presentations are diagnosis events whose patient had 3 or more "
                    "consultations for the same symptoms that were not resolved or were getting "
                    "worse. They are counted under diagnosis too, so the themes add up to more "
                    "than all events.",
                )
            )
        )
    blocks += [
        Heading("Events by record type, harm and service"),
        Table(
            "Events by record type",
            ("Record type", "Events"),
            tuple((r["label"], _n(r["events"])) for r in events["by_record_type"]),
            numeric=(1,),
        ),
        Table(
            "Events by harm (the worse of physical and psychological harm)",
            ("Harm", "Events"),
            tuple((h["label"], _n(h["events"])) for h in events["by_harm"]),
            numeric=(1,),
        ),
        Table(
            "Events by kind of service",
            ("Kind of service", "Events", "Moderate or worse harm"),
            tuple((s["label"], _n(s["events"]), _n(s["harmful"])) for s in events["by_service"]),
            numeric=(1, 2),
        ),
    ]
    return blocks


def _responses_and_actions(profile: dict) -> list:
    responses = profile.get("responses") or []
    actions = profile.get("actions") or {"total": 0, "completed": 0, "overdue": 0}
    blocks: list = [Heading("Learning responses and their outcomes")]
    if responses:
        blocks.append(
            Table(
                "Learning responses started in the look-back, by method",
                ("Method", "Started", "Still open", "Outcomes"),
                tuple(
                    (
                        r["label"],
                        _n(r["started"]),
                        _n(r["open"]),
                        "; ".join(f"{o['label']}: {o['responses']}" for o in r["outcomes"])
                        or "None finished yet",
                    )
                    for r in responses
                ),
                numeric=(1, 2),
            )
        )
    else:
        blocks.append(Text(("No learning responses were started in the look-back.",)))
    blocks.append(Heading("Safety actions"))
    if actions["total"]:
        blocks.append(
            Summary(
                (
                    ("Agreed in the look-back", _n(actions["total"])),
                    (
                        "Completed",
                        f"{_n(actions['completed'])} ({_share(actions['completed'], actions['total'])})",
                    ),
                    ("Overdue", _n(actions["overdue"])),
                )
            )
        )
    else:
        blocks.append(Text(("No safety actions were agreed in the look-back.",)))
    good = profile.get("good_care", 0)
    blocks += [
        Heading("Good care"),
        Text(
            (
                f"{_plural(good, 'record')} of good care {'was' if good == 1 else 'were'} made in the look-back: "
                "what went well is learned from as well as what went wrong.",
            )
        ),
    ]
    return blocks


def _sources(content: dict) -> list:
    def count(row):
        return "Not entered" if row.get("count") is None else _n(row["count"])

    rows = tuple(
        (
            s["label"],
            "Yes" if s.get("used") else "No",
            count(s) if s.get("used") else "",
            s.get("notes") or "",
        )
        for s in content.get("sources") or []
    )
    involved = content.get("involved") or {}
    return [
        Heading("Other sources of insight"),
        Text(
            (
                "Sources used beside the events recorded in this system, with the counts the authors entered.",
            )
        ),
        Table("Other sources of insight", ("Source", "Used", "Count", "Notes"), rows, numeric=(2,)),
        Heading("Who was involved"),
        _paragraphs(involved.get("people")),
        Heading("Patient safety partners"),
        _paragraphs(involved.get("partners")),
    ]


def _profile(plan: PsirfPlan, content: dict) -> Section:
    profile = plan.profile
    events = profile["events"]
    last = date.fromisoformat(profile["end"]) - timedelta(days=1)
    excluded = good_care_excluded(profile)
    intro = Text(
        (
            f"This profile is drawn from the patient safety events the member services recorded in this system from "
            f"{_day(profile['start'])} to {dates.day(last)} ({profile['months']} months): "
            f"{_plural(events['total'], 'event')}, {_n(events['harmful'])} of them with moderate or worse harm. "
            + (
                f"The figures exclude {excluded}; good care is shown on its own below. "
                if excluded
                else ""
            )
            + "It was drawn when the plan was generated and does not change as new events are recorded.",
        )
    )
    return Section(
        3,
        "profile",
        "Defining our patient safety incident profile",
        [intro, *_events(profile), *_responses_and_actions(profile), *_sources(content)],
    )


def _national(content: dict) -> Section:
    rows = content.get("national") or []
    unconfirmed = any(not r.get("confirmed", True) for r in rows)
    blocks: list = [
        Text(
            (
                "These incidents need the response national guidance requires, whatever the local focus below says.",
            )
        ),
        Table(
            "National requirements",
            ("Incident type", "Required response", "Who leads"),
            tuple(
                (
                    r["label"] + (" *" if not r.get("confirmed", True) else ""),
                    r["response"],
                    r["lead"],
                )
                for r in rows
            ),
        ),
    ]
    if unconfirmed:
        blocks.append(
            Text(("* To be confirmed against NHS England's current guidance.",), muted=True)
        )
    return Section(4, "national", "National requirements", blocks)


def _local_focus(content: dict) -> Section:
    rows = content.get("local_focus") or []
    blocks: list = [
        Text(
            (
                "Our local priorities, drawn from the profile and agreed by the plan's authors. Listing a priority does "
                "not mean every incident of its type gets the planned response: each is decided on the learning it offers.",
            )
        )
    ]
    if rows:
        blocks.append(
            Table(
                "Local focus",
                (
                    "Incident type or issue",
                    "Planned response",
                    "Anticipated improvement route",
                    "Why: the figures from our profile",
                ),
                tuple(
                    (
                        r["label"],
                        method_label(r["method"]),
                        r.get("improvement_route") or NOT_RECORDED,
                        " ".join(part for part in (r.get("figures"), r.get("why")) if part)
                        or NOT_RECORDED,
                    )
                    for r in rows
                ),
            )
        )
    else:
        blocks.append(Text(("No local priorities yet.",), muted=True))
    blocks.extend(_no_further_response(content.get("no_further_response") or []))
    return Section(5, "local-focus", "Local focus", blocks)


def _no_further_response(rows: list[dict]) -> list:
    """The plan's rows that triage takes "no further response" from: the only place it may."""
    if not rows:
        return [
            Text(
                (
                    "The plan lists no events that need no further response: triage recommends a "
                    "learning response for every other event.",
                )
            )
        ]
    return [
        Table(
            "Events that need no further response",
            ("Events", "Which events", "Handled instead by"),
            tuple(
                (
                    r["label"],
                    matched_events(r["match"]),
                    " ".join(part for part in (r["handled_by"], r.get("why")) if part),
                )
                for r in rows
            ),
        )
    ]


def _capacity(plan: PsirfPlan, content: dict, public: bool) -> Section:
    weighed = capacity(content, plan.profile)
    leads = (content.get("capacity") or {}).get("leads") or []
    monthly = weighed.available_hours / 12
    blocks: list = [
        Text(
            (
                f"{_plural(weighed.trained_leads, 'trained learning response lead')}, with {format_number(round(monthly, 1))} "
                f"{'hour' if monthly == 1 else 'hours'} a month between them for learning responses: {_n(round(weighed.available_hours))} hours a year.",
            )
        )
    ]
    if leads and not public:  # the names of staff stay inside the organisations
        blocks.append(
            Table(
                "Learning response leads",
                ("Name", "Role", "Trained", "Hours a month"),
                tuple(
                    (
                        lead["name"],
                        lead.get("role") or "",
                        "Yes" if lead.get("trained") else "No",
                        format_number(lead.get("hours_per_month") or 0),
                    )
                    for lead in leads
                ),
                numeric=(3,),
            )
        )
    if weighed.demands:
        blocks.append(
            Table(
                "The responses the plan implies a year",
                ("Priority", "Planned response", "Responses a year", "Hours a year"),
                tuple(
                    (
                        d.label,
                        method_label(d.method),
                        ("about " if d.approximate else "") + _about(d.responses),
                        ("about " if d.approximate else "") + _n(round(d.hours)),
                    )
                    for d in weighed.demands
                ),
                numeric=(2, 3),
            )
        )
        if any(d.approximate for d in weighed.demands):
            blocks.append(
                Text(
                    (
                        "'About' marks priorities matched by keywords: their events are counted by theme, "
                        "so the figure is an upper bound.",
                    ),
                    muted=True,
                )
            )
    blocks.append(
        Text(
            (
                f"In all the plan implies about {_n(round(weighed.needed_hours))} hours of learning response work a year, "
                f"against {_n(round(weighed.available_hours))} hours the trained leads have.",
            )
        )
    )
    if weighed.short:
        blocks.append(
            WarningCallout(
                "The plan asks for more time than its trained leads have",
                f"The responses planned need about {_n(round(weighed.needed_hours))} hours a year; the trained leads have "
                f"{_n(round(weighed.available_hours))}. Train more leads, give them more time, or plan lighter responses "
                "(a thematic review of a theme instead of a review of each event).",
            )
        )
    return Section(6, "capacity", "Capacity", blocks)


def _glossary(content: dict) -> Section:
    rows = tuple((g["term"], g["meaning"]) for g in content.get("glossary") or [])
    return Section(
        8,
        "glossary",
        "Glossary and acronyms",
        [Table("Glossary and acronyms", ("Term", "Meaning"), rows)],
    )


def document(
    plan: PsirfPlan, *, public: bool = False, control: DocumentControl | None = None
) -> Document:
    """The plan as a document, document control first; `public` (the published page and PDF
    anyone may read) leaves out the names of staff: the learning response leads and their hours,
    and who wrote, reviewed and approved it. `control` is read from the plan's session unless
    given (psirf/plans/control.py: the one part not drawn from the plan alone)."""
    content = plan.content or {}
    control = control or control_of(object_session(plan), plan)
    start, end = period_of(plan.starts_on, plan.period_months)
    period = f"{dates.day(start)} to {dates.day(end)} ({plan.period_months} months)"
    try:
        status = definitions.get(plan.workflow_name, plan.workflow_version).state(plan.state).label
    except (KeyError, ValueError):
        status = plan.state
    draft = plan.state in DRAFT_STATES
    name = plan.organisation.name
    return Document(
        title=f"{name} patient safety incident response plan",
        organisation=name,
        version=plan.version_label,
        status=status,
        draft=draft,
        period=period,
        sections=[
            control_section(plan, control, status, period, public),
            _introduction(plan, content, period),
            _services(content),
            _profile(plan, content),
            _national(content),
            _local_focus(content),
            _capacity(plan, content, public),
            Section(
                7, "engagement", "Engagement commitments", [_paragraphs(content.get("engagement"))]
            ),
            _glossary(content),
        ],
    )
