"""Triage through its pages: the recommendation shown, a different choice explained, referrals,
the queue's Recommended column, and national reporting on the staff form and event page."""

import re
from datetime import date, timedelta

from sqlalchemy import func, select

from psirf.audit import AuditRecord
from psirf.events.models import SafetyEvent
from psirf.responses.models import LearningResponse
from tests.support.events import staff_form_data
from tests.support.factories import SafetyEventFactory
from tests.support.plan_factories import PlanFactory


def date_fields(name, d):
    return {
        f"{name}[day]": str(d.day),
        f"{name}[month]": str(d.month),
        f"{name}[year]": str(d.year),
    }


def never_event(world, **overrides):
    return SafetyEventFactory(
        organisation=world.practice,
        status="awaiting_triage",
        never_event=True,
        never_event_type="methotrexate_overdose",
        physical_harm="moderate",
        **overrides,
    )


def test_the_decision_page_shows_the_recommendation_and_its_reasons_and_preselects_nothing(
    sign_in, world
):
    event = never_event(world)
    page = sign_in(world.lead).get(f"/triage/events/{event.id}").get_data(as_text=True)
    assert "nhsuk-card--warning" in page and "National requirement" in page
    assert "Never Event (type Methotrexate overdose for non-cancer treatment)" in page
    assert "Patient safety incident investigation (PSII) (recommended)" in page
    assert page.count("(recommended)") == 1
    choice_inputs = re.findall(r'<input[^>]*name="choice"[^>]*>', page)
    assert len(choice_inputs) == 7 and not any("checked" in i for i in choice_inputs)
    assert "thematic_review" not in page
    for value in (
        "swarm_huddle",
        "after_action_review",
        "mdt_review",
        "psii",
        "cross_organisational",
        "referral",
        "no_further_response",
    ):
        assert f'value="{value}"' in page
    assert "Why are you choosing differently from the recommendation?" in page


def test_a_recommendation_without_a_national_requirement_is_an_inset(sign_in, world):
    event = SafetyEventFactory(
        organisation=world.practice, status="awaiting_triage", theme="access"
    )
    page = sign_in(world.lead).get(f"/triage/events/{event.id}").get_data(as_text=True)
    assert "nhsuk-inset-text" in page and "nhsuk-card--warning" not in page
    assert "After action review (recommended)" in page
    assert "Harm is an input here, not the decider" in page
    assert (
        "From: Learning potential: no national requirement and no row of the default local focus"
        in page.replace("&#39;", "'")
    )


def test_choosing_differently_without_a_reason_is_named_in_the_error_summary_and_nothing_is_written(
    session, sign_in, world
):
    event = never_event(world)
    response = sign_in(world.lead).post(
        f"/triage/events/{event.id}",
        data={"choice": "after_action_review", "rationale": "The team is here."},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in page
    assert re.search(
        r'<a href="#deviation_reason">\s*Say why you are choosing differently from the recommendation\s*</a>',
        page,
    )
    assert "The team is here." in page  # what was typed is kept
    session.expire_all()
    assert session.get(SafetyEvent, event.id).status == "awaiting_triage"
    assert session.scalar(select(func.count()).select_from(AuditRecord)) == 0


def test_choosing_differently_with_a_reason_puts_it_and_the_recommendation_in_the_audit_trail(
    session, sign_in, world
):
    event = never_event(world)
    response = sign_in(world.lead).post(
        f"/triage/events/{event.id}",
        data={
            "choice": "after_action_review",
            "rationale": "The team is here.",
            "deviation_reason": "Caught before the second dose; the ICB agreed it was not a Never Event.",
        },
    )
    aar = session.scalars(select(LearningResponse)).one()
    assert response.headers["Location"].endswith(f"/responses/{aar.id}")
    record = session.scalars(select(AuditRecord).where(AuditRecord.action == "event:triage")).one()
    assert record.changes["triage_recommendation"]["after"] == "psii"
    assert (
        "ICB agreed" in record.changes["triage_deviation_reason"]["after"]
        and "ICB agreed" in record.comment
    )
    page = sign_in(world.lead).get(f"/events/{event.id}").get_data(as_text=True)
    assert "Triage recommended" in page and "Why the lead chose differently" in page
    assert re.search(
        r"Recommended from\s*</dt>\s*<dd[^>]*>\s*National requirements, row 1: Never Event", page
    )


def test_a_referral_through_the_page_is_prefilled_and_recorded(session, sign_in, world):
    event = SafetyEventFactory(
        organisation=world.practice,
        status="awaiting_triage",
        physical_harm="fatal",
        national_flags=["learning_disability_death"],
    )
    lead = sign_in(world.lead)
    page = lead.get(f"/triage/events/{event.id}").get_data(as_text=True)
    assert 'value="LeDeR programme"' in page and "Referred to another body (recommended)" in page
    referred = date.today() - timedelta(days=2)
    response = lead.post(
        f"/triage/events/{event.id}",
        data={
            "choice": "referral",
            "referral_body": "LeDeR programme",
            **date_fields("referred_on", referred),
            "referral_reference": "LD-4471",
            "local_method": "none",
            "rationale": "LeDeR reviews this death.",
        },
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/triage")
    session.expire_all()
    event = session.get(SafetyEvent, event.id)
    assert (event.status, event.referral_body, event.referred_on, event.referral_reference) == (
        "referred",
        "LeDeR programme",
        referred,
        "LD-4471",
    )
    shown = lead.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Referred to another body" in shown and "LD-4471" in shown and "LeDeR programme" in shown


def test_a_referral_without_a_date_is_refused_on_the_page(session, sign_in, world):
    event = SafetyEventFactory(
        organisation=world.practice, status="awaiting_triage", national_flags=["screening"]
    )
    response = sign_in(world.lead).post(
        f"/triage/events/{event.id}",
        data={
            "choice": "referral",
            "referral_body": "Screening Quality Assurance Service",
            "rationale": "SQAS leads.",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Enter the date it was referred" in page
    session.expire_all()
    assert session.get(SafetyEvent, event.id).status == "awaiting_triage"


def test_a_referral_with_a_local_response_opens_it_alongside(session, sign_in, world):
    event = SafetyEventFactory(
        organisation=world.practice, status="awaiting_triage", national_flags=["child_death"]
    )
    response = sign_in(world.lead).post(
        f"/triage/events/{event.id}",
        data={
            "choice": "referral",
            "referral_body": "Child Death Overview Panel",
            **date_fields("referred_on", date.today()),
            "local_method": "after_action_review",
            "rationale": "CDOP leads; the practice learns too.",
        },
    )
    aar = session.scalars(select(LearningResponse)).one()
    assert response.headers["Location"].endswith(f"/responses/{aar.id}")
    session.expire_all()
    event = session.get(SafetyEvent, event.id)
    assert event.status == "referred" and event.learning_response_id == aar.id


def test_the_queue_shows_the_recommendation_and_flags_national_requirements(sign_in, world):
    never_event(world, reference="PSE-2026-910001")
    SafetyEventFactory(
        organisation=world.practice,
        status="awaiting_triage",
        theme="access",
        reference="PSE-2026-910002",
    )
    page = sign_in(world.lead).get("/triage").get_data(as_text=True)
    assert "Recommended</th>" in page
    rows = {
        ref: row
        for row in page.split('<tr class="nhsuk-table__row">')[1:]
        for ref in ("PSE-2026-910001", "PSE-2026-910002")
        if ref in row
    }
    assert "PSII" in rows["PSE-2026-910001"] and "National requirement" in rows["PSE-2026-910001"]
    assert (
        "After action review" in rows["PSE-2026-910002"]
        and "National requirement" not in rows["PSE-2026-910002"]
    )


# ---- national reporting on the staff form -------------------------------------------------------


def test_the_staff_form_accepts_a_never_event_type_and_national_flags_and_the_event_page_shows_them(
    session, sign_in, world
):
    reporter = sign_in(world.reporter)
    form = reporter.get("/events/new").get_data(as_text=True)
    assert "National reporting" in form and "Death of a person with a learning disability" in form
    response = reporter.post(
        "/events/new",
        data=staff_form_data(
            world.practice,
            never_event_type="methotrexate_overdose",
            national_flags=["death_due_to_care", "safeguarding"],
        ),
    )
    assert response.status_code == 302
    event = session.scalars(select(SafetyEvent)).one()
    assert event.never_event is True and event.never_event_type == "methotrexate_overdose"
    assert event.national_flags == ["death_due_to_care", "safeguarding"]
    page = sign_in(world.lead).get(f"/events/{event.id}").get_data(as_text=True)
    assert "Methotrexate overdose for non-cancer treatment" in page
    assert (
        "Death thought more likely than not due to problems in care" in page
        and "Safeguarding concern" in page
    )


def test_without_national_reporting_the_event_is_no_never_event(session, sign_in, world):
    sign_in(world.reporter).post("/events/new", data=staff_form_data(world.practice))
    event = session.scalars(select(SafetyEvent)).one()
    assert (event.never_event, event.never_event_type, event.national_flags) == (False, None, [])


def test_an_unknown_national_flag_is_refused(session, sign_in, world):
    response = sign_in(world.reporter).post(
        "/events/new", data=staff_form_data(world.practice, national_flags=["not_a_requirement"])
    )
    assert response.status_code == 400 and "There is a problem" in response.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(SafetyEvent)) == 0


def test_the_decision_page_names_the_plan_version_and_row_a_recommendation_came_from(
    sign_in, world
):
    plan = PlanFactory(
        organisation=world.pcn,
        created_by=world.panel,
        state="published",
        revision=2,
        effective_from=date.today() - timedelta(days=1),
    )
    risk = SafetyEventFactory(
        organisation=world.practice, status="awaiting_triage", record_type="risk", theme="premises"
    )
    page = sign_in(world.lead).get(f"/triage/events/{risk.id}").get_data(as_text=True)
    assert "No further response, kept for insight (recommended)" in page
    assert (
        f"From: North PCN&#39;s PSIRF plan, version {plan.number}.2: events that need no further "
        "response, row 1: Risks to patient safety, where nothing has happened yet"
    ) in page
