"""The shared learning library: sharing what a closed response or a good care record taught, with
identifiers stripped and the lead's confirmation, and reading what others shared.

Only text that has been through `redact` and that the lead confirmed is ever stored: `publish`
refuses any title or summary that redaction would still change. Safety actions were never
confirmed by the lead, so their texts are redacted again each time an entry is shown.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, joinedload

from psirf import audit, policy
from psirf.accounts.models import User
from psirf.actions.models import SafetyAction
from psirf.engagement.models import AffectedPerson
from psirf.events.lfpse import Theme
from psirf.events.models import SafetyEvent
from psirf.learning.models import FindingKind
from psirf.learning.redact import Found, Kind, redact
from psirf.library.models import EntryKind, LibraryEntry
from psirf.organisations.models import Organisation, OrganisationKind
from psirf.responses.models import (
    LearningResponse,
    ResponseMethod,
    thematic_review_events,
    thematic_review_responses,
)
from psirf.responses.states import ResponseState
from psirf.web.pagination import Page, decode_cursor, encode_cursor
from psirf.workflow import runner
from psirf.problems import InputError

CLOSED = ResponseState.CLOSED
# The record fields a workflow keeps its shareable summary in, in order of preference: every
# workflow file names one of these (AAR, MDT, thematic and cross-organisational
# "learning_summary"; SWARM huddle and PSII "summary").
SUMMARY_FIELDS = ("learning_summary", "summary")
ICB_AUDIENCE = "icb"
GROUP_AUDIENCE = "group-"
GOOD_CARE_METHOD = "good_care"  # the method filter's value for good care entries
# What the period filter offers: learned in the last so many months.
PERIODS = (3, 6, 12, 24)

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


# ---- reading the library --------------------------------------------------------------------------


def method_choices() -> list[tuple[str, str]]:
    return ResponseMethod.choices() + [(GOOD_CARE_METHOD, "Good care records")]


SERVICE_FILTER_KINDS = (
    OrganisationKind.PRACTICE,
    OrganisationKind.PHARMACY,
    OrganisationKind.DENTAL,
    OrganisationKind.OPTOMETRY,
    OrganisationKind.PCN,
    OrganisationKind.FEDERATION,
)


def service_choices() -> list[tuple[str, str]]:
    return [(k.value, k.label) for k in SERVICE_FILTER_KINDS]


def period_choices() -> list[tuple[str, str]]:
    return [
        (str(m), f"In the last {m} months" if m < 24 else f"In the last {m // 12} years")
        for m in PERIODS
    ]


@dataclass
class Filters:
    text: str | None = None
    theme: str | None = None
    method: str | None = None
    service: str | None = None
    months: int | None = None

    def as_args(self) -> dict:
        return {
            k: v
            for k, v in (
                ("q", self.text),
                ("theme", self.theme),
                ("method", self.method),
                ("service", self.service),
                ("period", self.months),
            )
            if v
        }


def months_before(day: date, months: int) -> date:
    month = day.month - 1 - months
    year, month = day.year + month // 12, month % 12 + 1
    # The 31st of a shorter month is its last day.
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _filtered(user, filters: Filters, today: date):
    stmt = select(LibraryEntry).where(policy.library_scope(user))
    if filters.text:
        pattern = f"%{_escape_like(filters.text.lower())}%"
        stmt = stmt.where(
            or_(
                func.lower(LibraryEntry.title).like(pattern, escape="\\"),
                func.lower(LibraryEntry.summary).like(pattern, escape="\\"),
            )
        )
    if filters.theme:
        stmt = stmt.where(LibraryEntry.theme == filters.theme)
    if filters.method == GOOD_CARE_METHOD:
        stmt = stmt.where(LibraryEntry.kind == EntryKind.GOOD_CARE.value)
    elif filters.method:
        stmt = stmt.where(LibraryEntry.method == filters.method)
    if filters.service:
        stmt = stmt.where(LibraryEntry.service_kind == filters.service)
    if filters.months:
        stmt = stmt.where(LibraryEntry.learned_on >= months_before(today, filters.months))
    return stmt


def listing(
    session: Session, user, filters: Filters, cursor: str | None, size: int, today: date
) -> Page:
    """The entries `user` may read that match, newest published first, a page at a time (keyset
    on published_at and id, as web.pagination does on created_at)."""
    stmt = _filtered(user, filters, today).options(
        joinedload(LibraryEntry.audience_group), joinedload(LibraryEntry.organisation)
    )
    after = decode_cursor(cursor)
    if after:
        published_at, entry_id = after
        stmt = stmt.where(
            or_(
                LibraryEntry.published_at < published_at,
                and_(LibraryEntry.published_at == published_at, LibraryEntry.id < entry_id),
            )
        )
    rows = session.scalars(
        stmt.order_by(LibraryEntry.published_at.desc(), LibraryEntry.id.desc()).limit(size + 1)
    ).all()
    items = rows[:size]
    next_cursor = encode_cursor(items[-1].published_at, items[-1].id) if len(rows) > size else None
    return Page(items=items, next_cursor=next_cursor, has_previous=after is not None)


def organisation_names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    """Names for a set of organisation ids (the ICBs entries were shared with), in one query."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(
        session.execute(
            select(Organisation.id, Organisation.name).where(Organisation.id.in_(wanted))
        ).all()
    )


def audience_label(entry: LibraryEntry, icb_names: dict[int, str]) -> str:
    parts = []
    if entry.audience_group is not None:
        parts.append(entry.audience_group.name)
    if entry.audience_icb_id is not None:
        parts.append(f"everyone in {icb_names.get(entry.audience_icb_id, 'the ICB')}")
    label = " and ".join(parts)
    return label[:1].upper() + label[1:]


def get_visible(session: Session, user, entry_id: int) -> LibraryEntry:
    entry = session.scalar(
        select(LibraryEntry)
        .where(LibraryEntry.id == entry_id, policy.library_scope(user))
        .options(joinedload(LibraryEntry.audience_group), joinedload(LibraryEntry.organisation))
    )
    if entry is None:
        raise policy.NotVisible("Page not found")
    return entry


def visible_entry_for_response(session: Session, user, response_id: int) -> LibraryEntry | None:
    return session.scalar(
        select(LibraryEntry).where(
            LibraryEntry.response_id == response_id, policy.library_scope(user)
        )
    )


def visible_entry_for_event(session: Session, user, event_id: int) -> LibraryEntry | None:
    return session.scalar(
        select(LibraryEntry).where(LibraryEntry.event_id == event_id, policy.library_scope(user))
    )


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
