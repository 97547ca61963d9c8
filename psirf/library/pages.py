"""The library entry's page model: the entry, who it was shared with, and what its response's
safety actions did, as the views pass it to the template.

Safety actions were never confirmed by the lead when the learning was shared, so their texts are
redacted again each time an entry is shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from psirf import policy
from psirf.actions.models import SafetyAction
from psirf.events.models import SafetyEvent
from psirf.learning.redact import redact
from psirf.library.models import LibraryEntry
from psirf.library.reading import audience_label, organisation_names
from psirf.library.sharing import response_known_names
from psirf.responses.models import LearningResponse
from psirf.workflow import runner


@dataclass
class ActionOutcome:
    """A safety action as the library shows it: its texts redacted, its owner an organisation."""

    description: str
    strength: str
    measure_kind: str
    measure: str | None
    state: str
    due_on: date | None
    owner_organisation: str | None
    evidence: str | None
    effect: str | None
    effect_notes: str | None


@dataclass
class EntryPage:
    entry: LibraryEntry
    audience: str
    actions: list[ActionOutcome] = field(default_factory=list)
    response_url_allowed: bool = False
    event_url_allowed: bool = False
    may_widen: bool = False


def _clean(text: str | None, names: tuple[str, ...]) -> str | None:
    return redact(text, known_names=names).text if text else text


def entry_page(session: Session, user, entry: LibraryEntry) -> EntryPage:
    page = EntryPage(
        entry=entry,
        audience=audience_label(entry, organisation_names(session, [entry.audience_icb_id])),
        may_widen=policy.may_widen_to_icb(user, entry),
    )
    if entry.response_id is not None:
        response = session.get(LearningResponse, entry.response_id)
        page.response_url_allowed = bool(policy.response_roles(user, response))
        names = response_known_names(session, response)
        actions = session.scalars(
            select(SafetyAction)
            .where(SafetyAction.response_id == response.id)
            .options(joinedload(SafetyAction.owner_organisation))
            .order_by(SafetyAction.id)
        )
        for action in actions:
            page.actions.append(
                ActionOutcome(
                    description=_clean(action.description, names),
                    strength=action.strength_label,
                    measure_kind=action.measure_kind_label,
                    measure=_clean(action.measure, names),
                    state=runner.definition_of(action).state(action.state).label,
                    due_on=action.due_on,
                    owner_organisation=action.owner_organisation.name
                    if action.owner_organisation
                    else None,
                    evidence=_clean(action.evidence, names),
                    effect=action.effect_label,
                    effect_notes=_clean(action.effect_notes, names),
                )
            )
    if entry.event_id is not None:
        event = session.get(SafetyEvent, entry.event_id)
        page.event_url_allowed = bool(policy.roles_covering(user, event.organisation))
    return page
