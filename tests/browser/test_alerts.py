"""A national patient safety alert through the browser, every page checked with axe-core: the ICB
records one for community pharmacies with two actions and issues it; North Street Pharmacy
confirms both; Southfields Pharmacy lets the first pass its deadline and shows as overdue on the
ICB's alert page."""

from __future__ import annotations

from datetime import timedelta

import pytest

from psirf.timeutil import utcnow
from tests.support.browser import fill_date

pytestmark = pytest.mark.browser

FIRST = "Separate the two strengths on the dispensary shelves"
SECOND = "Add a second check of the strength at the checking step"


def _confirm(visitor, alert_title: str, pharmacy: str, action: int, answer: str, fill) -> None:
    visitor.goto("/alerts")
    visitor.follow(alert_title)
    # The alert's page tells the service's lead where to confirm.
    visitor.follow(f"Confirm {pharmacy}'s actions")
    visitor.follow(f"Confirm action {action}")
    # Each answer's question is shown once that answer is chosen, the others' stay hidden.
    questions = [
        visitor.page.get_by_role("group", name="Date done"),
        visitor.page.get_by_label("Why does it not apply to your service?"),
        visitor.page.get_by_role("group", name="When do you expect it to be done?"),
    ]
    assert not any(q.is_visible() for q in questions)
    visitor.page.get_by_label(answer, exact=True).check()
    shown = ["Done", "Not applicable", "In progress"].index(answer)
    assert [q.is_visible() for q in questions] == [i == shown for i in range(3)]
    fill(visitor.page)
    visitor.submit("Save the confirmation")
    assert "Your confirmation has been saved" in visitor.text


def test_an_alert_is_issued_one_pharmacy_confirms_and_the_other_is_overdue(visitor):
    page = visitor.page
    today = utcnow().date()
    title = "Risk of selecting the wrong strength of methotrexate"

    visitor.sign_in("icb.pss@demo-icb.example.org")
    visitor.goto("/alerts")
    visitor.follow("Record an alert")
    visitor.submit("Save as a draft", status=400)
    assert "Enter the alert's reference" in visitor.text
    page.get_by_label("Reference").fill("NatPSA/BROWSER/001")
    page.get_by_label("Title").fill(title)
    fill_date(page, "Date issued", today - timedelta(days=30))
    page.get_by_label("Link to the alert").fill("http://example.org/alert")
    page.get_by_label("Community pharmacy").check()
    visitor.submit("Save as a draft", status=400)
    assert "starting with https://" in visitor.text
    page.get_by_label("Link to the alert").fill("https://www.england.nhs.uk/patient-safety/")
    visitor.submit("Save as a draft")
    assert "saved as a draft" in visitor.text

    visitor.submit("Add the action", status=400)
    assert "Say what services must do" in visitor.text
    for text, deadline in (
        (FIRST, today - timedelta(days=1)),
        (SECOND, today + timedelta(days=14)),
    ):
        page.get_by_label("What must services do?").fill(text)
        fill_date(page, "Deadline", deadline)
        visitor.submit("Add the action")
    visitor.submit("Issue the alert")
    assert "issued to 2 services" in visitor.text
    visitor.sign_out()

    visitor.sign_in("pharmacist@demo-icb.example.org")
    _confirm(
        visitor, f"NatPSA/BROWSER/001: {title}", "North Street Pharmacy", 1, "Done",
        lambda p: fill_date(p, "Date done", today - timedelta(days=2)),
    )  # fmt: skip
    _confirm(
        visitor, f"NatPSA/BROWSER/001: {title}", "North Street Pharmacy", 2, "Not applicable",
        lambda p: p.get_by_label("Why does it not apply to your service?").fill(
            "We check every strength twice already"
        ),
    )  # fmt: skip
    assert "We check every strength twice already" in visitor.text
    visitor.sign_out()

    visitor.sign_in("pharmacist2@demo-icb.example.org")
    _confirm(
        visitor, f"NatPSA/BROWSER/001: {title}", "Southfields Pharmacy", 2, "In progress",
        lambda p: fill_date(p, "When do you expect it to be done?", today + timedelta(days=7)),
    )  # fmt: skip
    visitor.sign_out()

    visitor.sign_in("icb.pss@demo-icb.example.org")
    visitor.goto("/alerts")
    visitor.follow(f"NatPSA/BROWSER/001: {title}")
    assert "Not yet confirmed, overdue" in visitor.text
    assert "Confirm Southfields Pharmacy's actions" not in visitor.text  # the ICB does not confirm
    visitor.follow("Show only services with an overdue action")
    assert "Southfields Pharmacy" in visitor.text
    assert "North Street Pharmacy" not in visitor.text
    visitor.goto("/alerts/overdue")
    assert "Southfields Pharmacy" in visitor.text and FIRST in visitor.text
