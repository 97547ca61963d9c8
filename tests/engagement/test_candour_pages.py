"""The duty of candour on the response page: which test applies and why, each step's status and
due time, and a step sent out of order coming back with its message and what was typed."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from psirf.engagement.models import CandourRecord
from tests.support.engagement import candour_applies, trust_led_response
from tests.support.factories import ResponseFactory, SafetyEventFactory

TOLD = {
    "notified_means": "in_person",
    "notified_by": "Dr Priya Shah",
    "apology_given": True,
}


def _harmed_response(world, harm="moderate", **kwargs):
    response = ResponseFactory(organisation=world.practice, **kwargs)
    SafetyEventFactory(
        organisation=world.practice,
        physical_harm=harm,
        learning_response_id=response.id,
        status="learning_response",
    )
    return response


def test_a_trust_led_response_shows_the_health_service_body_test_and_why(world, sign_in):
    response, trust_lead = trust_led_response(world)
    html = sign_in(trust_lead).get(f"/responses/{response.id}").get_data(as_text=True)
    assert "The test for health service bodies" in html
    assert (
        "Demo Hospitals NHS Trust leads this cross-organisational response and applies its own "
        "test. Regulation 20 treats an NHS trust as a health service body." in html
    )
    assert "Moderate harm" in html and "Prolonged pain" not in html  # its own criteria
    assert "Open the duty of candour test" in html  # no event prompts it: opened by hand


def test_a_practice_response_shows_the_test_for_other_registered_persons(world, sign_in):
    response = _harmed_response(world)
    html = sign_in(world.lead).get(f"/responses/{response.id}").get_data(as_text=True)
    assert "Consider the duty of candour" in html
    assert "The test for registered persons that are not health service bodies" in html
    assert "Regulation 20 treats a general practice as a registered provider" in html
    assert "Prolonged pain" in html and "Moderate harm</" not in html


def test_the_page_shows_each_step_with_its_status_and_when_it_is_due(world, sign_in):
    response = _harmed_response(world)
    decided = date.today() - timedelta(days=40)
    candour_applies(response, decided, notified_on=decided + timedelta(days=1), **TOLD)
    html = sign_in(world.icb_quality).get(f"/responses/{response.id}").get_data(as_text=True)
    assert "Duty of candour steps, in order" in html
    assert f"Done {(decided + timedelta(days=1)).day} " in html
    assert "In person, by Dr Priya Shah; apology given: yes" in html
    assert html.count("Past the local target") == 3  # written, record, support
    assert "10 working days from the decision" in html
    assert "When the response closes" in html  # the results of enquiries' own target
    assert 'id="form-candour_steps"' not in html  # a reader records nothing


def test_a_step_sent_out_of_order_comes_back_with_its_message_and_what_was_typed(
    world, sign_in, session
):
    response = _harmed_response(world)
    candour_applies(response, date.today() - timedelta(days=3))
    today = date.today()
    page = sign_in(world.lead).post(
        f"/responses/{response.id}/candour/steps",
        data={
            "candour_steps-version": response.version_id,
            "candour_steps-notified_on[day]": str(today.day),
            "candour_steps-notified_on[month]": str(today.month),
            "candour_steps-notified_on[year]": str(today.year),
            "candour_steps-notified_means": "in_person",
            "candour_steps-notified_by": "Dr Priya Shah",
            "candour_steps-apology_given": "yes",
            "candour_steps-record_reference": "Meeting note, document 4471",
            "candour_steps-record_kept_by": "Practice manager",
            "candour_steps-record_kept_on[day]": str(today.day),
            "candour_steps-record_kept_on[month]": str(today.month),
            "candour_steps-record_kept_on[year]": str(today.year),
        },
    )
    html = page.get_data(as_text=True)
    assert page.status_code == 400
    assert "There is a problem" in html and 'href="#candour_steps-record_kept_on-day"' in html
    assert "Record the written notification before the secure record: it keeps both" in html
    assert 'value="Meeting note, document 4471"' in html and 'value="Dr Priya Shah"' in html
    session.expire_all()
    record = session.query(CandourRecord).one()
    assert record.notified_on is None and record.record_kept_on is None


def test_the_lead_records_candour_on_a_closed_response_and_a_reader_cannot(world, sign_in):
    response = _harmed_response(world, state="closed")
    response.closed_at = datetime.combine(date.today() - timedelta(days=1), datetime.min.time())
    candour_applies(response, date.today() - timedelta(days=30))
    lead_html = sign_in(world.lead).get(f"/responses/{response.id}").get_data(as_text=True)
    assert 'id="form-candour_steps"' in lead_html and 'id="form-eng_person"' not in lead_html
    panel = sign_in(world.panel)
    assert 'id="form-candour_steps"' not in panel.get(f"/responses/{response.id}").get_data(
        as_text=True
    )
    refused = panel.post(f"/responses/{response.id}/candour/steps", data={})
    assert refused.status_code == 403
