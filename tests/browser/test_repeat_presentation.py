"""The repeat presentation question in Chromium (issue 18 part 6): revealed under the theme when
diagnosis is chosen, by CSS alone, so it works with JavaScript off too; required then, kept when the
form fails; the triage queue flags the event; axe-core checks every page, the question shown."""

from datetime import date

import pytest

from tests.support.browser import fill_date

pytestmark = pytest.mark.browser

QUESTION = (
    "Did the patient have 3 or more consultations for the same symptoms that were not resolved "
    "or were getting worse?"
)


def _the_event(page, theme: str) -> None:
    page.get_by_label("Patient safety incident (including near misses)").check()
    fill_date(page, "When did it happen?", date.today())
    page.get_by_label("What happened?").fill(
        "Fourth consultation in a month for the same cough; a chest X-ray was then requested."
    )
    page.get_by_label(theme).check()
    page.get_by_label("Low physical harm").check()
    page.get_by_label("No psychological harm").check()


def test_the_question_shows_for_diagnosis_is_required_then_and_the_queue_flags_the_event(visitor):
    page = visitor.page
    visitor.sign_in("lead@demo-icb.example.org")
    visitor.goto("/events/new")
    question = page.get_by_role("group", name=QUESTION)
    assert not question.is_visible()
    page.get_by_label("Medication (prescribing, dispensing, monitoring)").check()
    assert not question.is_visible()
    page.get_by_label("Good care", exact=True).check()
    page.get_by_label("Diagnosis and assessment").check()
    assert not question.is_visible()  # good care is not asked
    _the_event(page, "Diagnosis and assessment")
    assert question.is_visible()
    visitor.check()  # axe-core, with the question shown

    visitor.submit("Submit report", status=400)
    assert "Select whether the patient had 3 or more consultations" in visitor.text
    question = page.get_by_role("group", name=QUESTION)
    assert question.is_visible()
    question.get_by_label("Yes").check()
    visitor.submit("Submit report")
    reference = page.get_by_text("PSE-").first.inner_text()
    reference = reference[reference.index("PSE-") :][:15]

    visitor.goto("/triage")
    row = page.locator("tr", has_text=reference)
    assert "Repeat presentation" in row.inner_text()
    visitor.follow(reference)
    assert "Repeat presentation" in visitor.text and "Jess's Rule" in visitor.text


def test_without_javascript_the_question_is_revealed_and_a_failed_form_keeps_the_answer(
    browser, live_server
):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(live_server + "/sign-in")
        page.get_by_label("Email address").fill("reporter@demo-icb.example.org")
        page.get_by_label("Password", exact=True).fill("demo-password")
        page.get_by_role("button", name="Sign in").click()
        page.goto(live_server + "/events/new")
        question = page.get_by_role("group", name=QUESTION)
        assert not question.is_visible()
        page.get_by_label("Poor patient outcome").check()
        page.get_by_label("Diagnosis and assessment").check()
        assert question.is_visible()
        question.get_by_label("Not known").check()
        with page.expect_navigation():
            page.get_by_role("button", name="Submit report").click()  # nothing else filled in
        assert "There is a problem" in page.inner_text("main")
        assert page.get_by_label("Diagnosis and assessment").is_checked()
        assert page.get_by_role("group", name=QUESTION).is_visible()
        assert page.get_by_role("group", name=QUESTION).get_by_label("Not known").is_checked()
    finally:
        context.close()
