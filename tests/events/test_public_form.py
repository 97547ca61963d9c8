"""The public report: one question a page, no sign-in, the same record as the staff form."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from psirf.audit import AuditRecord
from psirf.events import drafts
from psirf.events.drafts import PublicReportDraft
from psirf.events.models import SafetyEvent
from tests.support.events import WHEN, answer_every_question, counts
from tests.support.factories import PcnFactory, PracticeFactory


def test_the_start_page_needs_no_sign_in(client):
    page = client.get("/report")
    assert page.status_code == 200
    assert "Start now" in page.get_data(as_text=True)


def test_the_service_is_found_by_name_or_ods_code_and_only_services_are_offered(client):
    practice = PracticeFactory(name="Riverside Surgery", ods_code="B81001")
    PcnFactory(name="Riverside PCN")
    by_name = client.get("/report/service?q=riverside").get_data(as_text=True)
    assert "Riverside Surgery (B81001)" in by_name and "Riverside PCN" not in by_name
    by_code = client.get("/report/service?q=b81001").get_data(as_text=True)
    assert f'value="{practice.id}"' in by_code
    nothing = client.get("/report/service?q=nowhere").get_data(as_text=True)
    assert "No services found" in nothing


def test_an_empty_search_shows_the_error_summary(client):
    page = client.get("/report/service?q=").get_data(as_text=True)
    assert "There is a problem" in page and "Enter the name or code of the service" in page


def test_the_public_journey_page_by_page_to_a_reference(client, session):
    practice = PracticeFactory()
    answer_every_question(client, practice, reporter_kind="carer")

    check = client.get("/report/check").get_data(as_text=True)
    assert "Check your answers" in check
    assert "My mum was given the wrong tablets." in check
    assert "I am a carer" in check
    for step in (
        "service",
        "kind",
        "when",
        "what-happened",
        "harm",
        "theme",
        "about-you",
        "contact",
    ):
        assert f'href="/report/{step}?change=1"' in check
    assert counts(session)[0] == 0  # nothing is recorded until it is sent

    sent = client.post("/report/check")
    assert sent.status_code == 302 and sent.headers["Location"].endswith("/report/done")
    event = session.scalars(select(SafetyEvent)).one()
    done = client.get("/report/done").get_data(as_text=True)
    assert f"<strong>{event.reference}</strong>" in done

    assert (event.organisation_id, event.record_type, event.theme, event.occurred_on) == (
        practice.id,
        "incident",
        "medication",
        WHEN,
    )
    assert (event.reporter_kind, event.reporter_user_id, event.identity_protected) == (
        "carer",
        None,
        False,
    )
    assert (event.reporter_name, event.reporter_contact) == ("Sam Smith", "sam@example.org")
    assert event.physical_harm == "moderate" and event.patients[0].physical_harm == "moderate"
    assert event.service_area == "general_practice"
    audit = session.scalars(select(AuditRecord)).one()
    assert (audit.action, audit.actor_id, audit.subject_id) == ("event:create", None, event.id)

    # The answers are gone: a second send cannot make a second record.
    assert client.post("/report/check").status_code == 302
    assert counts(session)[0] == 1


def test_change_links_return_to_check_your_answers(client, session):
    practice = PracticeFactory()
    answer_every_question(client, practice)
    changed = client.post("/report/theme?change=1", data={"theme": "referral"})
    assert changed.headers["Location"].endswith("/report/check")
    assert "A referral or follow-up that did not happen" in client.get("/report/check").get_data(
        as_text=True
    )


def test_a_harm_the_person_does_not_know_records_no_patient_harm(client, session):
    answer_every_question(client, PracticeFactory())
    client.post("/report/harm?change=1", data={"physical_harm": "unknown"})
    client.post("/report/check")
    event = session.scalars(select(SafetyEvent)).one()
    assert event.physical_harm is None and event.patients == []


def test_check_your_answers_sends_an_unfinished_report_back_to_the_first_missing_question(client):
    response = client.get("/report/check")
    assert response.status_code == 302 and response.headers["Location"].endswith("/report/service")


@pytest.mark.parametrize(
    "url, data, message, kept",
    [
        (
            "/report/when",
            {"occurred_on[day]": "31", "occurred_on[month]": "2", "occurred_on[year]": "2025"},
            "Enter a real date for when did it happen",
            'value="31"',
        ),
        (
            "/report/what-happened",
            {"description": "x" * 2001},
            "Use 2,000 characters or fewer",
            "x" * 2001,
        ),
        ("/report/kind", {}, "Select what you want to tell us about", None),
    ],
)
def test_a_public_page_with_bad_input_shows_the_error_and_keeps_the_answer(
    client, session, url, data, message, kept
):
    response = client.post(url, data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in page and message in page
    assert "<title>Error: " in page
    if kept:
        assert kept in page
    assert counts(session) == (0, 0, 0)


def test_a_date_in_the_future_is_refused_on_the_public_form(client):
    tomorrow = date.today() + timedelta(days=1)
    page = client.post(
        "/report/when",
        data={
            "occurred_on[day]": str(tomorrow.day),
            "occurred_on[month]": str(tomorrow.month),
            "occurred_on[year]": str(tomorrow.year),
        },
    ).get_data(as_text=True)
    assert "The date must be today or in the past" in page


def test_every_public_page_has_its_own_title(client):
    titles = set()
    for url in (
        "/report",
        "/report/service",
        "/report/kind",
        "/report/when",
        "/report/what-happened",
        "/report/harm",
        "/report/theme",
        "/report/about-you",
        "/report/contact",
    ):
        page = client.get(url).get_data(as_text=True)
        titles.add(page.split("<title>")[1].split("</title>")[0])
    assert len(titles) == 9


def test_each_address_may_send_only_so_many_public_reports(app, client):
    from psirf.extensions import limiter

    limiter.reset()
    app.config["PUBLIC_REPORT_LIMIT"] = "3 per hour"
    statuses = [client.post("/report/check").status_code for _ in range(4)]
    assert statuses[:3] != [429] * 3 and statuses[3] == 429


def test_a_long_answer_in_any_script_survives_every_step_into_the_record(client, session):
    # The form's own limit, 2,000 characters: 6 KB as UTF-8, more than a browser keeps in a cookie.
    # Varied ideographs, as real writing is: a phrase repeated would compress into a small cookie anyway.
    answer = "".join(chr(0x4E00 + (n * 7919) % 20000) for n in range(2000))
    assert len(answer) == 2000 and len(answer.encode()) > 4096
    answer_every_question(client, PracticeFactory(), description=answer)
    assert client.get("/report/what-happened?change=1").get_data(as_text=True).count(answer) == 1
    assert answer in client.get("/report/check").get_data(as_text=True)
    assert client.post("/report/check").status_code == 302
    assert session.scalars(select(SafetyEvent.description)).one() == answer
    assert (
        session.scalar(select(func.count()).select_from(PublicReportDraft)) == 0
    )  # gone once sent


def test_answers_last_two_hours_after_the_last_one_and_expired_drafts_are_purged(session):
    start = datetime(2027, 1, 31, 9, 0)
    key = drafts.new_key()
    drafts.save(session, key, {"theme": "medication"}, start)
    drafts.save(session, key, {"record_type": "incident"}, start + timedelta(hours=1))
    assert drafts.answers(session, key, start + timedelta(hours=2, minutes=59)) == {
        "theme": "medication",
        "record_type": "incident",
    }
    assert drafts.answers(session, key, start + timedelta(hours=3)) == {}
    assert key not in str(session.scalars(select(PublicReportDraft.key_hash)).all())
    other = drafts.new_key()
    drafts.save(
        session, other, {"theme": "referral"}, start + timedelta(hours=3)
    )  # starting one purges the rest
    assert session.scalars(select(PublicReportDraft.answers)).all() == [{"theme": "referral"}]
    assert drafts.purge(session, start + timedelta(hours=5)) == 1
