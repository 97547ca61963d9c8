"""What changed between two versions of a plan, section by section, in the template's order."""

from __future__ import annotations

from dataclasses import dataclass, field

from psirf.plans.content import distribution_of, matched_events
from psirf.triage.recommend import method_label


@dataclass
class SectionChange:
    section: str
    changed: bool
    before: str = ""
    after: str = ""
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    altered: list[str] = field(default_factory=list)


def _text(before: dict, after: dict, key: str, title: str) -> SectionChange:
    old, new = before.get(key) or "", after.get(key) or ""
    return SectionChange(title, old != new, old, new)


def _involved(content: dict) -> str:
    involved = content.get("involved") or {}
    return f"{involved.get('people') or ''}\nPatient safety partners: {involved.get('partners') or ''}".strip()


def _source(row: dict) -> str:
    if not row.get("used"):
        return f"{row['label']}: not used"
    count = f", {row['count']:,}" if row.get("count") is not None else ""
    notes = f" ({row['notes']})" if row.get("notes") else ""
    return f"{row['label']}: used{count}{notes}"


def _priority(row: dict) -> str:
    return f"{row['label']}: {method_label(row['method'])}; {row.get('improvement_route') or ''}"


def _no_response(row: dict) -> str:
    return f"{row['label']} ({matched_events(row['match'])}): handled by {row['handled_by']}"


def _lead(row: dict) -> str:
    trained = "trained" if row.get("trained") else "not trained"
    return f"{row['name']} ({trained}, {row.get('hours_per_month', 0)} hours a month)"


def _rows(before: list, after: list, key, describe, title: str) -> SectionChange:
    old = {key(r): describe(r) for r in before or []}
    new = {key(r): describe(r) for r in after or []}
    change = SectionChange(
        title,
        False,
        added=[new[k] for k in new if k not in old],
        removed=[old[k] for k in old if k not in new],
        altered=[f"{old[k]} -> {new[k]}" for k in new if k in old and old[k] != new[k]],
    )
    change.changed = bool(change.added or change.removed or change.altered)
    return change


def compare(before: dict, after: dict) -> list[SectionChange]:
    return [
        _text(before, after, "introduction", "Introduction"),
        _text(before, after, "services", "Our services"),
        _rows(
            before.get("sources"),
            after.get("sources"),
            lambda r: r["key"],
            _source,
            "Other insight sources",
        ),
        SectionChange(
            "Who was involved",
            _involved(before) != _involved(after),
            _involved(before),
            _involved(after),
        ),
        _rows(
            before.get("local_focus"),
            after.get("local_focus"),
            lambda r: r["key"],
            _priority,
            "Local focus",
        ),
        _rows(
            before.get("no_further_response"),
            after.get("no_further_response"),
            lambda r: r["key"],
            _no_response,
            "Local focus: events that need no further response",
        ),
        _rows(
            (before.get("capacity") or {}).get("leads"),
            (after.get("capacity") or {}).get("leads"),
            lambda r: r["name"],
            _lead,
            "Capacity: learning response leads",
        ),
        _text(before, after, "engagement", "Engagement commitments"),
        _rows(
            distribution_of(before),
            distribution_of(after),
            lambda r: r,
            lambda r: r,
            "Document control: who receives the plan",
        ),
    ]
