"""A bulletin's first draft, drawn from the area's records for a period.

Every figure is SQL aggregation: themes and their trends from the theme rollups (the same rows the
dashboards read, psirf/dashboards/services.py `area_themes`), good care from the monthly counts,
safety actions counted with one GROUP BY. The points carry short free text drawn in from the
shared learning library, good care records and safety actions, each put through the redaction
(psirf/learning/redact.py) on the way in: nothing identifiable enters a draft.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

from sqlalchemy import Integer, and_, case, func, literal, or_, select, union_all
from sqlalchemy.orm import Session, selectinload

from psirf.actions.models import SafetyAction, Strength
from psirf.actions.states import ActionState
from psirf.bulletins import periods
from psirf.bulletins.models import Section
from psirf.dashboards.services import area_themes
from psirf.events.counts import EventCount
from psirf.events.lfpse import RecordType, Theme
from psirf.events.models import SafetyEvent
from psirf.learning.redact import redact
from psirf.library.models import EntryKind, LibraryEntry
from psirf.organisations.models import Organisation, OrganisationMembership
from psirf.timeutil import add_months

# How many points each section offers at most: a bulletin is read in minutes.
THEMES_SHOWN = 6
LIBRARY_SHOWN = 6
GOOD_CARE_SHOWN = 4
ACTIONS_SHOWN = 8
# Free text drawn in is cut to this many characters (at a word), so a point stays short.
SHORT = 600


@dataclass
class Point:
    section: str
    title: str
    body: str
    source: str
    count: int | None = None
    previous: int | None = None


@dataclass
class Draft:
    events_total: int = 0
    events_previous: int = 0
    good_care_total: int = 0
    actions_agreed: int = 0
    actions_completed: int = 0
    points: list[Point] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)


# ---- the area -----------------------------------------------------------------------------------


def is_icb(area: Organisation) -> bool:
    return area.kind_enum.value == "icb"


def area_ids(area: Organisation):
    """SQL: the area's organisations: a group and its members, or every organisation in an ICB."""
    if is_icb(area):
        return select(Organisation.id).where(
            or_(Organisation.icb_id == area.id, Organisation.id == area.id)
        )
    members = select(OrganisationMembership.member_id).where(
        OrganisationMembership.group_id == area.id
    )
    # The group and its members as a UNION ALL, not `id = group OR id IN (members)`: PostgreSQL
    # guesses that OR to hold half the ICB, and then read the good care records and the rollups of
    # the whole ICB's quarter for a PCN's draft (at 1M events 466 ms and 314 ms; so, 32 and 2 ms).
    return union_all(select(literal(area.id, Integer)), members)


def names_kept(session: Session, area: Organisation) -> list[str]:
    """The names redaction leaves alone: the area's organisations (a service's name is not a person's)."""
    return list(
        session.scalars(select(Organisation.name).where(Organisation.id.in_(area_ids(area))))
    )


def kept_in(keep: list[str], text: str) -> list[str]:
    """The kept names `text` holds: an ICB keeps a thousand, and each is a pattern to try."""
    lowered = text.lower()
    return [k for k in keep if k.lower() in lowered]


def clean(text: str | None, keep: list[str], known: tuple[str, ...] = ()) -> str:
    """Free text as a bulletin may carry it: identifiers replaced, cut short at a word."""
    value = (text or "").strip()
    value = redact(value, known_names=[k for k in known if k], keep=kept_in(keep, value)).text
    if len(value) > SHORT:
        value = value[:SHORT].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return value


def _between(column, start: date, end: date):
    return and_(column >= datetime.combine(start, time()), column < datetime.combine(end, time()))


# ---- themes and trends --------------------------------------------------------------------------


def trend(count: int, previous: int) -> str:
    if previous == 0:
        return "new this period" if count else "none"
    change = count - previous
    if change == 0:
        return "no change"
    word = "up" if change > 0 else "down"
    return f"{word} {abs(change):,} ({round(100 * abs(change) / previous)}%)"


def theme_counts(session: Session, area: Organisation, start: date, end: date):
    """(theme, this period, the period before) of safety events, largest first: one GROUP BY over
    the theme rollups (good care left out, as every count of what went wrong leaves it)."""
    before, _ = periods.previous_period(start, end)
    last_month = add_months(end, -1)
    rows = area_themes(area.id, before, last_month, own=not is_icb(area))
    now = func.coalesce(func.sum(case((rows.c.month >= start, rows.c.count), else_=0)), 0)
    then = func.coalesce(func.sum(case((rows.c.month < start, rows.c.count), else_=0)), 0)
    stmt = (
        select(rows.c.theme, now, then)
        .where(rows.c.month < end)
        .group_by(rows.c.theme)
        .order_by(now.desc(), rows.c.theme)
    )
    return [(theme, int(n), int(p)) for theme, n, p in session.execute(stmt) if n or p]


def _themes(session: Session, area: Organisation, start: date, end: date, draft: Draft) -> None:
    counts = theme_counts(session, area, start, end)
    draft.events_total = sum(n for _, n, _ in counts)
    draft.events_previous = sum(p for _, _, p in counts)
    for theme, n, p in counts[:THEMES_SHOWN]:
        draft.points.append(
            Point(
                Section.THEMES.value,
                Theme.label_for(theme),
                f"{n:,} events this period, {trend(n, p)} on the period before ({p:,}).",
                f"theme:{theme}",
                count=n,
                previous=p,
            )
        )


# ---- the shared learning library -----------------------------------------------------------------


def library_audience(area: Organisation):
    """SQL: library entries every reader of the area's bulletin may already read, so a bulletin
    never widens an entry's audience: for a group, entries shared with it, or shared with its ICB
    by the group or its members; for an ICB, entries shared with the ICB."""
    if is_icb(area):
        return LibraryEntry.audience_icb_id == area.id
    return or_(
        LibraryEntry.audience_group_id == area.id,
        and_(
            LibraryEntry.audience_icb_id == area.icb_id,
            LibraryEntry.organisation_id.in_(area_ids(area)),
        ),
    )


def _library(
    session: Session, area: Organisation, start: date, end: date, keep: list[str], draft: Draft
) -> None:
    entries = session.scalars(
        select(LibraryEntry)
        .where(library_audience(area), _between(LibraryEntry.published_at, start, end))
        .options(selectinload(LibraryEntry.organisation))
        .order_by(LibraryEntry.published_at.desc(), LibraryEntry.id.desc())
        .limit(LIBRARY_SHOWN + GOOD_CARE_SHOWN)
    ).all()
    learning = [e for e in entries if e.kind == EntryKind.RESPONSE.value][:LIBRARY_SHOWN]
    good = [e for e in entries if e.kind == EntryKind.GOOD_CARE.value][:GOOD_CARE_SHOWN]
    for entry in learning + good:
        section = Section.LEARNING if entry.kind == EntryKind.RESPONSE.value else Section.GOOD_CARE
        theme = f" ({Theme.label_for(entry.theme)})" if entry.theme else ""
        draft.points.append(
            Point(
                section.value,
                clean(entry.title, keep)[:200],
                f"{clean(entry.summary, keep)} Shared by {entry.organisation.name}{theme}.",
                f"library:{entry.id}",
            )
        )


# ---- good care ----------------------------------------------------------------------------------


def _good_care(
    session: Session, area: Organisation, start: date, end: date, keep: list[str], draft: Draft
) -> None:
    draft.good_care_total = int(
        session.scalar(
            select(func.coalesce(func.sum(EventCount.count), 0)).where(
                EventCount.organisation_id.in_(area_ids(area)),
                EventCount.record_type == RecordType.GOOD_CARE.value,
                EventCount.month >= start,
                EventCount.month < end,
            )
        )
    )
    shown = sum(1 for p in draft.points if p.section == Section.GOOD_CARE.value)
    wanted = GOOD_CARE_SHOWN - shown
    if wanted <= 0:
        return
    shared = select(LibraryEntry.event_id).where(LibraryEntry.event_id.is_not(None))
    records = session.scalars(
        select(SafetyEvent)
        .where(
            SafetyEvent.organisation_id.in_(area_ids(area)),
            SafetyEvent.record_type == RecordType.GOOD_CARE.value,
            SafetyEvent.occurred_on >= start,
            SafetyEvent.occurred_on < end,
            SafetyEvent.id.not_in(shared),
        )
        .order_by(SafetyEvent.occurred_on.desc(), SafetyEvent.id.desc())
        .limit(wanted)
    ).all()
    for event in records:
        draft.points.append(
            Point(
                Section.GOOD_CARE.value,
                f"Good care at {event.organisation.name}",
                clean(event.description, keep, (event.reporter_name,)),
                f"event:{event.id}",
            )
        )


# ---- safety actions -----------------------------------------------------------------------------

_STRENGTH_ORDER = case(
    {s.value: rank for rank, s in enumerate(Strength)}, value=SafetyAction.strength, else_=9
)


def _actions(
    session: Session, area: Organisation, start: date, end: date, keep: list[str], draft: Draft
) -> None:
    live = SafetyAction.state != ActionState.CANCELLED
    mine = SafetyAction.organisation_id.in_(area_ids(area))
    completed = _between(SafetyAction.completed_at, start, end)
    agreed, done = session.execute(
        select(
            func.coalesce(
                func.sum(case((_between(SafetyAction.created_at, start, end), 1), else_=0)), 0
            ),
            func.coalesce(func.sum(case((completed, 1), else_=0)), 0),
        ).where(mine, live)
    ).one()
    draft.actions_agreed, draft.actions_completed = int(agreed), int(done)
    actions = session.scalars(
        select(SafetyAction)
        .where(mine, live, completed)
        .options(
            selectinload(SafetyAction.organisation),
            selectinload(SafetyAction.owner_user),
        )
        .order_by(_STRENGTH_ORDER, SafetyAction.completed_at.desc(), SafetyAction.id)
        .limit(ACTIONS_SHOWN)
    ).all()
    for action in actions:
        # The owner's account names a person; the free-text owner is a role ("Practice manager").
        known = (action.owner_user.name,) if action.owner_user else ()
        draft.points.append(
            Point(
                Section.ACTIONS.value,
                f"{action.strength_label} action at {action.organisation.name}",
                clean(action.description, keep, known),
                f"action:{action.id}",
            )
        )


# ---- the words around the points ------------------------------------------------------------------


def _texts(area: Organisation, start: date, end: date, draft: Draft) -> dict[str, str]:
    period = periods.label(start, end)
    before = periods.label(*periods.previous_period(start, end))
    whose = "the ICB's services" if is_icb(area) else f"{area.name}'s member services"
    themes = [p for p in draft.points if p.section == Section.THEMES.value]
    largest = ", ".join(p.title.split(" (")[0] for p in themes[:2]) or "none"
    return {
        "introduction": (
            f"This bulletin shares what {whose} learned from patient safety events in {period}: "
            "the themes of what was reported and how they changed, learning from the responses "
            "shared in the learning library, good care worth spreading, and the safety actions "
            "completed. Please share it with your team."
        ),
        "themes_text": (
            f"{draft.events_total:,} safety events were recorded in {period}, against "
            f"{draft.events_previous:,} in {before}. The largest themes were: {largest}."
        ),
        "learning_text": (
            "Summaries of learning responses shared in the learning library during the period."
        ),
        "good_care_text": (
            f"{draft.good_care_total:,} good care records were made in {period}. "
            "Some of what went well:"
        ),
        "actions_text": (
            f"{draft.actions_agreed:,} safety actions were agreed and {draft.actions_completed:,} "
            f"completed in {period}. The strongest change the system, not people's memory."
        ),
    }


def draft_for(session: Session, area: Organisation, start: date, end: date) -> Draft:
    """Everything a new bulletin holds, from the area's records for [start, end)."""
    keep = names_kept(session, area)
    draft = Draft()
    _themes(session, area, start, end, draft)
    _library(session, area, start, end, keep, draft)
    _good_care(session, area, start, end, keep, draft)
    _actions(session, area, start, end, keep, draft)
    draft.texts = _texts(area, start, end, draft)
    return draft
