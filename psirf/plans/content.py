"""A plan's sections: generated from the profile and seed/plan_template.yaml, then edited.

`draft_content` writes every section of NHS England's plan template for a new plan;
`suggested_priorities` proposes the local focus from the profile (the largest and the most
harmful themes, each with the figures that justify it); `capacity` weighs the responses the plan
implies against the time its trained leads have. All plain functions over dicts: the same shapes
are stored as JSON, rendered in the page and the PDF, and compared between versions.
"""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import yaml

from psirf.events.lfpse import (
    HARM_SEVERITY,
    REPEAT_PRESENTATION,
    RecordType,
    Theme,
    insight_theme_label,
)
from psirf.timeutil import add_months
from psirf.responses.models import ResponseMethod
from psirf.triage import national
from psirf.triage.national import SEED_DIR
from psirf.triage.recommend import (
    DEFAULT_FOCUS,
    LocalFocus,
    PlanRef,
    load_local_focus,
    parse_local_focus,
)
from psirf.web import dates

PERIODS = (12, 18, 24)
LOOKBACKS = (12, 24, 36)
SUGGEST_LARGEST, SUGGEST_HARMFUL = 2, 2
# Methods a plan may name for a local priority (a referral is national, never local).
PLANNED_METHODS = tuple(m.value for m in ResponseMethod)
# The harm a row of events that need no further response covers: never severe harm or a death.
UP_TO_HARM = {
    "none": "no harm only",
    "low": "low harm or less",
    "moderate": "moderate harm or less",
}


@lru_cache(maxsize=1)
def template() -> dict:
    return yaml.safe_load((SEED_DIR / "plan_template.yaml").read_text())


def period_of(starts_on: date, months: int) -> tuple[date, date]:
    """The plan's first and last day, whole months from its start: 12 months from 5 December 2026
    end on 4 December 2027, the day before the same day of the month 12 months on. Where that month
    has no such day (31 January + 1 month), the period runs to the end of that month (28 February),
    so a period is never a day short of its months."""
    month = add_months(starts_on.replace(day=1), months)
    if starts_on.day <= monthrange(month.year, month.month)[1]:
        next_start = month.replace(day=starts_on.day)
    else:
        next_start = add_months(month, 1)
    return starts_on, next_start - timedelta(days=1)


def period_note(starts_on: date, months: int) -> str | None:
    """The template's note for a period longer than it usually covers; None within it."""
    settings = template()["period"]
    usual = settings["usual_months"]
    if months <= usual:
        return None
    return settings["longer_note"].format(
        period=f"{months} months", check=dates.day(period_of(starts_on, usual)[1])
    )


def default_distribution(group_name: str) -> list[str]:
    return [line.format(group=group_name) for line in template()["distribution"]]


def distribution_of(content: dict) -> list[str]:
    """Who receives the plan, as its authors listed them (document control)."""
    return list((content.get("control") or {}).get("distribution") or [])


def _fill(text: str, group_name: str, starts_on: date, months: int) -> str:
    start, end = period_of(starts_on, months)
    return text.format(
        group=group_name, period=f"{months} months", start=dates.day(start), end=dates.day(end)
    )


# ---- the local focus --------------------------------------------------------------------------


def _share(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "0%"


def good_care_excluded(profile: dict) -> str:
    """The good care the event figures leave out, as '12 records of good care'; '' for a profile
    frozen before the figures left good care out (its figures count it in, so say nothing)."""
    left_out = profile["events"].get("good_care_left_out")
    if left_out is None:
        return ""
    return f"{left_out:,} record{'' if left_out == 1 else 's'} of good care"


def _figures(theme: dict, profile: dict) -> str:
    share = f"{_share(theme['events'], profile['events']['total'])} of all events"
    excluded = good_care_excluded(profile)
    return (
        f"{theme['events']:,} events in the last {profile['months']} months "
        f"({share}{f'; excludes {excluded}' if excluded else ''}); "
        f"{theme['harmful']:,} with moderate or worse harm."
    )


def figures_of(theme_key: str, profile: dict) -> str:
    """The figures behind a theme the plan's authors chose, as a suggested priority gives them;
    '' when the profile holds none of its events."""
    themes = (profile.get("events") or {}).get("by_theme") or []
    theme = next((t for t in themes if t["key"] == theme_key), None)
    return _figures(theme, profile) if theme else ""


def _priority_from_default(priority) -> dict:
    return {
        "key": priority.key,
        "label": priority.label,
        "method": priority.method,
        "why": priority.why,
        "match": {
            "theme": priority.theme,
            "record_types": list(priority.record_types),
            "min_harm": priority.min_harm,
            "max_harm": priority.max_harm,
            "keywords": list(priority.keywords),
        },
    }


def _generic_priority(theme: dict, harmful: bool) -> dict:
    label = insight_theme_label(theme["key"])
    method = ResponseMethod.MDT_REVIEW.value if harmful else ResponseMethod.THEMATIC_REVIEW.value
    return {
        "key": f"{theme['key']}_{'harm' if harmful else 'pattern'}",
        "label": f"{label}: {'moderate or worse harm' if harmful else 'recurring events'}",
        "method": method,
        "why": "",
        "match": {
            "theme": theme["key"],
            "record_types": ["incident", "outcome"],
            "min_harm": "moderate" if harmful else None,
            "max_harm": None,
            "keywords": [],
        },
    }


def suggested_priorities(profile: dict, default: LocalFocus | None = None) -> list[dict]:
    """The largest themes and the most harmful, in that order, each once, with its figures."""
    default = default or load_local_focus()
    events = profile["events"]
    # Repeat presentation is offered to choose, not suggested: its events are diagnosis events,
    # which the suggestions already weigh.
    left_out = (Theme.OTHER.value, REPEAT_PRESENTATION)
    themes = [t for t in events["by_theme"] if t["key"] not in left_out]
    largest = themes[:SUGGEST_LARGEST]
    harmful = sorted(
        (t for t in themes if t["harmful"]), key=lambda t: (-t["harmful"], t["label"])
    )[:SUGGEST_HARMFUL]
    chosen = largest + [t for t in harmful if t not in largest]
    routes = template()["improvement_routes"]
    suggestions = []
    for theme in chosen:
        why = {
            (
                True,
                True,
            ): "One of the two most recorded themes, and of the two with the most moderate or worse harm.",
            (True, False): "One of the two most recorded themes.",
            (False, True): "One of the two themes with the most moderate or worse harm.",
        }[(theme in largest, theme in harmful)]
        because = f"{why} {_figures(theme, profile)}"
        matching = [p for p in default.priorities if p.theme == theme["key"]]
        rows = [_priority_from_default(p) for p in matching] or [
            _generic_priority(theme, theme in harmful)
        ]
        for row in rows:
            row["figures"] = because
            row["improvement_route"] = routes.get(row["method"], "")
            suggestions.append(row)
    return suggestions


def no_response_rows(default: LocalFocus | None = None) -> list[dict]:
    """A new plan's events that need no further response: the default local focus's, to edit."""
    return [
        {
            "key": row.key,
            "label": row.label,
            "handled_by": row.handled_by,
            "why": row.why,
            "match": {
                "theme": row.theme,
                "record_types": list(row.record_types),
                "min_harm": row.min_harm,
                "max_harm": row.max_harm,
                "keywords": list(row.keywords),
            },
        }
        for row in (default or load_local_focus()).no_further_response
    ]


def matched_events(match: dict) -> str:
    """Which events a row covers, in words: "Risk to patient safety; any theme; any harm short of
    severe"."""
    types = match.get("record_types") or []
    return "; ".join(
        (
            " or ".join(RecordType.label_for(t) for t in types) if types else "Any record type",
            insight_theme_label(match["theme"]) if match.get("theme") else "any theme",
            UP_TO_HARM.get(match.get("max_harm"), "any harm short of severe"),
        )
    )


def local_focus_of(
    content: dict, source: str, label: str, plan: PlanRef = DEFAULT_FOCUS
) -> LocalFocus:
    """A plan's local focus as triage reads it: checked like seed/local_focus.yaml. A plan made
    before the list of events that need no further response existed has none."""
    return parse_local_focus(
        {
            "priorities": content.get("local_focus") or [],
            "no_further_response": content.get("no_further_response") or [],
        },
        source,
        label,
        plan,
    )


# ---- capacity -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Demand:
    label: str
    method: str
    responses: float  # a year
    hours: float  # a year
    approximate: bool  # keyword-matched priorities are counted by theme: an upper bound


@dataclass(frozen=True)
class Capacity:
    demands: list[Demand]
    needed_hours: float  # a year
    available_hours: float  # a year, from trained leads only
    trained_leads: int

    @property
    def short(self) -> bool:
        return self.needed_hours > self.available_hours


def _harm_allowed(harm: str, match: dict) -> bool:
    if not (match.get("min_harm") or match.get("max_harm")):
        return True
    if harm not in HARM_SEVERITY:
        return False  # an event with no harm recorded matches no harm threshold
    low = HARM_SEVERITY.get(match.get("min_harm") or "none")
    high = HARM_SEVERITY.get(match.get("max_harm") or "fatal")
    return low <= HARM_SEVERITY[harm] <= high


def expected_events(profile: dict, match: dict) -> float:
    """Events a year the priority would have matched over the look-back."""
    detail = profile["events"]["detail"].get(match.get("theme"), {})
    types = match.get("record_types") or list(detail)
    found = sum(
        n for r in types for harm, n in detail.get(r, {}).items() if _harm_allowed(harm, match)
    )
    return found * 12 / profile["months"]


def capacity(content: dict, profile: dict) -> Capacity:
    settings = template()
    hours = settings["hours_per_response"]
    demands = []
    for row in content.get("local_focus") or []:
        method = row["method"]
        if method == ResponseMethod.THEMATIC_REVIEW.value:
            responses, approximate = float(settings["thematic_reviews_per_priority"]), False
        else:
            responses = expected_events(profile, row["match"])
            approximate = bool(row["match"].get("keywords"))
        demands.append(
            Demand(row["label"], method, responses, responses * hours.get(method, 0), approximate)
        )
    psii = sum(r["started"] for r in profile["responses"] if r["key"] == ResponseMethod.PSII.value)
    if psii:
        yearly = psii * 12 / profile["months"]
        demands.append(
            Demand(
                "National requirements (PSIIs, at the rate of the look-back)",
                ResponseMethod.PSII.value,
                yearly,
                yearly * hours["psii"],
                False,
            )
        )
    leads = [
        lead for lead in (content.get("capacity") or {}).get("leads", []) if lead.get("trained")
    ]
    return Capacity(
        demands=demands,
        needed_hours=sum(d.hours for d in demands),
        available_hours=12 * sum(float(lead.get("hours_per_month") or 0) for lead in leads),
        trained_leads=len(leads),
    )


# ---- the whole draft ----------------------------------------------------------------------------


def national_rows() -> list[dict]:
    rows = []
    for req in national.requirements():
        if req.response == national.PSII:
            response, lead = (
                "Locally-led patient safety incident investigation (PSII)",
                "The service where it happened, with the PCN or federation",
            )
        else:
            alongside = (
                " A local learning response may run alongside."
                if req.local_response_allowed
                else ""
            )
            response, lead = f"Refer to {req.refer_to} for them to lead.{alongside}", req.refer_to
        rows.append(
            {
                "key": req.key,
                "label": req.label,
                "response": response,
                "lead": lead,
                "confirmed": req.confirmed,
            }
        )
    return rows


def draft_content(
    *,
    group_name: str,
    members: list[dict],
    leads: list[dict],
    profile: dict,
    starts_on: date,
    period_months: int,
) -> dict:
    settings = template()
    return {
        "introduction": _fill(settings["introduction"], group_name, starts_on, period_months),
        "services": _fill(settings["services"], group_name, starts_on, period_months),
        "members": members,
        "sources": [{**s, "used": False, "count": None, "notes": ""} for s in settings["sources"]],
        "involved": {"people": "", "partners": ""},
        "national": national_rows(),
        "local_focus": suggested_priorities(profile),
        "no_further_response": no_response_rows(),
        "capacity": {"leads": leads},
        "engagement": settings["engagement"],
        "glossary": settings["glossary"],
        # Who wrote, reviewed and approved the plan is read from what they did (psirf/plans/control.py).
        "control": {"distribution": default_distribution(group_name)},
    }


def problems(content: dict) -> list[str]:
    """What a plan needs before the ICB can consider it."""
    found = []
    involved = content.get("involved") or {}
    if not (involved.get("people") or "").strip():
        found.append("Say who was involved in drawing up the plan.")
    if not (involved.get("partners") or "").strip():
        found.append("Name the patient safety partners who helped draw up the plan.")
    if not content.get("local_focus"):
        found.append("Keep or add at least one local priority.")
    for row in content.get("local_focus") or []:
        if not (row.get("improvement_route") or "").strip():
            found.append(f"Give the anticipated improvement route for '{row['label']}'.")
    if not distribution_of(content):
        found.append("List who receives the plan in document control.")
    if not any(s.get("used") for s in content.get("sources") or []):
        found.append(
            "Tick the other insight sources used (complaints, claims, staff survey and the rest)."
        )
    return found
