"""Triage recommends, the lead decides: the proportionate learning response for one event.

`recommend(event)` is a pure function of the event's fields (no Flask, no database), checked in
this order, as PSIRF asks:

1. National requirements (seed/national_requirements.yaml). A Never Event, a death thought more
   likely than not due to problems in care, or a death under the Mental Health Act or where the
   Mental Capacity Act applied -> a patient safety incident investigation (PSII). Otherwise a
   referral-out flag -> "referral", naming the body. A PSII row wins over a referral row; every
   matching row is named in the reasons.
2. Local priorities: those of the PSIRF plan in force for the event's PCN or federation
   (psirf/plans/services.py local_focus_for), or until one is approved the default local focus in
   seed/local_focus.yaml. The first priority that matches gives its planned method. A planned thematic review becomes
   "no further response, kept for insight" at triage, because a thematic review is started
   from a set of events, not from one.
3. Learning potential, a deliberately simple heuristic (harm is an input, not the decider):
   - good care -> after action review, to draw out and amplify what went well;
   - a risk (nothing has happened yet) -> no further response: manage it on the risk register
     and keep it for insight;
   - an incident or poor outcome with no harm, reported while the team still remember it
     (within `swarm_within_days` of happening) -> SWARM huddle; no harm but reported later ->
     no further response, kept for insight and thematic analysis;
   - low or moderate harm, or harm not recorded -> after action review: those involved can say
     why what happened differed from what was expected;
   - severe harm or a death with no national requirement flagged -> MDT review, since serious
     harm usually spans several professions and often other organisations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

import yaml

from psirf.events.lfpse import HARM_SEVERITY, NeverEventType, RecordType, Theme
from psirf.responses.models import ResponseMethod
from psirf.triage import national
from psirf.triage.national import SEED_DIR

REFERRAL = "referral"
NO_FURTHER_RESPONSE = "no_further_response"

HARM_IS_AN_INPUT = (
    "Harm is an input here, not the decider: choose by what can be learned and what is practical."
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


# ---- the default local focus ------------------------------------------------------------------


@dataclass(frozen=True)
class LocalPriority:
    key: str
    label: str
    method: str
    why: str
    theme: str
    record_types: tuple[str, ...] = ()
    min_harm: str | None = None
    max_harm: str | None = None
    keywords: tuple[str, ...] = ()

    def matches(self, event) -> bool:
        if event.theme != self.theme:
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


@dataclass(frozen=True)
class LocalFocus:
    priorities: tuple[LocalPriority, ...]
    swarm_within_days: int = 7
    # Where the priorities come from, as the reasons say it.
    source: str = PENDING_PLAN


class LocalFocusError(ValueError):
    """The local focus file is wrong; the message says where."""


def parse_local_focus(data: dict, source: str, label: str = PENDING_PLAN) -> LocalFocus:
    methods = {m.value for m in ResponseMethod}
    themes = {t.value for t in Theme}
    record_types = {r.value for r in RecordType}
    priorities = []
    for spec in (data or {}).get("priorities") or ():
        key, match = spec.get("key"), spec.get("match") or {}
        if not key or not spec.get("label"):
            raise LocalFocusError(f"{source}: every priority needs a key and a label")
        if spec.get("method") not in methods:
            raise LocalFocusError(f"{source}: '{key}' names unknown method '{spec.get('method')}'")
        if match.get("theme") not in themes:
            raise LocalFocusError(f"{source}: '{key}' must match a known theme")
        if not set(match.get("record_types") or ()) <= record_types:
            raise LocalFocusError(f"{source}: '{key}' names an unknown record type")
        if match.get("min_harm") not in (None, *HARM_SEVERITY) or match.get("max_harm") not in (
            None,
            *HARM_SEVERITY,
        ):
            raise LocalFocusError(f"{source}: '{key}' names an unknown harm level")
        priorities.append(
            LocalPriority(
                key=key,
                label=spec["label"],
                method=spec["method"],
                why=spec.get("why") or "",
                theme=match["theme"],
                record_types=tuple(match.get("record_types") or ()),
                min_harm=match.get("min_harm"),
                max_harm=match.get("max_harm"),
                keywords=tuple(str(w).lower() for w in match.get("keywords") or ()),
            )
        )
    learning = (data or {}).get("learning_potential") or {}
    return LocalFocus(tuple(priorities), int(learning.get("swarm_within_days", 7)), label)


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
            NeverEventType.label_for(event.never_event_type)
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
    matches = [r for r in national.requirements() if r.applies_to(event)]
    if not matches:
        return None
    primary = next((r for r in matches if r.response == national.PSII), matches[0])
    reasons = [_requirement_reason(primary, event)]
    reasons += [_requirement_reason(r, event) for r in matches if r is not primary]
    if primary.response == national.PSII:
        return Recommendation(ResponseMethod.PSII.value, reasons, requirement=primary.key)
    return Recommendation(
        REFERRAL,
        reasons,
        requirement=primary.key,
        refer_to=primary.refer_to,
        local_response_allowed=primary.local_response_allowed,
    )


def _local(event, focus: LocalFocus) -> Recommendation | None:
    priority = next((p for p in focus.priorities if p.matches(event)), None)
    if priority is None:
        return None
    reasons = [
        f"Local priority ({focus.source}): {priority.label}. Planned response: {method_label(priority.method)}."
    ]
    if priority.why:
        reasons.append(priority.why)
    method, planned = priority.method, None
    if method == ResponseMethod.THEMATIC_REVIEW.value:
        method, planned = NO_FURTHER_RESPONSE, priority.method
        reasons.append(
            "A thematic review is started from a set of events, not from one: keep this event for insight "
            "so the thematic review includes it."
        )
    reasons.append(HARM_IS_AN_INPUT)
    return Recommendation(method, reasons, local_priority=priority.key, planned_method=planned)


def _learning_potential(event, focus: LocalFocus, today: date) -> Recommendation:
    aar, swarm, mdt = (
        ResponseMethod.AFTER_ACTION_REVIEW.value,
        ResponseMethod.SWARM_HUDDLE.value,
        ResponseMethod.MDT_REVIEW.value,
    )
    record_type, severity = event.record_type, _severity(event)
    if record_type == RecordType.GOOD_CARE.value:
        method, why = (
            aar,
            (
                "Good care: an after action review can draw out what went well so it can be repeated. "
                "If the learning is already clear, share it and keep the record instead."
            ),
        )
    elif record_type == RecordType.RISK.value:
        method, why = (
            NO_FURTHER_RESPONSE,
            (
                "A risk, not something that has happened: manage it on the risk register and keep it for "
                "insight and thematic analysis."
            ),
        )
    elif _harm_recorded(event) and severity == HARM_SEVERITY["none"]:
        occurred = getattr(event, "occurred_on", None)
        recent = occurred is not None and (today - occurred).days <= focus.swarm_within_days
        if recent:
            method, why = (
                swarm,
                (
                    f"No harm, and it happened within {focus.swarm_within_days} days: a SWARM huddle while the "
                    "team still remember it gives quick learning at little cost."
                ),
            )
        else:
            method, why = (
                NO_FURTHER_RESPONSE,
                (
                    "No harm, and it happened some time ago: one event offers little fresh learning. Keep it "
                    "for insight and thematic analysis."
                ),
            )
    elif severity >= HARM_SEVERITY["severe"]:
        method, why = (
            mdt,
            (
                "Severe harm or a death, with no national requirement flagged: serious harm usually spans "
                "several professions and often other organisations, which an MDT review brings together."
            ),
        )
    else:
        method, why = (
            aar,
            (
                "Those involved can explain why what happened differed from what was expected: an after "
                "action review is proportionate."
            ),
        )
    reasons = [f"Learning potential: {why}"]
    if severity >= HARM_SEVERITY["fatal"]:
        reasons.append(
            "If the death is thought more likely than not due to problems in care, a PSII is a national "
            "requirement: choose a PSII and say so."
        )
    reasons.append(HARM_IS_AN_INPUT)
    return Recommendation(method, reasons)


def recommend(
    event, *, today: date | None = None, focus: LocalFocus | None = None
) -> Recommendation:
    """National requirements first, then local priorities, then learning potential."""
    focus = focus or load_local_focus()
    return (
        _national(event)
        or _local(event, focus)
        or _learning_potential(event, focus, today or date.today())
    )
