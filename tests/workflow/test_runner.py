"""The transition runner: policy, guards, optimistic locking and the audit record, together."""

import threading
from dataclasses import replace

import pytest
from sqlalchemy import func, select

from psirf.accounts.models import Role, User
from psirf.audit import AuditRecord
from psirf.db import unit_of_work
from psirf.extensions import db
from psirf.policy import NotPermitted, NotVisible
from psirf.responses.models import LearningResponse
from psirf.workflow import runner
from psirf.workflow.registry import GUARDS
from psirf.workflow.runner import ChangedBySomeoneElse, TransitionRefused
from tests.support.factories import AfterActionReviewFactory, UserFactory


def transitions_recorded(session, response, trigger):
    return session.scalar(
        select(func.count())
        .select_from(AuditRecord)
        .where(AuditRecord.subject_id == response.id, AuditRecord.action == f"transition:{trigger}")
    )


def test_a_lead_sends_a_complete_review_to_the_panel_and_it_is_audited(session, world):
    response = AfterActionReviewFactory(organisation=world.practice, ready_for_panel=True)
    with unit_of_work(session):
        outcome = runner.fire(session, response, "send_to_panel", world.lead, response.version_id)
    assert (outcome.before, outcome.after) == ("in_review", "panel_review")
    record = session.scalars(
        select(AuditRecord).where(AuditRecord.action == "transition:send_to_panel")
    ).one()
    assert record.actor_id == world.lead.id
    assert record.changes == {"state": {"before": "in_review", "after": "panel_review"}}


def test_guards_that_fail_say_what_to_do_and_change_nothing(session, world):
    response = AfterActionReviewFactory(organisation=world.practice)
    with pytest.raises(TransitionRefused) as refused:
        with unit_of_work(session):
            runner.fire(session, response, "hold_review", world.lead, response.version_id)
    assert refused.value.problems == [
        "Answer 'Is this a hot or a cold review?'.",
        "Answer 'Who will conduct the review?'.",
        "Answer 'When will the review be held?'.",
    ]
    session.expire_all()
    assert session.get(LearningResponse, response.id).state == "planning"
    assert transitions_recorded(session, response, "hold_review") == 0


def test_a_return_needs_a_comment_and_keeps_it_on_the_audit_record(session, world):
    response = AfterActionReviewFactory(
        organisation=world.practice, ready_for_panel=True, state="panel_review"
    )
    with pytest.raises(TransitionRefused, match="more information"):
        runner.fire(
            session, response, "return_to_lead", world.panel, response.version_id, comment="  "
        )
    session.rollback()
    with unit_of_work(session):
        runner.fire(
            session,
            response,
            "return_to_lead",
            world.panel,
            response.version_id,
            comment="Add a stronger action",
        )
    record = session.scalars(
        select(AuditRecord).where(AuditRecord.action == "transition:return_to_lead")
    ).one()
    assert record.comment == "Add a stronger action"


def test_a_trigger_not_available_from_the_current_state_is_refused(session, world):
    response = AfterActionReviewFactory(organisation=world.practice)
    with pytest.raises(TransitionRefused, match="cannot be taken now"):
        runner.fire(session, response, "approve", world.panel, response.version_id)


@pytest.mark.parametrize(
    "who, trigger, refusal",
    [
        ("lead", "approve", NotPermitted),
        ("icb_quality", "approve", NotPermitted),
        ("panel", "send_to_panel", NotPermitted),
        ("other_panel", "approve", NotVisible),
        ("other_lead", "send_to_panel", NotVisible),
    ],
)
def test_only_the_role_the_policy_names_may_fire_a_trigger(session, world, who, trigger, refusal):
    state = "panel_review" if trigger == "approve" else "in_review"
    response = AfterActionReviewFactory(
        organisation=world.practice, ready_for_panel=True, state=state
    )
    with pytest.raises(refusal):
        runner.fire(session, response, trigger, getattr(world, who), response.version_id)


def test_a_stale_version_from_an_old_browser_tab_is_refused(session, world):
    response = AfterActionReviewFactory(organisation=world.practice, ready_for_panel=True)
    with pytest.raises(ChangedBySomeoneElse, match="changed by someone else"):
        runner.fire(session, response, "send_to_panel", world.lead, response.version_id - 1)


def test_two_people_firing_at_once_exactly_one_wins(app, session, world):
    response = AfterActionReviewFactory(
        organisation=world.practice, ready_for_panel=True, state="panel_review"
    )
    response_id, panel_id, version = response.id, world.panel.id, response.version_id
    colleague_id = UserFactory(role=(Role.REVIEW_PANEL_MEMBER, world.pcn)).id
    barrier = threading.Barrier(2, timeout=10)
    results: dict[int, str] = {}

    def act(user_id: int):
        with app.app_context():
            s = db.session
            user = s.get(User, user_id)
            row = s.get(LearningResponse, response_id)
            _ = (row.safety_actions, row.record)  # loaded before either writes
            barrier.wait()
            try:
                with unit_of_work(s):
                    runner.fire(s, row, "approve", user, version)
                results[user_id] = "won"
            except ChangedBySomeoneElse:
                results[user_id] = "changed by someone else"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=act, args=(uid,)) for uid in (panel_id, colleague_id)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert sorted(results.values()) == ["changed by someone else", "won"]
    db.session.expire_all()
    final = db.session.get(LearningResponse, response_id)
    assert final.state == "closed"
    assert transitions_recorded(db.session, final, "approve") == 1


def test_a_step_checks_each_of_its_guards_once(session, world, monkeypatch):
    """A guard may query: the machine that moves the state does not run the guards a second time."""
    calls = []
    guard = GUARDS["has_safety_action"]

    def counted(response, definition, args):
        calls.append(guard.name)
        return guard.problems(response, definition, args)

    monkeypatch.setitem(GUARDS, guard.name, replace(guard, problems=counted))
    response = AfterActionReviewFactory(organisation=world.practice, ready_for_panel=True)
    with unit_of_work(session):
        runner.fire(session, response, "send_to_panel", world.lead, response.version_id)
    assert calls == ["has_safety_action"]


def test_a_persisted_transition_is_its_update_and_its_audit_insert(session, world):
    """Nothing is read to take a step the lead of the response's own organisation may take: the
    roles come from the lead's grants, and a response's own organisation never contributes to it,
    so its contributors are not loaded (the benchmark's transition, psirf/bench/figures.py)."""
    from tests.support.factories import COMPLETE_AAR_RECORD
    from tests.support.queries import counting_queries

    response = AfterActionReviewFactory(
        organisation=world.practice, record={"plan": dict(COMPLETE_AAR_RECORD["plan"])}
    )
    session.commit()
    lead = session.get(User, world.lead.id)
    version = response.version_id
    _ = (lead.roles, response.organisation, response.record)  # what the page loaded already
    with counting_queries() as statements:
        with unit_of_work(session):
            runner.fire(session, response, "hold_review", lead, version)
    assert [s.split()[0] for s in statements] == ["INSERT", "UPDATE"]
    assert "audit_records" in statements[0] and "learning_responses" in statements[1]
