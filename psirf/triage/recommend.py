"""Triage recommends, the lead decides: the proportionate learning response for one event.

`recommend(event)` is a pure function of the event's fields (no Flask, no database), checked in
this order, as PSIRF asks:

1. National requirements (seed/national_requirements.yaml). A Never Event (of a type on
   seed/never_events.yaml), a death thought more likely than not due to problems in care, or a
   death under the Mental Health Act or where the Mental Capacity Act applied -> a patient safety
   incident investigation (PSII). Otherwise a referral-out flag -> "referral", naming the body. A
   PSII row wins over a referral row; every matching row is named in the reasons.
2. Local priorities: those of the PSIRF plan in force for the event's PCN or federation
   (psirf/plans/services.py local_focus_for), or until one is approved the default local focus in
   seed/local_focus.yaml. The first priority that matches gives its planned method. A planned
   thematic review becomes "no further response, kept for insight" at triage, because a thematic
   review is started from a set of events, not from one; but not for severe harm or a death,
   which needs a response of its own (an MDT review).
3. Severe harm or a death that no national requirement and no priority covers -> MDT review, with
   the reason: serious harm usually spans several professions and often other organisations. No
   list of the plan's keeps such an event with no further response.
4. The plan's list of events that need no further response, because another process handles
   them (a risk on the risk register, say) -> no further response, naming the row.
5. Learning potential, a deliberately simple heuristic that never recommends "no further
   response": that comes only from a row of the plan or a national requirement, never from harm
   and age alone.
   - good care -> after action review, to draw out and amplify what went well;
   - a risk the plan does not list -> SWARM huddle, to agree with the team how to reduce it;
   - an incident or poor outcome with no harm, reported while the team still remember it
     (within `swarm_within_days` of happening) -> SWARM huddle; reported later -> after action
     review, when those involved can still say why it happened;
   - low or moderate harm, or harm not recorded -> after action review: those involved can say
     why what happened differed from what was expected.

Every recommendation carries its `source`: the national requirement, or the plan (with its
version) and the row it came from, or the plans that were checked when learning potential decided.
It is shown on the triage page and stored with the decision.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from datetime import date
from functools import lru_cache
from pathlib import Path

import yaml

from psirf.events.lfpse import (
    HARM_SEVERITY,
    REPEAT_PRESENTATION,
    RecordType,
    insight_theme_choices,
    is_repeat_presentation,
)
from psirf.responses.models import ResponseMethod
from psirf.triage import national, never_events
from psirf.triage.national import SEED_DIR

REFERRAL = "referral"
NO_FURTHER_RESPONSE = "no_further_response"
SERIOUS = HARM_SEVERITY["severe"]

HARM_IS_AN_INPUT = (
    "Harm is an input here, not the decider: choose by what can be learned and what is practical."
)
REPEAT_PRESENTATION_REASON = (
    "Repeat presentation: the patient had 3 or more consultations for the same symptoms that were "
    "not resolved or were getting worse. Jess's Rule (three strikes and we rethink) asks clinicians "
    "to step back at the third: whatever the response, ask why the earlier consultations did not "
    "lead to a review face to face, an examination, a second opinion, tests or a referral."
)
PENDING_PLAN = "from the default local focus, used until your organisation's PSIRF plan is approved"

SHORT_LABELS = {
    ResponseMethod.SWARM_HUDDLE.value: "SWARM huddle",
    ResponseMethod.AFTER_ACTION_REVIEW.value: "After action review",
    ResponseMethod.MDT_REVIEW.value: "MDT review",
    ResponseMethod.THEMATIC_REVIEW.value: "Thematic review",
    ResponseMethod.PSII.value: "PSII",
    ResponseMethod.CROSS_ORGANISATIONAL.value: "Cross-organisational",
    REFERRAL: "Refer to another body",
    NO_FURTHER_RESPONSE: "No further response",
}


def method_label(method: str) -> str:
    if method == REFERRAL:
        return "Referred to another body"
    if method == NO_FURTHER_RESPONSE:
        return "No further response, kept for insight"
    return ResponseMethod.label_for(method)


# ---- where a recommendation comes from ----------------------------------------------------------

NATIONAL = "national_requirement"
LOCAL_PRIORITY = "local_priority"
NO_RESPONSE_ROW = "no_further_response_row"
SERIOUS_HARM = "serious_harm"
LEARNING_POTENTIAL = "learning_potential"


@dataclass(frozen=True)
class PlanRef:
    """The document a local focus was read from: a PSIRF plan in force, or the default."""

    name: str  # with the plan's version: "North PCN's PSIRF plan, version 1.2"
    plan_id: int | None = None


DEFAULT_FOCUS = PlanRef(
    "the default local focus (used until your organisation's PSIRF plan is approved)"
)


@dataclass(frozen=True)
class Source:
    """The rule a recommendation came from, as stored with the decision (`stored()`): a national
    requirement's row, a row of a plan's local focus or of its list of events that need no further
    response, or, when none applied, the documents that were checked."""

    kind: str
    document: str
    row: int | None = None
    key: str | None = None
    label: str | None = None
    plan_id: int | None = None

    @property
    def text(self) -> str:
        if self.kind == NATIONAL:
            return f"{self.document}, row {self.row}: {self.label}"
        if self.kind == LOCAL_PRIORITY:
            return f"{_capital(self.document)}: local priorities, row {self.row}: {self.label}"
        if self.kind == NO_RESPONSE_ROW:
            return (
                f"{_capital(self.document)}: events that need no further response, "
                f"row {self.row}: {self.label}"
            )
        if self.kind == SERIOUS_HARM:
            return (
                "Severe harm or a death that no national requirement and no row of "
                f"{self.document} covers"
            )
        return f"Learning potential: no national requirement and no row of {self.document} applies"

    def stored(self) -> dict:
        return asdict(self)

    @classmethod
    def from_stored(cls, data: dict | None) -> Source | None:
        if not data or not data.get("kind"):
            return None
        names = {f.name for f in fields(cls)}
        return cls(**{name: value for name, value in data.items() if name in names})


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class Recommendation:
    method: str  # a ResponseMethod value, "referral" or "no_further_response"
    reasons: list[str] = field(default_factory=list)
    requirement: str | None = None  # the national requirement's key, when one applies
    refer_to: str | None = None  # the body, when the recommendation is a referral
    local_response_allowed: bool = False  # may a local learning response run alongside a referral
    local_priority: str | None = None  # the local priority's key, when one matched
    planned_method: str | None = (
        None  # the plan's method when it differs from `method` (thematic review)
    )
    source: Source | None = None

    @property
    def national(self) -> bool:
        return self.requirement is not None

    @property
    def label(self) -> str:
        if self.method == REFERRAL and self.refer_to:
            return f"Refer to {self.refer_to}"
        return method_label(self.method)

    @property
    def short_label(self) -> str:
        return SHORT_LABELS.get(self.method, self.method)


# ---- the local focus: a plan's rows, or the default's -------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Rule:
    """A row of a plan's table, matched against an event's fields."""

    key: str
    label: str
    theme: str | None = None
    record_types: tuple[str, ...] = ()
    min_harm: str | None = None
    max_harm: str | None = None
    keywords: tuple[str, ...] = ()
    row: int = 0  # its place in its table, from 1
    plan: PlanRef = DEFAULT_FOCUS

    def matches(self, event) -> bool:
        if self.theme == REPEAT_PRESENTATION:
            # Insight's own theme: diagnosis events whose patient had 3 or more consultations.
            if not is_repeat_presentation(event):
                return False
        elif self.theme and event.theme != self.theme:
            return False
        if self.record_types and event.record_type not in self.record_types:
            return False
        if (self.min_harm or self.max_harm) and not _harm_recorded(event):
            return False
        if self.min_harm and _severity(event) < HARM_SEVERITY[self.min_harm]:
            return False
        if self.max_harm and _severity(event) > HARM_SEVERITY[self.max_harm]:
            return False
        if self.keywords:
            text = (getattr(event, "description", None) or "").lower()
            return any(word in text for word in self.keywords)
        return True

    def source(self, kind: str) -> Source:
        return Source(kind, self.plan.name, self.row, self.key, self.label, self.plan.plan_id)


@dataclass(frozen=True, kw_only=True)
class LocalPriority(Rule):
    method: str
    why: str = ""


@dataclass(frozen=True, kw_only=True)
class NoResponseRow(Rule):
    """An event the plan says needs no further response, because another process handles it."""

    handled_by: str
    why: str = ""


@dataclass(frozen=True)
class LocalFocus:
    priorities: tuple[LocalPriority, ...]
    swarm_within_days: int = 7
    # Where the priorities come from, as the reasons say it.
    source: str = PENDING_PLAN
    no_further_response: tuple[NoResponseRow, ...] = ()
    plans: tuple[PlanRef, ...] = (DEFAULT_FOCUS,)

    @property
    def checked(self) -> str:
        """The documents whose rows were checked, as the reasons name them."""
        return " or ".join(p.name for p in self.plans)


class LocalFocusError(ValueError):
    """The local focus file is wrong; the message says where."""


def _match(spec: dict, source: str, theme_required: bool) -> dict:
    key, match = spec.get("key"), spec.get("match") or {}
    theme, record_types = match.get("theme"), tuple(match.get("record_types") or ())
    known = {value for value, _ in insight_theme_choices()}
    if theme not in known and (theme_required or theme is not None):
        raise LocalFocusError(f"{source}: '{key}' must match a known theme")
    if not set(record_types) <= {r.value for r in RecordType}:
        raise LocalFocusError(f"{source}: '{key}' names an unknown record type")
    if match.get("min_harm") not in (None, *HARM_SEVERITY) or match.get("max_harm") not in (
        None,
        *HARM_SEVERITY,
    ):
        raise LocalFocusError(f"{source}: '{key}' names an unknown harm level")
    return {
        "theme": theme,
        "record_types": record_types,
        "min_harm": match.get("min_harm"),
        "max_harm": match.get("max_harm"),
        "keywords": tuple(str(w).lower() for w in match.get("keywords") or ()),
    }


def _named(spec: dict, source: str, what: str) -> str:
    if not spec.get("key") or not spec.get("label"):
        raise LocalFocusError(f"{source}: every {what} needs a key and a label")
    return spec["key"]


def _priority(spec: dict, source: str, row: int, plan: PlanRef) -> LocalPriority:
    key = _named(spec, source, "priority")
    if spec.get("method") not in {m.value for m in ResponseMethod}:
        raise LocalFocusError(f"{source}: '{key}' names unknown method '{spec.get('method')}'")
    return LocalPriority(
        key=key,
        label=spec["label"],
        method=spec["method"],
        why=spec.get("why") or "",
        row=row,
        plan=plan,
        **_match(spec, source, theme_required=True),
    )


def _no_response_row(spec: dict, source: str, row: int, plan: PlanRef) -> NoResponseRow:
    key = _named(spec, source, "event that needs no further response")
    if not (spec.get("handled_by") or "").strip():
        raise LocalFocusError(f"{source}: '{key}' must say what handles it instead")
    match = _match(spec, source, theme_required=False)
    # A row that names neither would keep every other event from a response.
    if not (match["theme"] or match["record_types"]):
        raise LocalFocusError(f"{source}: '{key}' must match a theme or a record type")
    return NoResponseRow(
        key=key,
        label=spec["label"],
        handled_by=spec["handled_by"].strip(),
        why=spec.get("why") or "",
        row=row,
        plan=plan,
        **match,
    )


def parse_local_focus(
    data: dict, source: str, label: str = PENDING_PLAN, plan: PlanRef = DEFAULT_FOCUS
) -> LocalFocus:
    data = data or {}
    priorities = tuple(
        _priority(spec, source, row, plan)
        for row, spec in enumerate(data.get("priorities") or (), start=1)
    )
    no_response = tuple(
        _no_response_row(spec, source, row, plan)
        for row, spec in enumerate(data.get("no_further_response") or (), start=1)
    )
    learning = data.get("learning_potential") or {}
    return LocalFocus(
        priorities, int(learning.get("swarm_within_days", 7)), label, no_response, (plan,)
    )


@lru_cache(maxsize=4)
def load_local_focus(path: Path = SEED_DIR / "local_focus.yaml") -> LocalFocus:
    return parse_local_focus(yaml.safe_load(path.read_text()), path.name)


# ---- the recommendation ---------------------------------------------------------------------


def _severity(event) -> int:
    levels = [getattr(event, "physical_harm", None), getattr(event, "psychological_harm", None)]
    return max((HARM_SEVERITY.get(level, 0) for level in levels if level), default=0)


def _harm_recorded(event) -> bool:
    return bool(getattr(event, "physical_harm", None) or getattr(event, "psychological_harm", None))


def _requirement_reason(req: national.NationalRequirement, event) -> str:
    if req.applies_when == national.NEVER_EVENT:
        kind = (
            never_events.label_for(event.never_event_type)
            if getattr(event, "never_event_type", None)
            else "not recorded"
        )
        subject = f"Never Event (type {kind})"
    else:
        subject = req.label
    if req.response == national.PSII:
        reason = f"National requirement: {subject} - a patient safety incident investigation (PSII) is required."
    else:
        alongside = (
            "A local learning response may run alongside."
            if req.local_response_allowed
            else f"{req.refer_to} leads; a local learning response is not usually run alongside."
        )
        reason = f"National requirement: {subject} - refer to {req.refer_to}. {alongside}"
    if not req.confirmed:
        reason += (
            " (This requirement is not yet confirmed against NHS England's guidance: check it.)"
        )
    return reason


def _national(event) -> Recommendation | None:
    every = national.requirements()
    matches = [r for r in every if r.applies_to(event)]
    if not matches:
        return None
    primary = next((r for r in matches if r.response == national.PSII), matches[0])
    reasons = [_requirement_reason(primary, event)]
    reasons += [_requirement_reason(r, event) for r in matches if r is not primary]
    source = Source(
        NATIONAL, "National requirements", every.index(primary) + 1, primary.key, primary.label
    )
    if primary.response == national.PSII:
        return Recommendation(
            ResponseMethod.PSII.value, reasons, requirement=primary.key, source=source
        )
    return Recommendation(
        REFERRAL,
        reasons,
        requirement=primary.key,
        refer_to=primary.refer_to,
        local_response_allowed=primary.local_response_allowed,
        source=source,
    )


def _local(event, focus: LocalFocus) -> Recommendation | None:
    priority = next((p for p in focus.priorities if p.matches(event)), None)
    if priority is None:
        return None
    reasons = [
        f"Local priority (row {priority.row} of {priority.plan.name}): {priority.label}. "
        f"Planned response: {method_label(priority.method)}."
    ]
    if priority.why:
        reasons.append(priority.why)
    method, planned = priority.method, None
    if method == ResponseMethod.THEMATIC_REVIEW.value and _severity(event) >= SERIOUS:
        method = ResponseMethod.MDT_REVIEW.value
        reasons.append(
            "The plan looks at these events together in a thematic review, but this one did severe "
            "harm or worse, which needs a response of its own: an MDT review brings together the "
            "professions and organisations serious harm usually spans. It still counts in the "
            "thematic review."
        )
    elif method == ResponseMethod.THEMATIC_REVIEW.value:
        method, planned = NO_FURTHER_RESPONSE, priority.method
        reasons.append(
            "A thematic review is started from a set of events, not from one: keep this event for insight "
            "so the thematic review includes it."
        )
    reasons.append(HARM_IS_AN_INPUT)
    return Recommendation(
        method,
        reasons,
        local_priority=priority.key,
        planned_method=planned,
        source=priority.source(LOCAL_PRIORITY),
    )


def _serious_harm(event, focus: LocalFocus) -> Recommendation | None:
    severity = _severity(event)
    if severity < SERIOUS:
        return None
    reasons = [
        "Severe harm or a death, with no national requirement flagged and outside every local "
        f"priority of {focus.checked}: serious harm usually spans several professions and often "
        "other organisations, which an MDT review brings together. An event that did serious harm "
        "is not kept with no further response, whatever the plan lists."
    ]
    if severity >= HARM_SEVERITY["fatal"]:
        reasons.append(
            "If the death is thought more likely than not due to problems in care, a PSII is a national "
            "requirement: choose a PSII and say so."
        )
    return Recommendation(
        ResponseMethod.MDT_REVIEW.value, reasons, source=Source(SERIOUS_HARM, focus.checked)
    )


def _no_further_response(event, focus: LocalFocus) -> Recommendation | None:
    row = next((r for r in focus.no_further_response if r.matches(event)), None)
    if row is None:
        return None
    reasons = [
        f"Events that need no further response (row {row.row} of {row.plan.name}): "
        f"{row.label}. Handled instead by: {row.handled_by}."
    ]
    if row.why:
        reasons.append(row.why)
    reasons.append(HARM_IS_AN_INPUT)
    return Recommendation(NO_FURTHER_RESPONSE, reasons, source=row.source(NO_RESPONSE_ROW))


def _learning_potential(event, focus: LocalFocus, today: date) -> Recommendation:
    aar, swarm = ResponseMethod.AFTER_ACTION_REVIEW.value, ResponseMethod.SWARM_HUDDLE.value
    record_type = event.record_type
    if record_type == RecordType.GOOD_CARE.value:
        method, why = (
            aar,
            "Good care: an after action review can draw out what went well so it can be repeated. "
            "If the learning is already clear, share it and keep the record instead.",
        )
    elif record_type == RecordType.RISK.value:
        method, why = (
            swarm,
            "A risk, not something that has happened, and the plan names no other process for it: "
            "a short huddle with the team can agree how to reduce it. If risks like this are "
            "managed on a risk register, the plan's list of events that need no further response "
            "can say so.",
        )
    elif _harm_recorded(event) and _severity(event) == HARM_SEVERITY["none"]:
        occurred = getattr(event, "occurred_on", None)
        if occurred is not None and (today - occurred).days <= focus.swarm_within_days:
            method, why = (
                swarm,
                f"No harm, and it happened within {focus.swarm_within_days} days: a SWARM huddle "
                "while the team still remember it gives quick learning at little cost.",
            )
        else:
            method, why = (
                aar,
                f"No harm, and it happened more than {focus.swarm_within_days} days ago, too long "
                "for a SWARM huddle: an after action review with those involved can still find why "
                "it happened. No further response is recommended only for events the plan lists.",
            )
    else:
        method, why = (
            aar,
            "Those involved can explain why what happened differed from what was expected: an after "
            "action review is proportionate.",
        )
    return Recommendation(
        method,
        [f"Learning potential: {why}", HARM_IS_AN_INPUT],
        source=Source(LEARNING_POTENTIAL, focus.checked),
    )


def recommend(
    event, *, today: date | None = None, focus: LocalFocus | None = None
) -> Recommendation:
    """National requirements, local priorities, serious harm, the plan's list of events that need
    no further response, then learning potential."""
    focus = focus or load_local_focus()
    recommendation = (
        _national(event)
        or _local(event, focus)
        or _serious_harm(event, focus)
        or _no_further_response(event, focus)
        or _learning_potential(event, focus, today or date.today())
    )
    if is_repeat_presentation(event):
        # Flagged, not decided: the method stands (a plan may make repeat presentation a local
        # priority of its own), and the lead is told why the event needs a second look.
        reasons = [*recommendation.reasons, REPEAT_PRESENTATION_REASON]
        recommendation = replace(recommendation, reasons=reasons)
    return recommendation
