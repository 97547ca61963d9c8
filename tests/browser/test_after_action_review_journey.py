"""The whole journey in Chromium: report, triage, review, panel return and approval, oversight."""

from datetime import date

import pytest

from tests.support.browser import add_agreed_action, fill_date

pytestmark = pytest.mark.browser


def test_a_form_with_bad_input_shows_the_error_summary_and_keeps_what_was_typed(visitor):
    visitor.sign_in("lead@demo-icb.example.org")
    visitor.goto("/events/new")
    page = visitor.page
    page.get_by_label("What happened?").fill("Warfarin dose was doubled on the repeat slip.")
    visitor.submit("Submit report", status=400)
    assert "There is a problem" in visitor.text
    assert (
        page.get_by_label("What happened?").input_value()
        == "Warfarin dose was doubled on the repeat slip."
    )
    page.get_by_role(
        "link", name="Select what you are recording"
    ).click()  # moves focus to the field
    assert page.evaluate("document.activeElement.name") == "record_type"


def test_lead_reports_triages_and_runs_a_review_that_the_panel_returns_then_approves(visitor):
    page = visitor.page
    today = date.today()

    visitor.sign_in("lead@demo-icb.example.org")
    assert "Patient safety lead, Riverside Surgery" in page.inner_text("header")
    visitor.goto("/events/new")
    page.get_by_label("Patient safety incident (including near misses)").check()
    fill_date(page, "When did it happen?", today)
    page.get_by_label("What happened?").fill(
        "A repeat prescription for methotrexate was issued daily instead of weekly."
    )
    page.get_by_label("Medication (prescribing, dispensing, monitoring)").check()
    page.get_by_label("Low physical harm").check()
    page.get_by_label("No psychological harm").check()
    visitor.submit("Submit report")
    reference = page.get_by_text("PSE-").first.inner_text()
    reference = reference[reference.index("PSE-") :][:15]

    visitor.goto("/triage")
    visitor.follow(reference)
    page.get_by_label("After action review").check()
    page.get_by_label("Why did you choose this response?").fill(
        "The team involved is available and can learn together."
    )
    visitor.submit("Record the decision")
    assert "Planning the review" in visitor.text
    response_url = page.url

    page.get_by_label("Hot: held soon after the event").check()
    page.get_by_label("Who will conduct the review?").fill("Dr Amira Khan")
    fill_date(page, "When will the review be held?", today)
    visitor.submit("Save review plan")
    visitor.submit("Mark the review as held")
    for label, answer in [
        ("What was expected to happen?", "Weekly methotrexate with a clear label."),
        ("What actually happened?", "The repeat template defaulted to daily."),
        ("Why was there a difference?", "The template had no weekly default."),
        ("What can be learned?", "Templates for weekly medicines need a forced choice."),
        (
            "Summary of the learning to share",
            "Weekly medicines need forcing functions in templates.",
        ),
    ]:
        page.get_by_label(label).fill(answer)
    visitor.submit("Save the four questions")
    add_agreed_action(
        visitor,
        response_url,
        description="Lock the methotrexate template to weekly dosing.",
        owner="Clinical system lead",
        due=date(today.year + 1, 1, 31),
        strength="Stronger",
        measure="Weekly methotrexate repeats issued with a daily dose: a monthly search, expected to be none.",
    )
    visitor.submit("Send to the review panel")
    assert "With the review panel" in visitor.text
    visitor.sign_out()

    visitor.sign_in("panel@demo-icb.example.org")
    visitor.goto(response_url)
    page.get_by_label("Why: return for more work").fill(
        "Please add what went well in the pharmacy's check."
    )
    visitor.submit("Return for more work")
    assert "Returned for more work" in visitor.text
    visitor.sign_out()

    visitor.sign_in("lead@demo-icb.example.org")
    visitor.goto(response_url)
    assert "Please add what went well in the pharmacy's check." in visitor.text
    visitor.submit("Send to the review panel")
    visitor.sign_out()

    visitor.sign_in("panel@demo-icb.example.org")
    visitor.goto(response_url)
    visitor.submit("Approve and close")
    assert "Approved and closed" in visitor.text
    visitor.sign_out()

    visitor.sign_in("icb.quality@demo-icb.example.org")
    visitor.goto(response_url)
    assert "Approved and closed" in visitor.text
    assert page.locator("main form").count() == 0  # read-only
    visitor.sign_out()

    visitor.sign_in("lead2@demo-icb.example.org")
    visitor.goto(response_url, status=404)
    assert "Page not found" in visitor.text
