"""A member of the public reports an event, one question a page, without signing in."""

import re
from datetime import date, timedelta

import pytest

from tests.support.browser import choose_service, fill_date

pytestmark = pytest.mark.browser

REFERENCE = re.compile(r"PSE-\d{4}-\d{6}")


def summary_value(page, key: str) -> str:
    row = page.locator(".nhsuk-summary-list__row").filter(
        has=page.locator(".nhsuk-summary-list__key", has_text=key)
    )
    return row.locator(".nhsuk-summary-list__value").inner_text().strip()


def test_the_service_search_finds_by_ods_code_and_explains_an_empty_search_or_no_choice(visitor):
    page = visitor.page
    visitor.goto("/report/service")
    visitor.submit("Search", status=400)
    assert "There is a problem" in visitor.text
    assert "Enter the name or code of the service" in visitor.text

    page.get_by_label("Search by name or ODS code").fill("Nowhere Clinic")
    visitor.submit("Search")
    assert "No services found" in visitor.text

    page.get_by_label("Search by name or ODS code").fill("D81001")
    visitor.submit("Search")
    assert page.get_by_role("radio").count() == 1
    assert page.get_by_label("Riverside Surgery (D81001)").count() == 1
    visitor.submit("Continue", status=400)  # without choosing
    assert "There is a problem" in visitor.text
    page.get_by_role("link", name="Select the service").click()
    assert page.evaluate("document.activeElement.name") == "organisation_id"


def test_a_question_left_empty_shows_the_error_summary_and_keeps_answers_typed(visitor):
    page = visitor.page
    visitor.goto("/report/kind")
    visitor.submit("Continue", status=400)
    assert "There is a problem" in visitor.text
    assert page.title().startswith("Error: ")
    page.get_by_role("link", name="Select what you want to tell us about").click()
    assert page.evaluate("document.activeElement.name") == "record_type"

    visitor.goto("/report/what-happened")
    too_long = "The pharmacy gave my father the wrong inhaler. " * 50  # over 2,000 characters
    page.get_by_label("What happened?").fill(too_long)
    visitor.submit("Continue", status=400)
    assert "There is a problem" in visitor.text
    assert "Use 2,000 characters or fewer" in visitor.text
    assert page.get_by_label("What happened?").input_value() == too_long.strip()

    visitor.goto("/report/when")
    group = page.get_by_role("group", name="When did it happen?")
    group.get_by_label("Day").fill("12")
    group.get_by_label("Month").fill("3")
    visitor.submit("Continue", status=400)
    assert "There is a problem" in visitor.text
    page.locator(".nhsuk-error-summary__list a").first.click()  # moves focus to the date
    assert page.evaluate("document.activeElement.id").startswith("occurred_on-")
    assert group.get_by_label("Day").input_value() == "12"
    assert group.get_by_label("Month").input_value() == "3"


def test_the_public_report_reaches_the_services_triage_queue(visitor):
    page = visitor.page
    occurred = date.today() - timedelta(days=3)

    visitor.goto("/report")
    assert "Tell us about a patient safety event" in visitor.text
    visitor.submit("Start now")  # a link styled as a button, so it has the button role

    choose_service(visitor, "Riverside", "Riverside Surgery (D81001)")

    assert page.get_by_role("heading", level=1).inner_text() == "What do you want to tell us about?"
    page.get_by_label("Something went wrong, or nearly went wrong").check()
    visitor.submit("Continue")

    fill_date(page, "When did it happen?", occurred)
    visitor.submit("Continue")

    first_account = "My mother was given a repeat of a medicine her GP had stopped."
    page.get_by_label("What happened?").fill(first_account)
    visitor.submit("Continue")

    page.get_by_label("Yes, a little. It needed little or no treatment").check()
    visitor.submit("Continue")

    page.get_by_label("Medicines, such as the wrong medicine or dose").check()
    visitor.submit("Continue")

    page.get_by_label("I am a family member or friend").check()
    visitor.submit("Continue")

    page.get_by_label("Your name (optional)").fill("Jo Public")
    page.get_by_label("Email address or phone number (optional)").fill("jo.public@example.org")
    visitor.submit("Continue")

    assert page.get_by_role("heading", level=1).inner_text() == "Check your answers"
    assert summary_value(page, "Service") == "Riverside Surgery (D81001)"
    assert summary_value(page, "When it happened") == f"{occurred.day} {occurred:%B %Y}"
    assert summary_value(page, "Was anyone harmed") == (
        "Yes, a little. It needed little or no treatment"
    )
    assert summary_value(page, "Your name") == "Jo Public"

    # Change one answer: the page comes back with it filled in, and leads back to the check page.
    visitor.follow("Change what happened")
    field = page.get_by_label("What happened?")
    assert field.input_value() == first_account
    changed_account = "My mother was given a repeat prescription for a medicine stopped in May."
    field.fill(changed_account)
    visitor.submit("Continue")
    assert page.get_by_role("heading", level=1).inner_text() == "Check your answers"
    assert summary_value(page, "What happened") == changed_account

    visitor.submit("Send report")
    assert "Report sent" in visitor.text
    panel_text = page.locator(".nhsuk-panel").inner_text()
    match = REFERENCE.search(panel_text)
    assert match, f"no reference in the confirmation panel: {panel_text!r}"
    reference = match.group()
    # The private code to follow the report is shown here, once, with the way to use it.
    assert "Keep this code safe" in visitor.text
    assert re.fullmatch(
        r"[A-Z2-9]{5}-[A-Z2-9]{5}", page.locator("#follow-code").inner_text().strip()
    )

    visitor.sign_in("lead@demo-icb.example.org")
    visitor.goto("/triage")
    row = page.locator("tbody tr").filter(has_text=reference)
    assert row.count() == 1
    assert "Medication (prescribing, dispensing, monitoring)" in row.inner_text()
    assert "Low physical harm" in row.inner_text()
    visitor.follow(reference)
    assert page.get_by_role("heading", level=1).inner_text() == f"Triage {reference}"
    assert changed_account in visitor.text
