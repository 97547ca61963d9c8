"""The demo's SWARM huddle at Riverside Surgery continued as an after action review: one response,
one reference, the huddle's phases on the review's page, the due date from when the huddle was
called, counted once on the ICB dashboard; loaded once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from psirf.dashboards import icb
from psirf.db import unit_of_work
from psirf.demo.course import load_changed_course
from psirf.extensions import db
from psirf.organisations.models import Organisation
from psirf.responses.models import LearningResponse, MethodStage, ResponseLink
from psirf.timeutil import utcnow
from tests.support.app import demo_app as demo_app_running


@pytest.fixture(scope="module")
def demo_app(seeded_demo):
    with demo_app_running(seeded_demo, WTF_CSRF_ENABLED=False) as app:
        db.session.remove()
        yield app


@pytest.fixture
def continued(demo_app):
    (stage,) = db.session.scalars(select(MethodStage)).all()
    return stage.response


def test_the_demo_huddle_went_on_as_a_review_at_riverside_keeping_its_record(continued):
    (stage,) = continued.earlier_stages
    assert continued.organisation.ods_code == "D81001"
    assert (continued.method, continued.state) == ("after_action_review", "planning")
    assert (stage.method, stage.state_reached) == ("swarm_huddle", "became_aar")
    assert {"scene", "explore", "escalated"} <= set(stage.record)
    assert continued.record["plan"]["timing"] == "cold"
    assert continued.created_at == stage.started_at < stage.ended_at <= utcnow()
    assert continued.due_on == (continued.created_at + timedelta(days=42)).date()
    assert db.session.scalar(select(func.count()).select_from(ResponseLink)) == 0


def test_the_icb_dashboard_counts_it_once_as_the_review_it_is_now(continued):
    riverside = db.session.get(Organisation, continued.organisation_id)
    rows = {r.method: r for r in icb.responses_by_method(db.session, riverside.icb_id, utcnow())}
    still_open = LearningResponse.closed_at.is_(None)
    open_reviews = db.session.scalar(
        select(func.count()).where(LearningResponse.method == "after_action_review", still_open)
    )
    all_open = db.session.scalar(select(func.count()).where(still_open))
    assert rows["after_action_review"].open == open_reviews
    # Once in all: the huddle it began as adds nothing beside the review it is now.
    assert sum(row.open for row in rows.values()) == all_open


def test_the_lead_reads_one_reference_the_huddles_phases_and_the_original_due_date(
    demo_app, continued
):
    client = demo_app.test_client()
    client.post(
        "/sign-in", data={"email": "lead@demo-icb.example.org", "password": "demo-password"}
    )
    page = client.get(f"/responses/{continued.id}").get_data(as_text=True)
    assert f"After action review {continued.reference}" in page
    assert "Began as a SWARM huddle on" in page
    assert "What the SWARM huddle recorded" in page and "Phase 2: explore the work system" in page
    assert "When the response began, on" in page


def test_loading_the_change_of_course_again_adds_nothing(demo_app):
    with unit_of_work(db.session):
        assert load_changed_course(db.session) is False
    assert db.session.scalar(select(func.count()).select_from(MethodStage)) == 1
