"""A member of staff leaves, tried in the browser (every page checked with axe-core): Riverside's
lead marks the one person who had not completed level 1 as left, the staff page keeps them under
"Staff who have left", and the map's level 1 cell for Riverside reaches every member of staff."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sqlalchemy import select

from psirf.accounts.models import User
from psirf.db import unit_of_work
from psirf.demo.readiness import load_readiness
from psirf.organisations.models import Organisation
from psirf.readiness import training
from psirf.readiness.models import StaffMember
from psirf.timeutil import utcnow
from tests.support.browser import fill_date

pytestmark = pytest.mark.browser


def test_a_lead_marks_a_leaver_and_the_syllabus_share_reaches_everyone(visitor, live_db):
    with live_db() as session:
        with unit_of_work(session):
            load_readiness(session)
    page = visitor.page
    visitor.sign_in("lead@demo-icb.example.org")
    visitor.follow("readiness map")
    visitor.follow("Riverside Surgery")
    visitor.follow("Staff and their patient safety syllabus training")
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Staff and the patient safety syllabus"
    )
    page.get_by_label("Who has left?").select_option(
        label="Robin Reporter (reporter@demo-icb.example.org)"
    )
    visitor.submit("Mark them as left", status=400)
    assert "Enter the date they left" in visitor.text
    fill_date(page, "When did they leave?", utcnow().date() - timedelta(days=3))
    visitor.submit("Mark them as left")
    assert "Robin Reporter is listed as having left" in visitor.text
    left = page.get_by_role("table", name="Staff who have left, most recent first")
    assert "Robin Reporter" in left.inner_text()
    visitor.goto("/readiness?kind=practice")
    row = page.locator("main table").nth(1).locator("tbody tr").filter(has_text="Riverside Surgery")
    try:
        assert row.locator("td").nth(2).inner_text() == "In place: 3 of 3 staff"
    finally:
        _bring_back(live_db, "reporter@demo-icb.example.org")


def _bring_back(live_db, email: str) -> None:
    """The browser tests share one database: list them again, as the demo has them."""
    with live_db() as session:
        member = session.scalar(select(StaffMember).where(StaffMember.email == email))
        lead = session.scalar(select(User).where(User.email == "lead@demo-icb.example.org"))
        organisation = session.get(Organisation, member.organisation_id)
        with unit_of_work(session):
            training.add_staff(session, lead, organisation, member.name, email)
