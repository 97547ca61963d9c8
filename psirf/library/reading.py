"""Reading the learning library: its list, filters and search, one entry, and what a person may
read (the policy's library scope decides; nothing here widens it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, joinedload

from psirf import policy
from psirf.library.models import EntryKind, LibraryEntry
from psirf.organisations.models import Organisation, OrganisationKind
from psirf.responses.models import ResponseMethod
from psirf.web.pagination import Page, keyset_page

GOOD_CARE_METHOD = "good_care"  # the method filter's value for good care entries
# What the period filter offers: learned in the last so many months.
PERIODS = (3, 6, 12, 24)


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
    on published_at and id)."""
    stmt = _filtered(user, filters, today).options(
        joinedload(LibraryEntry.audience_group), joinedload(LibraryEntry.organisation)
    )
    return keyset_page(session, stmt, LibraryEntry, cursor, size, LibraryEntry.published_at)


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
