"""Feedback to reporters through the browser: a public report gets a private code, the lead
triages it, the response ends, the lead says what changed, and both the anonymous reporter
(with reference and code) and a staff reporter (in "My reports") read it."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from psirf.accounts.models import User
from psirf.events.models import SafetyEvent
from psirf.organisations.services import by_ods_code
from psirf.responses.models import LearningResponse
from psirf.timeutil import utcnow
from psirf.triage import services as triage
from tests.support.browser import choose_service, fill_date
from tests.support.factories import SafetyEventFactory

pytestmark = pytest.mark.browser

WHAT_CHANGED = "Repeats for this medicine are now checked by a second person before they go out."


def send_public_report(visitor) -> tuple[str, str]:
    page = visitor.page
    visitor.goto("/report")
    assert (
        "Check for news about your report" in visitor.text
    )  # the way back in, from the start page
    visitor.submit("Start now")
    choose_service(visitor, "Riverside", "Riverside Surgery (D81001)")
    page.get_by_label("Something went wrong, or nearly went wrong").check()
    visitor.submit("Continue")
    fill_date(page, "When did it happen?", date.today() - timedelta(days=2))
    visitor.submit("Continue")
    page.get_by_label("What happened?").fill(
        "My father was given the wrong strength of his heart tablets."
    )
    visitor.submit("Continue")
    page.get_by_label("Yes, a little. It needed little or no treatment").check()
    visitor.submit("Continue")
    page.get_by_label("Medicines, such as the wrong medicine or dose").check()
    visitor.submit("Continue")
    page.get_by_label("I am a family member or friend").check()
    visitor.submit("Continue")
    visitor.submit("Continue")  # no name, no contact: anonymous
    visitor.submit("Send report")
    reference = re.search(r"PSE-\d{4}-\d{6}", page.locator(".nhsuk-panel").inner_text()).group()
    code = page.locator("#follow-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{5}-[A-Z2-9]{5}", code)
    assert "Keep this code safe" in visitor.text
    visitor.goto("/report/done")  # shown once: a second look has the reference only
    assert reference in visitor.text and code not in visitor.text
    return reference, code


def follow(visitor, reference: str, code: str, status: int = 200) -> None:
    visitor.goto("/follow")
    visitor.page.get_by_label("Reference number").fill(reference)
    visitor.page.get_by_label("Private code").fill(code)
    visitor.submit("Check for news", status=status)


def test_both_kinds_of_reporter_hear_what_changed_when_the_response_ends(visitor, live_db):
    page = visitor.page
    reference, code = send_public_report(visitor)

    follow(visitor, reference, code)
    assert "We have your report" in visitor.text and "What changed" not in visitor.text

    # The lead triages it through the real page.
    with live_db() as session:
        event = session.scalar(select(SafetyEvent).where(SafetyEvent.reference == reference))
        event_id, recommended = event.id, triage.recommendation_for(session, event).method
    label = "After action review" + (
        " (recommended)" if recommended == "after_action_review" else ""
    )
    visitor.sign_in("lead@demo-icb.example.org")
    visitor.goto(f"/triage/events/{event_id}")
    page.get_by_label(label, exact=True).check()
    page.get_by_label("Why are you choosing differently from the recommendation?").fill(
        "The team can meet this week while it is fresh."
    )
    page.get_by_label("Why did you choose this response?").fill(
        "Wrong strength dispensed: the team will review it."
    )
    visitor.submit("Record the decision")
    assert "Planning the review" in visitor.text
    response_id = int(re.search(r"/responses/(\d+)", page.url).group(1))

    # The review runs its course (its own journey is tested elsewhere); a staff report joins it.
    with live_db() as session:
        reporter = session.scalar(select(User).where(User.email == "reporter@demo-icb.example.org"))
        staff_event = SafetyEventFactory(
            organisation=by_ods_code(session, "D81001"),
            reporter_user_id=reporter.id,
            status="learning_response",
            learning_response_id=response_id,
        )
        staff_event_id, staff_reference = staff_event.id, staff_event.reference
        response = session.get(LearningResponse, response_id)
        response.state, response.closed_at = "closed", utcnow()
        session.commit()

    visitor.goto(f"/responses/{response_id}")
    assert "Tell the people who reported what changed" in visitor.text
    visitor.submit("Tell the reporters what changed", status=400)
    assert "There is a problem" in visitor.text
    page.get_by_role("link", name="Write what changed because of the report").click()
    assert page.evaluate("document.activeElement.id") == "what_changed-text"
    page.get_by_label("What changed because of the report").fill(WHAT_CHANGED)
    visitor.submit("Tell the reporters what changed")
    assert WHAT_CHANGED in visitor.text
    assert "What changed is now in the updates of 2 reports" in visitor.text
    visitor.sign_out()

    # The anonymous reporter: a wrong code is refused without saying which part was wrong.
    follow(visitor, reference, "AAAAA-AAAAA", status=400)
    assert "We could not find a report with that reference number and code" in visitor.text
    assert page.get_by_label("Reference number").input_value() == reference
    follow(visitor, reference, code.lower())
    assert "What we are doing and why" in visitor.text
    assert "What changed because of your report" in visitor.text and WHAT_CHANGED in visitor.text
    assert "Wrong strength dispensed" not in visitor.text  # the lead's reasons stay internal

    # The identified staff reporter: their inbox.
    visitor.sign_in("reporter@demo-icb.example.org")
    visitor.goto("/events/mine")
    row = page.locator("tbody tr").filter(has_text=staff_reference)
    assert "What changed because of your report" in row.inner_text()
    visitor.follow(staff_reference)
    assert page.url.endswith(f"/events/mine/{staff_event_id}")
    assert WHAT_CHANGED in visitor.text
