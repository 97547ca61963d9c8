"""Sharing what a closed response or a good care record taught with the learning library: what
is shared, stripping identifiers, publishing with the lead's confirmation, and widening the
audience to the whole ICB.

Only text that has been through `redact` and that the lead confirmed is ever stored: `publish`
refuses any title or summary that redaction would still change.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from psirf import audit, policy
from psirf.accounts.models import User
from psirf.actions.models import SafetyAction
from psirf.engagement.models import AffectedPerson
from psirf.events.lfpse import Theme
from psirf.events.models import SafetyEvent
from psirf.learning.models import FindingKind
from psirf.learning.redact import Found, Kind, redact
from psirf.library.models import EntryKind, LibraryEntry
from psirf.organisations.models import Organisation
from psirf.problems import InputError
from psirf.responses.models import (
    LearningResponse,
    thematic_review_events,
    thematic_review_responses,
)
from psirf.responses.states import ResponseState
from psirf.workflow import runner

CLOSED = ResponseState.CLOSED
# The record fields a workflow keeps its shareable summary in, in order of preference: every
# workflow file names one of these (AAR, MDT, thematic and cross-organisational
# "learning_summary"; SWARM huddle and PSII "summary").
SUMMARY_FIELDS = ("learning_summary", "summary")
ICB_AUDIENCE = "icb"
GROUP_AUDIENCE = "group-"

_KIND_WORDS = {
    Kind.NHS_NUMBER: ("NHS number", "NHS numbers"),
    Kind.NAME: ("name", "names"),
    Kind.DATE_OF_BIRTH: ("date of birth", "dates of birth"),
    Kind.ADDRESS: ("address", "addresses"),
    Kind.POSTCODE: ("postcode", "postcodes"),
    Kind.PHONE_NUMBER: ("phone number", "phone numbers"),
    Kind.EMAIL_ADDRESS: ("email address", "email addresses"),
}


# ---- what is being shared -------------------------------------------------------------------


@dataclass
class Source:
    """A closed response or a good care record, ready to be shared: what the form starts from."""

    kind: EntryKind
    organisation: Organisation
    title: str
    summary: str
    known_names: tuple[str, ...]
    theme: str | None
    method: str | None
    learned_on: date
    response: LearningResponse | None = None
    event: SafetyEvent | None = None

    @property
    def audiences(self) -> list[tuple[str, str]]:
        return audience_choices(self.organisation)


def audience_choices(organisation: Organisation) -> list[tuple[str, str]]:
    """One choice per PCN or federation the organisation belongs to (a group's own review: the
    group itself), and everyone in its ICB."""
    groups = [organisation] if organisation.kind_enum.is_group else list(organisation.groups)
    choices = [(f"{GROUP_AUDIENCE}{g.id}", f"Our PCN or federation: {g.name}") for g in groups]
    if organisation.icb is not None:
        choices.append((ICB_AUDIENCE, f"Everyone in {organisation.icb.name}"))
    return choices


def is_closed(response: LearningResponse) -> bool:
    """Closed as itself: not continued as another method, escalated or widened."""
    definition = runner.definition_of(response)
    return (
        response.state == CLOSED
        and definition.state(response.state).final
        and response.closed_at is not None
    )


def entry_for_response(session: Session, response_id: int) -> LibraryEntry | None:
    return session.scalar(select(LibraryEntry).where(LibraryEntry.response_id == response_id))


def entry_for_event(session: Session, event_id: int) -> LibraryEntry | None:
    return session.scalar(select(LibraryEntry).where(LibraryEntry.event_id == event_id))


def _covered_event_ids(response: LearningResponse):
    return select(thematic_review_events.c.event_id).where(
        thematic_review_events.c.response_id == response.id
    )


def _events_of(response: LearningResponse):
    """The response's own events and, for a thematic review, the events it looked across."""
    return or_(
        SafetyEvent.learning_response_id == response.id,
        SafetyEvent.id.in_(_covered_event_ids(response)),
    )


def response_known_names(session: Session, response: LearningResponse) -> tuple[str, ...]:
    """Everyone the response knows by name: the people affected (patients, family, carers, staff),
    its lead, the owners of its actions who have accounts, and who reported its events. A thematic review over earlier
    responses knows theirs too."""
    covered = select(thematic_review_responses.c.covered_id).where(
        thematic_review_responses.c.response_id == response.id
    )
    names = set(
        session.scalars(
            select(AffectedPerson.name).where(
                or_(
                    AffectedPerson.response_id == response.id,
                    AffectedPerson.response_id.in_(covered),
                )
            )
        )
    )
    if response.lead_id is not None:
        names.add(session.scalar(select(User.name).where(User.id == response.lead_id)))
    # Action owners with an account. The free-text owner is left out: it is as often a role
    # ("Practice manager") as a name, and every "practice" would become [name].
    names.update(
        session.scalars(
            select(User.name)
            .join(SafetyAction, SafetyAction.owner_user_id == User.id)
            .where(SafetyAction.response_id == response.id)
        )
    )
    reporters = session.execute(
        select(SafetyEvent.reporter_name, User.name)
        .outerjoin(User, User.id == SafetyEvent.reporter_user_id)
        .where(_events_of(response))
    )
    names.update(name for row in reporters for name in row)
    return tuple(sorted(n for n in names if n and n.strip()))


def event_known_names(session: Session, event: SafetyEvent) -> tuple[str, ...]:
    names = {event.reporter_name}
    if event.reporter_user_id is not None:
        names.add(session.scalar(select(User.name).where(User.id == event.reporter_user_id)))
    return tuple(sorted(n for n in names if n and n.strip()))


def _record_summary(response: LearningResponse) -> str:
    """The workflow's summary of the learning, wherever its file keeps it."""
    definition = runner.definition_of(response)
    record = response.record or {}
    for wanted in SUMMARY_FIELDS:
        for name, section in definition.sections.items():
            if section.repeatable or wanted not in {f.name for f in section.fields}:
                continue
            value = ((record.get(name) or {}).get(wanted) or "").strip()
            if value:
                return value
    return ""


def _bullets(heading: str, texts: Iterable[str]) -> str:
    texts = [t.strip() for t in texts if t and t.strip()]
    return f"{heading}\n" + "\n".join(f"- {t}" for t in texts) if texts else ""


def response_summary(response: LearningResponse) -> str:
    """The record's summary (or, without one, its areas for improvement), then what went well:
    learning from everyday work travels with the entry."""
    findings = list(response.findings)
    parts = [_record_summary(response)]
    if not parts[0]:
        parts.append(
            _bullets(
                "Areas for improvement",
                (f.text for f in findings if f.kind == FindingKind.AREA_FOR_IMPROVEMENT.value),
            )
        )
    parts.append(
        _bullets(
            "What went well", (f.text for f in findings if f.kind == FindingKind.WENT_WELL.value)
        )
    )
    return "\n\n".join(p for p in parts if p)


def _response_theme(session: Session, response: LearningResponse) -> str | None:
    if response.events:
        return response.events[0].theme
    selection = (response.record or {}).get("selection") or {}
    if selection.get("theme"):
        return selection["theme"]
    # A thematic review over events of one theme only is about that theme.
    themes = session.scalars(
        select(SafetyEvent.theme)
        .where(SafetyEvent.id.in_(_covered_event_ids(response)))
        .distinct()
        .limit(2)
    ).all()
    return themes[0] if len(themes) == 1 else None


def _title(lead: str, theme: str | None) -> str:
    return f"{lead}: {Theme.label_for(theme)}" if theme else lead


def response_source(session: Session, response: LearningResponse) -> Source:
    theme = _response_theme(session, response)
    first_event = session.scalar(
        select(func.min(SafetyEvent.occurred_on)).where(_events_of(response))
    )
    return Source(
        kind=EntryKind.RESPONSE,
        organisation=response.organisation,
        title=_title(response.method_label, theme),
        summary=response_summary(response),
        known_names=response_known_names(session, response),
        theme=theme,
        method=response.method,
        learned_on=first_event or response.created_at.date(),
        response=response,
    )


def good_care_source(session: Session, event: SafetyEvent) -> Source:
    return Source(
        kind=EntryKind.GOOD_CARE,
        organisation=event.organisation,
        title=_title("Good care", event.theme),
        summary=event.description.strip(),
        known_names=event_known_names(session, event),
        theme=event.theme,
        method=None,
        learned_on=event.occurred_on,
        event=event,
    )


# ---- stripping identifiers and publishing --------------------------------------------------------


@dataclass
class Stripped:
    title: str
    summary: str
    found: tuple[Found, ...] = ()

    @property
    def removed(self) -> str:
        """What was removed, by kind and never by value: "1 NHS number and 2 names"."""
        return describe_found(self.found)


def strip_identifiers(source: Source, title: str, summary: str) -> Stripped:
    # The organisation sharing its learning is named as itself, not taken for a person's name.
    kept = (source.organisation.name,)
    t = redact(title, known_names=source.known_names, keep=kept)
    s = redact(summary, known_names=source.known_names, keep=kept)
    return Stripped(title=t.text, summary=s.text, found=t.found + s.found)


def describe_found(found: Iterable[Found]) -> str:
    counts = Counter(f.kind for f in found)
    parts = [
        f"{counts[kind]} {words[0] if counts[kind] == 1 else words[1]}"
        for kind, words in _KIND_WORDS.items()
        if counts[kind]
    ]
    return " and ".join(filter(None, [", ".join(parts[:-1]), parts[-1]])) if parts else ""


def _normalise(text: str) -> str:
    return (text or "").replace("\r\n", "\n").strip()


def _audiences(source: Source, chosen: Iterable[str]) -> tuple[int | None, int | None]:
    offered = dict(source.audiences)
    chosen = list(dict.fromkeys(chosen or ()))
    if not chosen:
        raise InputError("audiences", "Choose who can read it")
    if any(c not in offered for c in chosen):
        raise InputError("audiences", "Choose from the options shown")
    groups = [int(c.removeprefix(GROUP_AUDIENCE)) for c in chosen if c.startswith(GROUP_AUDIENCE)]
    if len(groups) > 1:
        raise InputError(
            "audiences",
            "Choose one PCN or federation. To reach more than one, share it with everyone in the ICB",
        )
    icb_id = source.organisation.icb_id if ICB_AUDIENCE in chosen else None
    return (groups[0] if groups else None), icb_id


def publish(
    session: Session, user, source: Source, title: str, summary: str, audiences: Iterable[str]
) -> LibraryEntry:
    """Store the confirmed text as a library entry, with its audit record. The caller has shown
    the stripped text to the lead; text that redaction would still change is refused, so what is
    stored is exactly what the lead confirmed and never the original."""
    if not policy.may_publish_learning(user, source.organisation):
        raise policy.NotPermitted(
            "Only the organisation's patient safety lead can share its learning."
        )
    title, summary = _normalise(title), _normalise(summary)
    if not title:
        raise InputError("title", "Enter a title")
    if not summary:
        raise InputError("summary", "Write the summary of the learning")
    stripped = strip_identifiers(source, title, summary)
    if stripped.title != title:
        raise InputError(
            "title", "The title still identifies someone. Check it again before publishing"
        )
    if stripped.summary != summary:
        raise InputError(
            "summary", "The summary still identifies someone. Check it again before publishing"
        )
    group_id, icb_id = _audiences(source, audiences)
    already = (
        entry_for_response(session, source.response.id)
        if source.response is not None
        else entry_for_event(session, source.event.id)
    )
    if already is not None:
        raise policy.NotPermitted("This learning is already in the library.")
    entry = LibraryEntry(
        kind=source.kind.value,
        response_id=source.response.id if source.response is not None else None,
        event_id=source.event.id if source.event is not None else None,
        organisation_id=source.organisation.id,
        title=title,
        summary=summary,
        theme=source.theme,
        method=source.method,
        service_kind=source.organisation.kind,
        learned_on=source.learned_on,
        audience_group_id=group_id,
        audience_icb_id=icb_id,
        published_by_id=user.id,
    )
    session.add(entry)
    session.flush()
    audit.record(
        session,
        actor_id=user.id,
        action="library:publish",
        subject=entry,
        organisation_id=entry.organisation_id,
        changes={
            "kind": {"before": None, "after": entry.kind},
            "response_id": {"before": None, "after": entry.response_id},
            "event_id": {"before": None, "after": entry.event_id},
            "audience_group_id": {"before": None, "after": group_id},
            "audience_icb_id": {"before": None, "after": icb_id},
        },
    )
    return entry


def widen_to_icb(session: Session, user, entry: LibraryEntry) -> None:
    policy.require_may_widen_to_icb(user, entry)
    entry.audience_icb_id = entry.organisation.icb_id
    session.flush()
    audit.record(
        session,
        actor_id=user.id,
        action="library:widen",
        subject=entry,
        organisation_id=entry.organisation_id,
        changes={"audience_icb_id": {"before": None, "after": entry.audience_icb_id}},
    )
