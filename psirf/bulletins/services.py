"""Learning bulletins: drafted from an area's records, edited by a person, published to its
member services.

Who reads and who writes a bulletin is decided in `psirf.policy` (`bulletin_scope`,
`may_write_bulletin`); these functions ask it and never decide it themselves. Every change checks
the version the person saw, bumps it and is audited in the same transaction, so two editors (or a
stale tab) cannot overwrite each other, and a bulletin is published once.

Nothing identifiable is published: free text drawn in is redacted as the draft is made
(psirf/bulletins/drafting.py), edited text is redacted as it is saved (the person sees what was
replaced before they publish), and at publishing every text is redacted once more, so text that
reached the tables by any other way is caught too.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from psirf import audit, policy
from psirf.bulletins import drafting, periods
from psirf.bulletins.models import TEXT_FIELDS, Bulletin, BulletinPoint, BulletinState
from psirf.db import check_version, flush, record_change
from psirf.learning.redact import redact
from psirf.organisations.models import Organisation
from psirf.organisations import services as organisation_services
from psirf.problems import InputError
from psirf.web.pagination import Page, keyset_page

# Longest text a section or a point holds, and a point's longest title (its column's size).
TEXT_LIMIT = 10_000
TITLE_LIMIT = 200


# ---- reading ------------------------------------------------------------------------------------


def listing(
    session: Session, user, cursor: str | None, size: int, area_id: int | None = None
) -> Page:
    stmt = select(Bulletin).where(policy.bulletin_scope(user, Bulletin))
    if area_id is not None:
        stmt = stmt.where(Bulletin.organisation_id == area_id)
    return keyset_page(session, stmt, Bulletin, cursor, size)


def get_visible(session: Session, user, bulletin_id: int) -> Bulletin:
    """The bulletin, if `user` reads it (the policy's own SQL condition); else NotVisible (404)."""
    bulletin = session.scalar(
        select(Bulletin)
        .where(Bulletin.id == bulletin_id, policy.bulletin_scope(user, Bulletin))
        .options(selectinload(Bulletin.points))
    )
    if bulletin is None:
        raise policy.NotVisible("Page not found")
    return bulletin


def get(session: Session, bulletin_id: int) -> Bulletin | None:
    return session.scalar(
        select(Bulletin).where(Bulletin.id == bulletin_id).options(selectinload(Bulletin.points))
    )


def writable_areas(session: Session, user) -> list[Organisation]:
    """The PCNs, federations and ICBs whose bulletins `user` writes, by name."""
    found = organisation_services.by_ids(session, policy.bulletin_areas(user))
    return [o for o in found if policy.may_write_bulletin(user, o)]


def period_label(bulletin: Bulletin) -> str:
    return periods.label(bulletin.period_start, bulletin.period_end)


def previous_label(bulletin: Bulletin) -> str:
    return periods.label(*periods.previous_period(bulletin.period_start, bulletin.period_end))


# ---- drafting -----------------------------------------------------------------------------------


def generate(
    session: Session,
    user,
    area_id: int | None,
    start: date | None,
    end: date | None,
    today: date,
) -> Bulletin:
    """Draft the area's bulletin for [start, end) from its records (`today` is the clock's)."""
    area = session.get(Organisation, area_id) if area_id else None
    if area is None or not policy.may_write_bulletin(user, area):
        raise InputError(
            "organisation_id", "Choose a PCN, federation or ICB whose bulletin you write"
        )
    problem = periods.problem(start, end, today)
    if problem:
        raise InputError("period", problem)
    existing = session.scalar(
        select(Bulletin.id).where(
            Bulletin.organisation_id == area.id,
            Bulletin.period_start == start,
            Bulletin.period_end == end,
        )
    )
    if existing:
        raise InputError(
            "period", f"{area.name} already has a bulletin for {periods.label(start, end)}"
        )
    draft = drafting.draft_for(session, area, start, end)
    bulletin = Bulletin(
        organisation_id=area.id,
        period_start=start,
        period_end=end,
        state=BulletinState.DRAFT.value,
        title=f"{area.name} learning bulletin: {periods.label(start, end)}"[:200],
        events_total=draft.events_total,
        events_previous=draft.events_previous,
        good_care_total=draft.good_care_total,
        actions_agreed=draft.actions_agreed,
        actions_completed=draft.actions_completed,
        created_by_id=user.id,
        **draft.texts,
    )
    positions: dict[str, int] = {}
    for point in draft.points:
        positions[point.section] = positions.get(point.section, 0) + 1
        bulletin.points.append(
            BulletinPoint(
                section=point.section,
                position=positions[point.section],
                title=point.title[:200],
                body=point.body,
                count=point.count,
                previous=point.previous,
                source=point.source,
            )
        )
    session.add(bulletin)
    flush(session)  # a second person drafting the same period at once loses here: 409
    audit.record(
        session,
        actor_id=user.id,
        action="bulletin:generate",
        subject=bulletin,
        organisation_id=area.id,
        changes={
            "title": {"before": None, "after": bulletin.title},
            "points": {"before": None, "after": len(bulletin.points)},
        },
    )
    session.flush()
    return bulletin


# ---- editing ------------------------------------------------------------------------------------


def _check(user, bulletin: Bulletin, expected_version: int | None) -> None:
    policy.require_may_write_bulletin(user, bulletin)
    check_version(bulletin, expected_version)


def save_text(
    session: Session, user, bulletin: Bulletin, values: dict[str, str], expected_version: int | None
) -> list[str]:
    """Save the sections' text (keys of TEXT_FIELDS), each redacted as it is saved. Returns the
    labels of the sections in which identifiers were replaced, for the person to check."""
    _check(user, bulletin, expected_version)
    keep = drafting.names_kept(session, bulletin.organisation)
    changes, replaced = {}, []
    for field, label in TEXT_FIELDS.items():
        if field not in values or values[field] is None:
            continue
        typed = values[field].replace("\r\n", "\n").strip()
        if len(typed) > TEXT_LIMIT:
            raise InputError(field, f"{label} must be {TEXT_LIMIT:,} characters or fewer")
        cleaned = redact(typed, keep=drafting.kept_in(keep, typed))
        if cleaned.found:
            replaced.append(label)
        if cleaned.text != getattr(bulletin, field):
            # The audit keeps what was saved, never what was typed: that may hold the identifiers.
            changes[field] = {"before": getattr(bulletin, field), "after": cleaned.text}
            setattr(bulletin, field, cleaned.text)
    record_change(session, bulletin, actor_id=user.id, action="bulletin:edit", changes=changes)
    return replaced


def point_of(bulletin: Bulletin, point_id: int) -> BulletinPoint:
    """The bulletin's point; another bulletin's (or none) is not found (404)."""
    point = next((p for p in bulletin.points if p.id == point_id), None)
    if point is None:
        raise policy.NotVisible("Page not found")
    return point


def edit_point(
    session: Session,
    user,
    bulletin: Bulletin,
    point_id: int,
    values: dict[str, str | None],
    expected_version: int | None,
) -> list[str]:
    """Save a point's own words ("title" and "body"; one left out or None is kept), each redacted
    as it is saved, as the sections' text is. Returns the labels of the words in which identifiers
    were replaced, for the person to check."""
    _check(user, bulletin, expected_version)
    point = point_of(bulletin, point_id)
    keep = drafting.names_kept(session, bulletin.organisation)
    changes, replaced = {}, []
    for attribute, label, limit in (("title", "Title", TITLE_LIMIT), ("body", "Text", TEXT_LIMIT)):
        if values.get(attribute) is None:
            continue
        typed = values[attribute].replace("\r\n", "\n").strip()
        if attribute == "title":
            # A title is one line: a hundred line breaks in a theme's made a table row taller
            # than the PDF's page, which reportlab cannot lay out.
            typed = " ".join(typed.split())
        if attribute == "title" and not typed:
            raise InputError("title", "Enter the point's title")
        if len(typed) > limit:
            raise InputError(attribute, f"{label} must be {limit:,} characters or fewer")
        cleaned = redact(typed, keep=drafting.kept_in(keep, typed))
        if cleaned.found:
            replaced.append(label)
        before, saved = getattr(point, attribute), cleaned.text[:limit]
        if saved != before:
            # As for the sections: the audit keeps what was saved, never what was typed.
            changes[f"points[{point.id}].{attribute}"] = {"before": before, "after": saved}
            setattr(point, attribute, saved)
    record_change(
        session, bulletin, actor_id=user.id, action="bulletin:edit_point", changes=changes
    )
    return replaced


def remove_point(
    session: Session, user, bulletin: Bulletin, point_id: int, expected_version: int | None
) -> BulletinPoint:
    _check(user, bulletin, expected_version)
    point = point_of(bulletin, point_id)
    bulletin.points.remove(point)
    record_change(
        session,
        bulletin,
        actor_id=user.id,
        action="bulletin:remove_point",
        changes={"points": {"before": f"{point.section}: {point.title}", "after": None}},
    )
    return point


def publish(
    session: Session, user, bulletin: Bulletin, expected_version: int | None, now: datetime
) -> Bulletin:
    """Publish the draft to the area's member services, every text redacted once more."""
    _check(user, bulletin, expected_version)
    if not bulletin.points:
        raise InputError("points", "Keep at least one learning point before publishing")
    keep = drafting.names_kept(session, bulletin.organisation)
    redacted = 0
    for field in TEXT_FIELDS:
        text = getattr(bulletin, field) or ""
        cleaned = redact(text, keep=drafting.kept_in(keep, text))
        redacted += len(cleaned.found)
        setattr(bulletin, field, cleaned.text)
    for point in bulletin.points:
        for attribute in ("title", "body"):
            text = getattr(point, attribute) or ""
            cleaned = redact(text, keep=drafting.kept_in(keep, text))
            redacted += len(cleaned.found)
            setattr(point, attribute, cleaned.text[:200] if attribute == "title" else cleaned.text)
    bulletin.state = BulletinState.PUBLISHED.value
    bulletin.published_by_id = user.id
    bulletin.published_at = now
    record_change(
        session,
        bulletin,
        actor_id=user.id,
        action="bulletin:publish",
        changes={
            "state": {"before": BulletinState.DRAFT.value, "after": BulletinState.PUBLISHED.value},
            **({"identifiers_replaced": {"before": None, "after": redacted}} if redacted else {}),
        },
    )
    return bulletin
