"""A PCN's improvement plan through the browser, every page checked with axe-core."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from psirf.accounts.models import User
from psirf.organisations.services import by_ods_code
from tests.support.factories import ResponseFactory, SafetyActionFactory
from tests.support.improvement import good_care_entry

pytestmark = pytest.mark.browser


def fill_date(page, legend: str, d: date) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(d.day))
    group.get_by_label("Month").fill(str(d.month))
    group.get_by_label("Year").fill(str(d.year))


def test_the_panel_gathers_two_practices_actions_priorities_good_care_and_readings(
    visitor, live_db
):
    with live_db() as session:
        riverside, hillview, north = (
            by_ods_code(session, code) for code in ("D81001", "D81002", "U00001")
        )
        panel_member = session.scalar(
            select(User).where(User.email == "panel@demo-icb.example.org")
        )
        SafetyActionFactory(
            response=ResponseFactory(organisation=riverside, reference="LR-2026-910001"),
            description="Protected time for repeat prescription checks",
        )
        SafetyActionFactory(
            response=ResponseFactory(organisation=hillview, reference="LR-2026-910002"),
            description="One template for urgent suspected cancer referrals",
            strength="stronger",
        )
        good_care_entry(
            hillview,
            panel_member,
            title="Reception caught a missed referral",
            audience_group_id=north.id,
        )

    page = visitor.page
    visitor.sign_in("panel@demo-icb.example.org")
    visitor.goto("/improvement-plans")
    visitor.follow("Start an improvement plan")
    visitor.submit("Start the plan", status=400)
    assert "Enter a title for the plan" in visitor.text
    page.get_by_label("Organisation").select_option(label="North PCN (Primary care network)")
    page.get_by_label("Title").fill("Safer prescribing and referrals, North PCN")
    page.get_by_label("What are we trying to accomplish?").fill(
        "No lost urgent referrals by the end of the year"
    )
    page.get_by_label("How will we know a change is an improvement?").fill(
        "Urgent referrals confirmed received, per week"
    )
    visitor.submit("Start the plan")
    assert "Safer prescribing and referrals, North PCN" in visitor.text

    page.get_by_label("LR-2026-910001: Protected time for repeat prescription checks").check()
    page.get_by_label("LR-2026-910002: One template for urgent suspected cancer referrals").check()
    visitor.submit("Add the chosen actions")
    assert "Protected time for repeat prescription checks" in visitor.text
    assert "Riverside Surgery" in visitor.text and "Hillview Medical Centre" in visitor.text

    visitor.submit("Add Referrals and follow-up that were delayed or lost to the plan")
    visitor.submit("Add Reception caught a missed referral to the plan")

    page.get_by_label("Value").fill("lots")
    fill_date(page, "When was it measured?", date.today() + timedelta(days=3))
    visitor.submit("Record the reading", status=400)
    assert "Enter the value as a number" in visitor.text
    page.get_by_label("Value").fill("41")
    fill_date(page, "When was it measured?", date.today() - timedelta(days=7))
    visitor.submit("Record the reading")
    assert page.get_by_role("img", name="Readings of the measure", exact=False).count() == 1
    assert (
        page.get_by_role(
            "img", name="Safety actions completed by the end of each month", exact=False
        ).count()
        == 1
    )
    assert "Referrals and follow-up that were delayed or lost" in visitor.text
    visitor.goto("/improvement-plans")
    assert "0% (0 of 2)" in visitor.text
