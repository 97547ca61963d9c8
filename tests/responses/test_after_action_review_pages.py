"""The after action review through its pages: triage to approval, as the people involved would."""

import re
from html import unescape

from sqlalchemy import select

from psirf.actions.models import SafetyAction
from psirf.audit import AuditRecord
from psirf.events.models import SafetyEvent
from psirf.responses.models import LearningResponse
from tests.support.factories import AfterActionReviewFactory, SafetyEventFactory
from tests.support.pages import date_fields, prefixed, version_of


def test_the_whole_review_from_triage_to_approval(session, sign_in, world):
    from datetime import date, timedelta

    event = SafetyEventFactory(organisation=world.practice, status="awaiting_triage")
    lead = sign_in(world.lead)

    assert event.reference in lead.get("/triage").get_data(as_text=True)
    response = lead.post(
        f"/triage/events/{event.id}",
        data={
            "choice": "after_action_review",
            "rationale": "The team is here and can learn quickly.",
        },
    )
    aar = session.scalars(select(LearningResponse)).one()
    assert response.headers["Location"].endswith(f"/responses/{aar.id}")
    url = f"/responses/{aar.id}"

    page = lead.get(url).get_data(as_text=True)
    assert "Planning the review" in page
    lead.post(
        f"{url}/sections/plan",
        data={
            **prefixed(
                "plan",
                version=version_of(page),
                timing="hot",
                conductor="Dr Jones",
                participants="GP, nurse",
            ),
            **date_fields("plan-review_on", date.today()),
        },
    )
    page = lead.get(url).get_data(as_text=True)
    assert (
        lead.post(f"{url}/transitions/hold_review", data={"version": version_of(page)}).status_code
        == 302
    )

    page = lead.get(url).get_data(as_text=True)
    lead.post(
        f"{url}/sections/review",
        data=prefixed(
            "review",
            version=version_of(page),
            expected="Dose checked",
            actual="Not checked",
            difference="Busy clinic",
            learned="Protect time",
            learning_summary="Protected time",
        ),
    )
    page = lead.get(url).get_data(as_text=True)
    lead.post(
        f"{url}/safety-actions",
        data={
            **prefixed(
                "action",
                version=version_of(page),
                description="Protected checking slot",
                owner="Practice manager",
                owner_organisation_id=str(world.practice.id),
                measure_kind="process",
                measure="Checks done in the slot, audited monthly",
                strength="stronger",
            ),
            **date_fields("action-due_on", date.today() + timedelta(days=14)),
        },
    )
    [action] = session.scalars(select(SafetyAction)).all()
    page = lead.get(f"/actions/{action.id}").get_data(as_text=True)
    assert (
        lead.post(
            f"/actions/{action.id}/transitions/agree", data={"version": version_of(page)}
        ).status_code
        == 302
    )
    page = lead.get(url).get_data(as_text=True)
    sent = lead.post(f"{url}/transitions/send_to_panel", data={"version": version_of(page)})
    assert sent.status_code == 302, re.findall(r"<li>.*?</li>", sent.get_data(as_text=True), re.S)[
        :8
    ]

    panel = sign_in(world.panel)
    page = panel.get(url).get_data(as_text=True)
    assert "With the review panel" in page
    panel.post(
        f"{url}/transitions/return_to_lead",
        data={"version": version_of(page), "comment": "Add a stronger action"},
    )
    page = lead.get(url).get_data(as_text=True)
    assert "Returned for more work" in page and "Add a stronger action" in page
    lead.post(f"{url}/transitions/send_to_panel", data={"version": version_of(page)})

    page = panel.get(url).get_data(as_text=True)
    assert (
        panel.post(f"{url}/transitions/approve", data={"version": version_of(page)}).status_code
        == 302
    )
    session.expire_all()
    assert session.get(LearningResponse, aar.id).state == "closed"
    assert session.get(SafetyEvent, event.id).status == "learning_response"
    actions = session.scalars(
        select(AuditRecord.action).where(AuditRecord.subject_type == "learning_responses")
    ).all()
    assert actions.count("transition:send_to_panel") == 2 and "transition:approve" in actions

    quality = sign_in(world.icb_quality).get(url)
    assert quality.status_code == 200
    assert 'method="post" action="/responses' not in quality.get_data(as_text=True)
    assert sign_in(world.other_lead).get(url).status_code == 404


def test_sending_an_incomplete_review_lists_what_is_missing(sign_in, world):
    aar = AfterActionReviewFactory(organisation=world.practice, state="in_review")
    lead = sign_in(world.lead)
    page = lead.get(f"/responses/{aar.id}").get_data(as_text=True)
    response = lead.post(
        f"/responses/{aar.id}/transitions/send_to_panel", data={"version": version_of(page)}
    )
    text = unescape(response.get_data(as_text=True))  # the page escapes the quotes
    assert response.status_code == 422
    assert "Answer 'What was expected to happen?'." in text
    assert "Add at least one safety action" in text


def test_a_stale_tab_is_told_the_record_changed_and_nothing_is_written(session, sign_in, world):
    aar = AfterActionReviewFactory(organisation=world.practice, ready_for_panel=True)
    lead = sign_in(world.lead)
    stale = version_of(lead.get(f"/responses/{aar.id}").get_data(as_text=True))
    lead.post(
        f"/responses/{aar.id}/sections/review",
        data=prefixed(
            "review",
            version=stale,
            expected="Changed",
            actual="a",
            difference="b",
            learned="c",
            learning_summary="d",
        ),
    )
    response = lead.post(f"/responses/{aar.id}/transitions/send_to_panel", data={"version": stale})
    assert response.status_code == 409
    assert "changed by someone else" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(LearningResponse, aar.id).state == "in_review"


def test_a_bad_safety_action_shows_the_error_summary_keeps_the_text_and_writes_nothing(
    session, sign_in, world
):
    aar = AfterActionReviewFactory(organisation=world.practice, state="in_review")
    lead = sign_in(world.lead)
    page = lead.get(f"/responses/{aar.id}").get_data(as_text=True)
    response = lead.post(
        f"/responses/{aar.id}/safety-actions",
        data={
            **prefixed(
                "action", version=version_of(page), description="", owner="Practice manager"
            ),
            "action-due_on[day]": "31",
            "action-due_on[month]": "2",
            "action-due_on[year]": "2030",
        },
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in text
    assert "Say what will change" in text and "Enter a real date" in text
    assert 'value="Practice manager"' in text and 'value="31"' in text
    session.expire_all()
    assert session.get(LearningResponse, aar.id).safety_actions == []


def test_no_further_response_keeps_the_event_for_insight(session, sign_in, world):
    event = SafetyEventFactory(organisation=world.practice, status="awaiting_triage")
    lead = sign_in(world.lead)
    lead.post(
        f"/triage/events/{event.id}",
        data={
            "choice": "no_further_response",
            "rationale": "Low learning potential.",
            "deviation_reason": "The team has already fixed the template.",
        },
    )
    session.expire_all()
    event = session.get(SafetyEvent, event.id)
    assert (
        event.status == "no_further_response"
        and event.triage_rationale == "Low learning potential."
    )
    assert session.scalars(select(LearningResponse)).all() == []


def test_triage_without_a_reason_is_refused_and_nothing_changes(session, sign_in, world):
    event = SafetyEventFactory(organisation=world.practice, status="awaiting_triage")
    response = sign_in(world.lead).post(
        f"/triage/events/{event.id}", data={"choice": "after_action_review", "rationale": ""}
    )
    assert "Say why you chose this response" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(SafetyEvent, event.id).status == "awaiting_triage"


def test_the_triage_queue_opens_on_events_awaiting_triage_without_complaint(sign_in, world):
    SafetyEventFactory(
        organisation=world.practice, status="awaiting_triage", reference="PSE-2026-900001"
    )
    SafetyEventFactory(
        organisation=world.practice, status="no_further_response", reference="PSE-2026-900002"
    )
    page = sign_in(world.lead).get("/triage").get_data(as_text=True)
    assert "PSE-2026-900001" in page and "PSE-2026-900002" not in page
    assert "not used" not in page and "nhsuk-error-message" not in page


def test_a_malformed_date_filter_is_named_and_the_rest_of_the_filter_still_applies(sign_in, world):
    SafetyEventFactory(
        organisation=world.practice,
        status="awaiting_triage",
        theme="referral",
        reference="PSE-2026-900003",
    )
    SafetyEventFactory(
        organisation=world.practice,
        status="awaiting_triage",
        theme="diagnosis",
        reference="PSE-2026-900004",
    )
    page = (
        sign_in(world.lead)
        .get(
            "/triage?status=awaiting_triage&theme=referral&occurred_from[day]=40&occurred_from[month]=1&occurred_from[year]=2026"
        )
        .get_data(as_text=True)
    )
    assert "The dates were not used" in page
    assert "PSE-2026-900003" in page and "PSE-2026-900004" not in page


def test_the_triage_queue_filters_and_pages_by_keyset(app, sign_in, world):
    app.config["PAGE_SIZE"] = 2
    for theme in ("medication", "medication", "diagnosis", "referral", "medication"):
        SafetyEventFactory(organisation=world.practice, status="awaiting_triage", theme=theme)
    SafetyEventFactory(
        organisation=world.other_practice, status="awaiting_triage", theme="medication"
    )
    lead = sign_in(world.lead)
    first = lead.get("/triage?theme=medication").get_data(as_text=True)
    assert first.count('<tr class="nhsuk-table__row">') == 2
    cursor = re.search(r'href="(/triage\?[^"]*after=[^"]+)"', first).group(1).replace("&amp;", "&")
    second = lead.get(cursor).get_data(as_text=True)
    assert (
        second.count('<tr class="nhsuk-table__row">') == 1
    )  # the other practice's event is not here
