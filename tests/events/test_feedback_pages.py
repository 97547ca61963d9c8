"""Feedback to reporters on the pages: the inbox on "My reports", the public follow page, the
code on the done page, and "what changed" on the response page."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import select

from psirf.accounts.models import Role
from psirf.db import unit_of_work
from psirf.events import feedback
from psirf.events.models import ReporterUpdate, SafetyEvent
from psirf.extensions import limiter
from tests.support.events import WHAT_CHANGED, answer_every_question
from tests.support.factories import ResponseFactory, SafetyEventFactory, UserFactory


def text_of(page) -> str:
    return unescape(page.get_data(as_text=True))


def update(session, event, kind, body, by=None):
    session.add(ReporterUpdate(event_id=event.id, kind=kind, body=body, created_by_id=by))
    session.commit()


# ---- the reporter's inbox ---------------------------------------------------------------------------


@pytest.fixture
def reported(session, world):
    """A report by the world's reporter, identity protected, with an acknowledgement and a choice."""
    event = SafetyEventFactory(
        organisation=world.practice, reporter_user_id=world.reporter.id, identity_protected=True
    )
    update(session, event, "acknowledged", "Thank you for your report.")
    update(
        session,
        event,
        "response_chosen",
        "The team will meet to talk about what happened.",
        world.lead.id,
    )
    return event


def test_my_reports_shows_the_latest_news_of_each_report(sign_in, world, reported):
    text = text_of(sign_in(world.reporter).get("/events/mine"))
    assert f'href="/events/mine/{reported.id}"' in text
    assert "What we are doing and why" in text and "(2 updates)" in text


def test_the_report_page_lists_every_update_in_order(sign_in, world, reported):
    page = sign_in(world.reporter).get(f"/events/mine/{reported.id}")
    text = text_of(page)
    assert page.status_code == 200
    assert text.index("We have your report") < text.index("What we are doing and why")
    assert "The team will meet to talk about what happened." in text
    assert "You protected your identity" in text


def test_another_reporters_report_is_not_found(sign_in, world, reported):
    someone_else = UserFactory(role=(Role.REPORTER, world.practice))
    assert sign_in(someone_else).get(f"/events/mine/{reported.id}").status_code == 404
    assert sign_in(world.lead).get(f"/events/mine/{reported.id}").status_code == 404


def test_a_staff_report_through_the_form_is_acknowledged_on_its_recorded_page(
    sign_in, session, world
):
    from tests.support.events import staff_form_data

    client = sign_in(world.reporter)
    sent = client.post("/events/new", data=staff_form_data(world.practice))
    assert sent.status_code == 302
    text = text_of(client.get(sent.headers["Location"]))
    assert "News about your report" in text and "We have your report" in text
    assert "Your safety lead will read it" in text


# ---- the code on the done page, and following with it ---------------------------------------------


def send_public_report(client, practice) -> tuple[str, str]:
    """Through the real pages; returns (reference, code) as the done page shows them."""
    answer_every_question(client, practice)
    assert client.post("/report/check").status_code == 302
    done = text_of(client.get("/report/done"))
    reference = re.search(r"PSE-\d{4}-\d{6}", done).group()
    code = re.search(r'id="follow-code">([A-Z0-9-]+)<', done).group(1)
    return reference, code


def test_the_done_page_shows_the_private_code_once_and_only_its_hash_is_kept(
    client, session, world
):
    reference, code = send_public_report(client, world.practice)
    event = session.scalar(select(SafetyEvent).where(SafetyEvent.reference == reference))
    assert event.follow_code_hash == feedback.hash_code(code)
    again = client.get("/report/done")
    assert again.status_code == 200 and reference in text_of(again)
    assert code not in text_of(again) and "We showed your private code once" in text_of(again)
    assert again.headers["Cache-Control"] == "no-store"


def test_the_right_reference_and_code_show_the_reports_news(client, session, world):
    reference, code = send_public_report(client, world.practice)
    event = session.scalar(select(SafetyEvent).where(SafetyEvent.reference == reference))
    update(session, event, "what_changed", WHAT_CHANGED, world.lead.id)
    assert client.get("/follow").status_code == 200
    page = client.post("/follow", data={"reference": reference, "code": code.lower()})
    text = text_of(page)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert (
        "We have your report" in text
        and "What changed because of your report" in text
        and WHAT_CHANGED in text
    )
    assert "My mum was given the wrong tablets" not in text  # only the news, not the report itself
    assert code not in text and code.lower() not in text


@pytest.mark.parametrize("wrong", ["code", "reference"])
def test_a_wrong_reference_or_code_gets_the_same_single_error(client, world, wrong):
    reference, code = send_public_report(client, world.practice)
    data = {"reference": reference, "code": code}
    data[wrong] = "PSE-2026-999999" if wrong == "reference" else "AAAAA-BBBBB"
    page = client.post("/follow", data=data)
    text = text_of(page)
    assert page.status_code == 400
    assert (
        text.count(
            re.sub(r"\s+", " ", "We could not find a report with that reference number and code.")
        )
        == 2
    )  # summary and field
    assert "There is a problem" in text and "<title>Error: " in text
    assert 'value="' + data["reference"] + '"' in text  # what was typed is kept
    assert "We have your report" not in text


def test_an_empty_follow_form_asks_for_both(client):
    text = text_of(client.post("/follow", data={}))
    assert "Enter your reference number" in text and "Enter your private code" in text


def test_each_address_may_try_only_so_many_codes(app, client):
    limiter.reset()
    app.config["PUBLIC_FOLLOW_LIMIT"] = "3 per hour"
    statuses = [
        client.post(
            "/follow", data={"reference": "PSE-2026-000001", "code": "AAAAA-AAAAA"}
        ).status_code
        for _ in range(4)
    ]
    assert statuses == [400, 400, 400, 429]
    limiter.reset()


def test_the_public_start_page_and_the_done_page_lead_to_the_follow_page(app, client, world):
    assert 'href="/follow"' in text_of(client.get("/report"))
    answer_every_question(client, world.practice)
    client.post("/report/check")
    done = text_of(client.get("/report/done"))
    # The address in full, to write down with the code: the service's public address.
    assert f'href="/follow">{app.config["PUBLIC_BASE_URL"]}/follow</a>' in done


# ---- what changed on the response page -------------------------------------------------------------


@pytest.fixture
def closed(world):
    event = SafetyEventFactory(
        organisation=world.practice, reporter_user_id=world.reporter.id, status="learning_response"
    )
    return ResponseFactory(organisation=world.practice, state="closed", events=[event]), event


def test_a_closed_response_reminds_its_lead_and_offers_the_form(sign_in, world, closed):
    response, _ = closed
    text = text_of(sign_in(world.lead).get(f"/responses/{response.id}"))
    assert "Tell the people who reported what changed" in text
    assert f'action="/responses/{response.id}/what-changed"' in text


def test_the_panel_sees_that_the_reporters_are_waiting_but_no_form(sign_in, world, closed):
    response, _ = closed
    text = text_of(sign_in(world.panel).get(f"/responses/{response.id}"))
    assert "have not yet been told what changed" in text and "/what-changed" not in text


def test_a_response_under_way_shows_nothing_about_what_changed(sign_in, world):
    response = ResponseFactory(
        organisation=world.practice,
        state="planning",
        events=[SafetyEventFactory(organisation=world.practice)],
    )
    assert "what-changed" not in text_of(sign_in(world.lead).get(f"/responses/{response.id}"))


def test_an_empty_what_changed_is_named_in_the_error_summary(sign_in, world, closed):
    response, _ = closed
    page = sign_in(world.lead).post(
        f"/responses/{response.id}/what-changed",
        data={"what_changed-version": str(response.version_id), "what_changed-text": ""},
    )
    text = text_of(page)
    assert page.status_code == 400
    assert "There is a problem" in text and 'href="#what_changed-text"' in text
    assert "Write what changed because of the report" in text


def test_a_too_long_what_changed_keeps_what_was_typed(sign_in, world, closed, session):
    response, event = closed
    typed = "We changed the way repeats are checked. " * 30
    page = sign_in(world.lead).post(
        f"/responses/{response.id}/what-changed",
        data={"what_changed-version": str(response.version_id), "what_changed-text": typed},
    )
    text = text_of(page)
    assert page.status_code == 400 and "1,000 characters or fewer" in text
    assert typed.strip() in text
    session.rollback()
    assert (
        session.scalars(select(ReporterUpdate).where(ReporterUpdate.kind == "what_changed")).all()
        == []
    )


def test_what_changed_through_the_page_reaches_the_reporters_inbox(sign_in, world, closed):
    response, event = closed
    lead = sign_in(world.lead)
    sent = lead.post(
        f"/responses/{response.id}/what-changed",
        data={"what_changed-version": str(response.version_id), "what_changed-text": WHAT_CHANGED},
    )
    assert sent.status_code == 302 and sent.headers["Location"].endswith(
        f"/responses/{response.id}#what-changed"
    )
    shown = text_of(lead.get(f"/responses/{response.id}"))
    assert WHAT_CHANGED in shown and "Tell the reporters what changed" not in shown
    again = lead.post(
        f"/responses/{response.id}/what-changed",
        data={"what_changed-version": str(response.version_id + 1), "what_changed-text": "Again"},
    )
    assert again.status_code == 400 and "already been told" in text_of(again)
    inbox = text_of(sign_in(world.reporter).get(f"/events/mine/{event.id}"))
    assert "What changed because of your report" in inbox and WHAT_CHANGED in inbox


def test_a_stale_what_changed_form_is_refused_with_a_conflict(sign_in, world, closed, session):
    response, _ = closed
    with unit_of_work(session):
        response.extension_reason = "Touched by someone else"  # any change moves the version on
    page = sign_in(world.lead).post(
        f"/responses/{response.id}/what-changed",
        data={"what_changed-version": "1", "what_changed-text": WHAT_CHANGED},
    )
    assert page.status_code == 409 and "changed by someone else" in text_of(page)


def test_the_event_page_shows_the_casework_what_the_reporter_was_told(sign_in, world, reported):
    text = text_of(sign_in(world.lead).get(f"/events/{reported.id}"))
    assert "What the reporter has been told" in text
    assert "The team will meet to talk about what happened." in text
