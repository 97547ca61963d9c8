"""A pharmacist logs a near miss at the bench by keyboard and clicks alone, finds it in the month's
summary, and makes it a safety event with its fields carried over; axe-core checks every page."""

from __future__ import annotations

import pytest

from psirf.timeutil import utcnow

pytestmark = pytest.mark.browser

MEDICINE = "Amlodipine 5mg tablets"


def test_a_pharmacist_logs_a_near_miss_sees_it_summarised_and_promotes_it(visitor):
    page = visitor.page
    visitor.sign_in("pharmacist@demo-icb.example.org")
    visitor.follow("Near misses")
    assert "Logging for North Street Pharmacy" in visitor.text

    # What must be filled: sent as it first shows, the page names only these three.
    visitor.submit("Log near miss", status=400)
    summary = page.locator(".nhsuk-error-summary__list li")
    assert summary.all_inner_texts() == [
        "Enter the medicine involved",
        "Select what was nearly given wrongly",
        "Select the likely cause",
    ]

    # At the bench: the medicine typed, two choices clicked, one button. Nothing else touched.
    page.get_by_label("Medicine involved").click()
    page.keyboard.type(MEDICINE)
    page.get_by_label("Wrong strength").check()
    page.get_by_label("Look-alike or sound-alike name or packaging").check()
    visitor.submit("Log near miss")
    assert f"Near miss logged: {MEDICINE}" in visitor.text
    # Ready for the next one: the boxes are empty again and the defaults back.
    assert page.get_by_label("Medicine involved").input_value() == ""
    assert page.get_by_label("Accuracy check").is_checked()
    assert not page.get_by_label("Wrong strength").is_checked()

    visitor.follow("Near misses by month and by medicine")
    month = utcnow().date().strftime("%B %Y")
    assert f"1 near miss caught in {month}" in visitor.text
    assert page.get_by_role("row", name=f"{MEDICINE} 1").count() == 1

    visitor.follow("Back to the near-miss log")
    visitor.follow(MEDICINE)
    assert "Wrong strength" in visitor.text and "Accuracy check" in visitor.text
    visitor.submit("Make this a safety event")
    text = visitor.text
    assert "The near miss is now safety event PSE-" in text
    for carried in (MEDICINE, "wrong strength", "accuracy check", "North Street Pharmacy"):
        assert carried in text, carried
    assert utcnow().date().strftime("%-d %B %Y") in text
