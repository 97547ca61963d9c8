"""Learning bulletins for the tests: one made directly (for the route tables), and the planted
identifiers the redaction tests look for."""

from __future__ import annotations

from datetime import date

from psirf.bulletins.models import Bulletin, BulletinPoint
from psirf.extensions import db
from psirf.timeutil import utcnow

# The quarter the tests draft, and a "today" in the quarter after it (the clock is injected).
TODAY = date(2026, 11, 16)
START, END = date(2026, 7, 1), date(2026, 10, 1)


def make_bulletin(area, author, *, state: str = "draft", start=START, end=END) -> Bulletin:
    """A bulletin with one theme point and one learning point, as a draft or published."""
    bulletin = Bulletin(
        organisation_id=area.id,
        period_start=start,
        period_end=end,
        state=state,
        title=f"{area.name} learning bulletin",
        introduction="What we learned.",
        created_by_id=author.id,
        published_by_id=author.id if state == "published" else None,
        published_at=utcnow() if state == "published" else None,
        points=[
            BulletinPoint(
                section="themes",
                position=1,
                title="Medication",
                body="3 events",
                count=3,
                previous=1,
                source="theme:medication",
            ),
            BulletinPoint(
                section="learning",
                position=1,
                title="Check the dose",
                body="A summary.",
                source="library:1",
            ),
        ],
    )
    db.session.add(bulletin)
    db.session.commit()
    return bulletin


def route_bulletin(objects, key: str = "draft_bulletin", state: str = "draft") -> Bulletin:
    """North PCN's bulletin for the route tables, made the first time a case asks."""
    if key not in objects:
        world = objects["world"]
        start = START if state == "draft" else date(2026, 4, 1)
        end = END if state == "draft" else date(2026, 7, 1)
        objects[key] = make_bulletin(world.pcn, world.panel, state=state, start=start, end=end)
    return objects[key]
