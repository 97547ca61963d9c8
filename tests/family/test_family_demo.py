"""The demo family account: a PSII at Riverside Surgery with a timeline under way, loaded once."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from psirf.accounts.models import User
from psirf.audit import AuditRecord
from psirf.db import unit_of_work
from psirf.demo.family import load_family
from psirf.engagement.models import AffectedPerson, EngagementStep
from psirf.events.models import SafetyEvent
from psirf.extensions import db
from psirf.responses.models import LearningResponse
from psirf.responses.reports import build_report
from psirf.workflow import runner
from tests.support.app import demo_app as demo_app_running


@pytest.fixture(scope="module")
def demo_app(seeded_demo):
    with demo_app_running(seeded_demo, WTF_CSRF_ENABLED=False) as app:
        db.session.remove()
        yield app


def test_the_demo_family_member_signs_in_and_sees_only_their_shared_timeline(demo_app):
    client = demo_app.test_client()
    signed = client.post(
        "/sign-in", data={"email": "family@demo-icb.example.org", "password": "demo-password"}
    )
    assert signed.status_code == 302
    page = client.get("/your-response", follow_redirects=True)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Our review of what happened" in html
    assert (
        "We first got in touch with you." in html
        and "We talked with you openly about what happened." in html
    )
    assert (
        "Why did nobody check Dad&#39;s breathing and temperature?" in html
        and "Our answer:" in html
    )
    assert "Your contact is Lee Lead" in html
    assert "Internal" not in html and "Frank Morgan" not in html


def test_the_demo_investigation_is_a_psii_on_the_sepsis_event_and_the_never_event_still_waits(
    demo_app,
):
    with demo_app.app_context():
        session = db.session
        account = session.scalar(select(User).where(User.email == "family@demo-icb.example.org"))
        person = session.scalar(
            select(AffectedPerson).where(AffectedPerson.account_id == account.id)
        )
        response = session.get(LearningResponse, person.response_id)
        assert account.kind == "family" and account.roles == []
        assert response.method == "psii" and response.organisation.ods_code == "D81001"
        assert "sepsis" in response.events[0].description
        steps = session.scalars(
            select(EngagementStep).where(EngagementStep.response_id == response.id)
        ).all()
        assert {s.shared for s in steps} == {True, False}
        assert all(s.occurred_on >= response.created_at.date() for s in steps)
        never = session.scalar(select(SafetyEvent).where(SafetyEvent.never_event.is_(True)))
        assert never.status == "awaiting_triage"
        audited = session.scalars(
            select(AuditRecord.action).where(
                AuditRecord.subject_id == response.id,
                AuditRecord.subject_type == "learning_responses",
            )
        ).all()
        assert {"response:open", "engagement:step", "family:joined", "engagement:answer"} <= set(
            audited
        )


def test_loading_the_demo_family_again_adds_nothing(demo_app):
    with demo_app.app_context():
        before = db.session.scalar(select(func.count()).select_from(AuditRecord))
        with unit_of_work(db.session):
            assert load_family(db.session) is False
        assert db.session.scalar(select(func.count()).select_from(AuditRecord)) == before


def test_the_demo_investigations_report_quotes_what_the_son_chose_to_share(demo_app):
    with demo_app.app_context():
        account = db.session.scalar(select(User).where(User.email == "family@demo-icb.example.org"))
        person = db.session.scalar(
            select(AffectedPerson).where(AffectedPerson.account_id == account.id)
        )
        response = db.session.get(LearningResponse, person.response_id)
        pdf = build_report(response, runner.definition_of(response))
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "In their own words" in text and "Their account: A family member (son)" in text
    assert "[name] on reception put him through to a doctor" in text
    assert "Why did nobody check Dad's breathing and temperature?" in text
    assert "Sunita" not in text and "Morgan" not in text
