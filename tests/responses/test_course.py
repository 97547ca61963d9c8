"""Changing course keeps one case: a SWARM huddle continued as an after action review, or any
response widened, stays the same response with its method history; escalation opens a new one."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from psirf import policy
from psirf.dashboards import icb
from psirf.db import unit_of_work
from psirf.learning import services as learning
from psirf.problems import InputError
from psirf.responses import course, services
from psirf.responses.models import LearningResponse, ResponseLink, ResponseMethod
from psirf.workflow import deadlines, runner
from tests.responses.test_reports import report_of, text_of
from tests.support.factories import SafetyEventFactory
from tests.support.responses import fire, save, trail

REASON = "Needs the pharmacy there: a cold review"


def opened(session, world, method: str) -> LearningResponse:
    event = SafetyEventFactory(organisation=world.practice, status="learning_response")
    with unit_of_work(session):
        return services.open_response(session, event, ResponseMethod(method), world.lead)


@pytest.fixture
def continued(session, world):
    """A huddle called three days ago that recorded its first phase and an escalated issue, then
    went on as a review."""
    huddle = opened(session, world, "swarm_huddle")
    with unit_of_work(session):
        huddle.created_at -= timedelta(days=3)
        target = runner.definition_of(huddle).target
        deadlines.assign(huddle, deadlines.from_target(target, huddle.created_at))
    save(
        session,
        huddle,
        "scene",
        world.lead,
        facilitator="Dr Shah",
        held_on=date(2026, 3, 2),
        what_happened="Methotrexate issued daily",
    )
    save(
        session,
        huddle,
        "escalated",
        world.lead,
        issue="The template allows daily dosing",
        escalated_to="Clinical system supplier",
    )
    learning_finding(session, world, huddle)
    fire(session, huddle, "continue_as_aar", world.lead, comment=REASON)
    return huddle


def learning_finding(session, world, response) -> None:
    with unit_of_work(session):
        learning.add_finding(
            session, world.lead, response, "No weekly default", response.version_id
        )


def test_a_huddle_continued_as_a_review_is_the_same_response_under_the_reviews_workflow(
    session, world, continued
):
    reference, event_ids = continued.reference, [e.id for e in continued.events]
    session.expire_all()
    response = session.get(LearningResponse, continued.id)
    assert response.reference == reference
    assert (response.method, response.workflow_name, response.state) == (
        "after_action_review",
        "after_action_review",
        "planning",
    )
    assert response.closed_at is None
    assert [e.id for e in response.events] == event_ids
    assert [f.text for f in response.findings] == ["No weekly default"]  # the case's parts stay
    assert response.record == {}  # the review's own sections start empty
    assert session.scalar(select(func.count()).select_from(LearningResponse)) == 1
    assert session.scalar(select(func.count()).select_from(ResponseLink)) == 0


def test_the_huddle_is_kept_as_a_stage_with_what_it_recorded_and_why_it_changed(
    session, world, continued
):
    (stage,) = continued.earlier_stages
    assert (stage.position, stage.method, stage.workflow_name, stage.state_reached) == (
        1,
        "swarm_huddle",
        "swarm_huddle",
        "became_aar",
    )
    assert stage.record["scene"]["facilitator"] == "Dr Shah"
    assert stage.record["escalated"] == [
        {"issue": "The template allows daily dosing", "escalated_to": "Clinical system supplier"}
    ]
    assert (stage.reason, stage.ended_by_id, stage.went_on_as) == (REASON, world.lead.id, "became")
    assert stage.started_at == continued.created_at and stage.ended_at >= stage.started_at
    assert stage.due_at == continued.created_at + timedelta(hours=48)


def test_the_due_date_counts_from_when_the_response_began_by_the_reviews_target(
    session, world, continued
):
    assert continued.due_on == (continued.created_at + timedelta(days=42)).date()
    assert continued.due_at is None  # a review's target is in days
    changed = next(r for r in trail(session, continued) if r.action == "response:method_changed")
    assert changed.changes["method"] == {"before": "swarm_huddle", "after": "after_action_review"}
    assert changed.changes["due_on"]["after"] == continued.due_on.isoformat()
    assert changed.comment == REASON


def test_the_audit_trail_reads_in_the_words_of_every_method_the_response_ran_as(
    session, world, continued
):
    entries = services.timeline(session, world.lead, continued)
    actions = [e.action for e in entries]
    assert "Phase 1: set the scene updated" in actions
    assert "Issues escalated updated" in actions
    assert "Continue as an after action review" in actions
    assert "Went on as another method" in actions
    step = next(e for e in entries if e.action == "Continue as an after action review")
    assert (step.changes[0].before, step.changes[0].after) == (
        "Huddle under way",
        "Planning the review",
    )
    assert step.comment == REASON


def test_its_history_tells_the_story_once(session, world, continued):
    stages = course.history(continued)
    assert [s.method for s in stages] == ["swarm_huddle", "after_action_review"]
    assert stages[0].state_label == "Continued as an after action review"
    story = course.story(stages)
    assert story.startswith("Began as a SWARM huddle on ")
    assert ", continued as an after action review on " in story
    assert course.story(course.history(opened(session, world, "mdt_review"))) is None


def test_the_lead_may_count_the_target_from_the_change_only_with_a_reason_which_is_audited(
    session, world, continued
):
    with pytest.raises(InputError, match="Say why"):
        course.reset_due_date(session, world.lead, continued, "  ", continued.version_id)
    with pytest.raises(policy.NotPermitted):
        course.reset_due_date(session, world.panel, continued, "Late start", continued.version_id)
    session.rollback()
    before = continued.due_on
    with unit_of_work(session):
        course.reset_due_date(
            session, world.lead, continued, "The pharmacist is away", continued.version_id
        )
    (stage,) = continued.earlier_stages
    assert continued.due_on == (stage.ended_at + timedelta(days=42)).date()
    assert (continued.due_on - before).days == 3  # the huddle was called three days before
    assert continued.due_reset_reason == "The pharmacist is away"
    reset = trail(session, continued)[-1]
    assert (reset.action, reset.actor_id, reset.comment) == (
        "response:due_reset",
        world.lead.id,
        "The pharmacist is away",
    )
    assert reset.changes["due_reset_reason"] == {"before": None, "after": "The pharmacist is away"}
    with pytest.raises(InputError, match="cannot be reset"):
        course.reset_due_date(session, world.lead, continued, "Again", continued.version_id)


def test_a_response_that_never_changed_course_keeps_its_target(session, world):
    review = opened(session, world, "after_action_review")
    assert not course.may_reset_due_date(review)
    with pytest.raises(InputError, match="cannot be reset"):
        course.reset_due_date(session, world.lead, review, "Busy", review.version_id)


def test_widening_a_review_keeps_one_case_too(session, world):
    review = opened(session, world, "after_action_review")
    save(session, review, "plan", world.lead, timing="hot", conductor="Dr Lee")
    fire(session, review, "widen", world.lead, comment="The trust's discharge letters")
    assert (review.method, review.state) == ("cross_organisational", "scoping")
    (stage,) = review.earlier_stages
    assert (stage.method, stage.state_reached, stage.went_on_as) == (
        "after_action_review",
        "widened",
        "widened_to",
    )
    assert stage.record["plan"]["conductor"] == "Dr Lee"
    assert review.due_on == (review.created_at + timedelta(days=90)).date()
    assert course.story(course.history(review)).startswith("Began as an after action review on ")
    assert ", widened to a cross-organisational learning response on " in course.story(
        course.history(review)
    )


def test_escalation_stays_a_new_linked_investigation(session, world, continued):
    fire(session, continued, "escalate", world.lead, comment="Death more likely than not")
    psii = course.successor_of(session, continued)
    assert psii.id != continued.id and psii.method == "psii"
    assert continued.state == "escalated" and continued.closed_at is not None
    assert [kind for kind, _ in course.links_of(session, psii)] == ["Escalated from"]


def test_the_icb_dashboard_counts_a_continued_huddle_once(session, world, continued):
    rows = {
        r.method: r for r in icb.responses_by_method(session, world.icb.id, continued.created_at)
    }
    assert (rows["after_action_review"].open, rows["after_action_review"].closed) == (1, 0)
    assert (rows["swarm_huddle"].open, rows["swarm_huddle"].closed) == (0, 0)


def test_the_review_page_shows_one_reference_the_huddles_phases_and_the_original_due_date(
    session, sign_in, world, continued
):
    page = sign_in(world.lead).get(f"/responses/{continued.id}").get_data(as_text=True)
    assert page.count(continued.reference) >= 1
    assert "Began as a SWARM huddle on" in page
    assert "What the SWARM huddle recorded" in page
    assert "Phase 1: set the scene" in page and "Dr Shah" in page
    assert "The template allows daily dosing" in page  # the issue it escalated
    assert "Continued from" not in page  # one response, not a pair
    assert "When the response began, on" in page
    assert "Count the target date from the change of method" in page


def test_counting_the_target_from_the_change_through_the_page(session, sign_in, world, continued):
    lead = sign_in(world.lead)
    url = f"/responses/{continued.id}/due-date/reset"
    refused = lead.post(url, data={"due_reset-version": continued.version_id})
    assert refused.status_code == 400 and "nhsuk-error-summary" in refused.get_data(as_text=True)
    assert "Say why the target date should count from the change" in refused.get_data(as_text=True)
    done = lead.post(
        url,
        data={"due_reset-version": continued.version_id, "due_reset-reason": "Pharmacist away"},
    )
    assert done.status_code == 302
    session.expire_all()
    assert session.get(LearningResponse, continued.id).due_reset_reason == "Pharmacist away"
    page = lead.get(f"/responses/{continued.id}").get_data(as_text=True)
    assert "because: Pharmacist away" in page
    assert "Count the target date from the change of method" not in page


def test_the_review_report_carries_the_huddles_record(session, world, continued):
    text = text_of(report_of(continued))
    assert "Began as a SWARM huddle on" in text
    assert "What the SWARM huddle recorded" in text
    assert "Dr Shah" in text and "The template allows daily dosing" in text


def test_an_extension_of_a_huddle_moves_it_to_the_end_of_a_day(session, world):
    huddle = opened(session, world, "swarm_huddle")
    assert huddle.due_at == huddle.created_at + timedelta(hours=48)
    new_day = huddle.due_on + timedelta(days=2)
    with unit_of_work(session):
        services.agree_extension(
            session,
            world.lead,
            huddle,
            new_due_on=new_day,
            reason="The pharmacist is back on Thursday",
            agreed_with_affected=False,
            expected_version=huddle.version_id,
        )
    assert (huddle.due_on, huddle.due_at) == (new_day, None)
    moved = trail(session, huddle)[-2]  # then the extension's own record, with the reason
    assert moved.action == "edit:extension" and moved.changes["due_at"]["after"] is None
