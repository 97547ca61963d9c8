"""A plan from generation to force: the panel writes it, the ICB decides, triage follows it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from psirf import policy
from psirf.extensions import db
from psirf.notifications.models import Notification
from psirf.notifications.reminders import send_reminders
from psirf.plans import compare, content, services
from psirf.plans.models import PlanRevision
from psirf.triage import services as triage
from psirf.workflow import runner
from psirf.workflow.runner import TransitionRefused
from tests.support.factories import PcnFactory, PracticeFactory, SafetyEventFactory, UserFactory
from tests.support.plan_factories import PlanFactory
from tests.support.plans import generated_plan
from psirf.problems import InputError


def _fire(plan, trigger, user, comment=None):
    runner.fire(db.session, plan, trigger, user, plan.version_id, comment)
    db.session.commit()


def _complete(plan, user):
    services.save_involved(
        db.session, user, plan, "Practice patient safety leads", "Sam Partner", None
    )
    services.save_distribution(
        db.session, user, plan, "North PCN review panel\nThe ICB quality committee", None
    )
    services.save_sources(
        db.session, user, plan, {"complaints": {"used": True, "count": 12, "notes": ""}}, None
    )
    db.session.commit()


def test_the_generated_plan_draws_its_profile_and_suggests_the_largest_and_most_harmful_themes(
    world,
):
    today = date(2026, 12, 2)
    plan = generated_plan(world, today=today)

    events = plan.profile["events"]
    assert (plan.profile["start"], plan.profile["end"]) == ("2025-12-01", "2026-12-01")
    # Good care (one record, of access) is left out of the event figures, as the dashboards leave it.
    assert events["total"] == 10 and len(events["by_month"]) == 12
    assert [t["key"] for t in events["by_theme"]] == ["medication", "diagnosis", "communication"]
    assert events["good_care_left_out"] == plan.profile["good_care"] == 1
    assert plan.profile["actions"]["total"] == 1
    suggested = plan.content["local_focus"]
    assert {row["match"]["theme"] for row in suggested} == {"medication", "diagnosis"}
    medication = next(row for row in suggested if row["match"]["theme"] == "medication")
    assert medication["figures"].startswith(
        "One of the two most recorded themes, and of the two with the most moderate or worse harm. "
        "5 events in the last 12 months (50% of all events; excludes 1 record of good care); "
        "2 with moderate or worse harm."
    )
    assert all(row["improvement_route"] for row in suggested)
    assert [r["key"] for r in plan.content["national"]][:2] == ["never_event", "death_due_to_care"]
    assert plan.content["capacity"]["leads"][0]["name"] in {world.lead.name, world.panel.name}
    assert (
        "not a permanent rule" in plan.content["introduction"]
        and "1 January 2027 to 31 December 2027" in plan.content["introduction"]
    )


def test_only_the_groups_panel_generates_a_plan_for_a_period_it_allows(world):
    kwargs = dict(period_months=12, lookback_months=12, starts_on=date.today(), today=date.today())
    with pytest.raises(policy.NotPermitted):
        services.generate(db.session, world.lead, world.pcn, **kwargs)
    with pytest.raises(policy.NotVisible):
        services.generate(db.session, world.other_panel, world.pcn, **kwargs)
    with pytest.raises(InputError) as error:
        services.generate(db.session, world.panel, world.pcn, **{**kwargs, "period_months": 15})
    assert error.value.field == "period_months"


def test_a_plan_goes_through_the_icb_to_force_and_triage_follows_it(world):
    event = SafetyEventFactory(
        organisation=world.practice,
        theme="premises",
        physical_harm="low",
        description="A patient slipped on the wet floor by the entrance.",
    )
    assert triage.recommendation_for(db.session, event).local_priority is None

    plan = PlanFactory(
        organisation=world.pcn,
        created_by=world.panel,
        number=1,
        starts_on=date.today(),
        content=content.draft_content(
            group_name="North PCN",
            members=[],
            leads=[],
            profile=_profile(),
            starts_on=date.today(),
            period_months=12,
        ),
    )
    with pytest.raises(TransitionRefused) as refused:
        _fire(plan, "submit", world.panel)
    assert "Name the patient safety partners who helped draw up the plan." in refused.value.problems
    db.session.rollback()

    _complete(plan, world.panel)
    services.add_priority(
        db.session,
        world.panel,
        plan,
        label="Falls on the premises",
        theme="premises",
        min_harm="low",
        method="swarm_huddle",
        route="Estates fixes tracked by the panel",
        expected_version=plan.version_id,
    )
    db.session.commit()
    _fire(plan, "submit", world.panel)
    assert (plan.state, plan.revision, plan.version_label) == ("submitted", 1, "1.1")

    _fire(plan, "start_review", world.icb_quality)
    with pytest.raises(TransitionRefused):
        _fire(plan, "request_changes", world.icb_quality)  # a comment is needed
    db.session.rollback()
    _fire(plan, "request_changes", world.icb_quality, comment="Say how the pharmacies took part.")
    services.save_involved(
        db.session, world.panel, plan, "Practice and pharmacy safety leads", "Sam Partner", None
    )
    db.session.commit()
    _fire(plan, "resubmit", world.panel)
    _fire(plan, "start_review", world.icb_quality)
    label, before = services.previous_content(plan, 2)
    changed = [c.section for c in compare.compare(before, plan.revisions[-1].content) if c.changed]
    assert (label, changed) == ("version 1.1", ["Who was involved"])

    with pytest.raises(policy.NotPermitted):
        runner.fire(db.session, plan, "approve", world.lead, None)
    with pytest.raises(TransitionRefused) as refused:
        _fire(plan, "approve", world.icb_quality)
    assert refused.value.problems == [
        "Record the date of the committee's decision.",
        "Record the minute reference of the committee's decision.",
    ]
    db.session.rollback()
    services.record_decision(
        db.session,
        world.icb_quality,
        plan,
        decided_on=date.today(),
        minute_reference="QC/26/114",
        today=date.today(),
        expected_version=None,
    )
    db.session.commit()
    _fire(plan, "approve", world.icb_quality)
    assert (
        triage.recommendation_for(db.session, event).local_priority is None
    )  # approved, not yet published

    _fire(plan, "publish", world.panel)
    assert plan.state == "published" and plan.effective_from == date.today() and plan.public_token
    assert services.by_public_token(db.session, plan.public_token) == plan
    recommendation = triage.recommendation_for(db.session, event)
    assert recommendation.method == "swarm_huddle" and recommendation.local_priority.startswith(
        "added_"
    )
    assert (
        "North PCN's PSIRF plan, in force from" in recommendation.reasons[0]
        or "PSIRF plan" in recommendation.reasons[0]
    )
    assert (
        db.session.scalar(select(PlanRevision.number).order_by(PlanRevision.number.desc()).limit(1))
        == 2
    )


def _profile():
    from tests.support.plan_factories import sample_profile

    return sample_profile()


def test_the_next_plan_in_force_supersedes_the_last(world):
    old = PlanFactory(
        organisation=world.pcn,
        created_by=world.panel,
        state="published",
        revision=1,
        effective_from=date.today() - timedelta(days=300),
    )
    new = PlanFactory(
        organisation=world.pcn, created_by=world.panel, state="approved", revision=1, supersedes=old
    )
    _fire(new, "publish", world.panel)
    assert (old.state, new.state) == ("superseded", "published")
    assert services.in_force(db.session, world.pcn.id) == new


def test_the_icb_sees_a_plan_once_submitted_and_another_icb_never(world):
    plan = PlanFactory(organisation=world.pcn, created_by=world.panel)
    assert policy.plan_roles(world.icb_quality, plan) == set()
    assert policy.plan_roles(world.lead, plan) == {policy.PLAN_READER}
    plan.revision, plan.state = 1, "submitted"
    db.session.commit()
    assert policy.PLAN_APPROVER in policy.plan_roles(world.icb_quality, plan)
    assert policy.plan_roles(world.icb_specialist, plan) == {policy.PLAN_READER}
    assert policy.plan_roles(world.outsider_icb_quality, plan) == set()
    outsider = services.listing(db.session, world.outsider_icb_quality, None, 20)
    assert [p.id for p in outsider.items] == []
    assert [p.id for p in services.listing(db.session, world.icb_quality, None, 20).items] == [
        plan.id
    ]


def test_reviews_come_due_and_each_reminder_is_sent_once(world):
    today = date(2027, 10, 15)  # the review date is within 90 days
    due = PlanFactory(
        organisation=world.pcn,
        created_by=world.panel,
        state="published",
        revision=1,
        effective_from=date(2027, 1, 1),
        review_on=date(2027, 12, 31),
    )
    waiting = PlanFactory(
        organisation=world.other_pcn, created_by=world.other_panel, state="submitted", revision=1
    )

    assert send_reminders(db.session, today=today, candour_working_days=10) == 2
    db.session.commit()
    assert send_reminders(db.session, today=today, candour_working_days=10) == 0
    assert due.state == "review_due"
    told = {(n.user_id, n.link) for n in db.session.scalars(select(Notification))}
    assert told == {
        (world.panel.id, f"/plans/{due.id}"),
        (world.icb_quality.id, f"/plans/{waiting.id}"),
    }


def test_capacity_warns_when_the_plan_asks_more_than_the_trained_leads_have(world):
    plan = PlanFactory(organisation=world.pcn, created_by=world.panel)
    generous = content.capacity(plan.content, plan.profile)
    services.save_leads(
        db.session,
        world.panel,
        plan,
        [{"name": "Lee Lead", "trained": False, "hours_per_month": 40}],
        None,
    )
    short = content.capacity(plan.content, plan.profile)
    assert not generous.short or generous.available_hours < generous.needed_hours
    assert (
        short.short and short.available_hours == 0 and short.needed_hours == generous.needed_hours
    )


def test_a_member_of_two_groups_follows_both_plans_newest_first(world):
    federation = PcnFactory(icb=world.icb, name="Demo Federation", kind="federation")
    practice = PracticeFactory(icb=world.icb, groups=[world.pcn, federation])
    panel = UserFactory(role=(policy.Role.REVIEW_PANEL_MEMBER, federation))
    PlanFactory(
        organisation=world.pcn,
        created_by=world.panel,
        state="published",
        revision=1,
        effective_from=date.today() - timedelta(days=30),
    )
    PlanFactory(
        organisation=federation,
        created_by=panel,
        state="published",
        revision=1,
        effective_from=date.today(),
    )
    focus = services.local_focus_for(db.session, practice)
    assert "Demo Federation's PSIRF plan" in focus.source
    assert len(focus.priorities) == 2 * len(
        PlanFactory.build(organisation=federation, created_by=panel).content["local_focus"]
    )
