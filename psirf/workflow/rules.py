"""The generic guards and actions: they read only what a workflow file declares (its sections,
its target) or what every workflow's subject carries (`record`, `created_at`, `due_on` and
`due_at`, `closed_at`), so they know no feature. Each feature registers its own from its
`workflow_rules` module."""

from __future__ import annotations

from psirf.timeutil import utcnow
from psirf.workflow import deadlines
from psirf.workflow.registry import action, guard


def filled(value) -> bool:
    """An answer given: not missing, not blank."""
    return value is not None and str(value).strip() != ""


def _sections_known(sections, args) -> str | None:
    if not args:
        return "needs the sections to check, like complete:plan"
    unknown = [a for a in args if a not in sections]
    return f"names unknown sections {unknown}" if unknown else None


@guard("complete", check_args=_sections_known)
def complete(response, definition, sections) -> list[str]:
    """Every required question in the named sections is answered (a repeatable one has an entry)."""
    record = response.record or {}
    problems = []
    for name in sections:
        section = definition.sections[name]
        saved = record.get(name)
        if section.repeatable:
            if not saved:
                problems.append(f"Add at least one entry to '{section.label}'.")
            continue
        saved = saved or {}
        problems += [
            f"Answer '{f.label}'."
            for f in section.fields
            if f.required and not filled(saved.get(f.name))
        ]
    return problems


@action("set_due_date")
def set_due_date(session, response, actor, definition) -> None:
    """Due by the workflow's target counted from when the subject began: a subject moved onto
    another workflow keeps counting from its start, not from the move."""
    deadline = deadlines.from_target(definition.target, response.created_at or utcnow())
    if deadline is not None:
        deadlines.assign(response, deadline)


@action("record_closed")
def record_closed(session, response, actor, definition) -> None:
    response.closed_at = utcnow()
