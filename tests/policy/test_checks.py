"""The checks that moved into the policy from the feature services, asked directly.

They take the workflow state an object is in (who acts there, what it edits, whether it has
ended), so each is asked here with a real state from the workflow files.
"""

from __future__ import annotations

from datetime import date

import pytest

from psirf import policy
from psirf.engagement.models import DocumentKind
from psirf.extensions import db
from psirf.plans.models import PsirfPlan
from psirf.responses.models import Contributor
from psirf.workflow import definitions
from tests.support.factories import ResponseFactory, SafetyEventFactory


def state(workflow: str, name: str):
    return definitions.get(workflow).state(name)


def joint_response(world, state_name: str):
    return ResponseFactory(
        organisation=world.practice,
        method="cross_organisational",
        state=state_name,
        contributors=[Contributor(organisation_id=world.other_practice.id)],
    )


def test_the_acting_role_edits_the_state_s_parts_and_a_contributor_its_contribution(world):
    contributions = state("cross_organisational", "contributions")
    response = joint_response(world, "contributions")
    assert policy.response_parts(world.lead, response, contributions) == ("contributors",)
    assert policy.response_parts(world.other_lead, response, contributions) == ("contribution",)
    assert policy.response_parts(world.panel, response, contributions) == ()
    with pytest.raises(policy.NotPermitted):
        policy.require_response_part(world.panel, response, "contributors", contributions)
    with pytest.raises(policy.NotVisible):
        policy.require_response_part(world.other_panel, response, "contributors", contributions)


def test_only_a_contributor_at_sign_off_agrees_to_it(world):
    response = joint_response(world, "sign_off")
    sign_off = state("cross_organisational", "sign_off")
    assert policy.may_agree_to_sign_off(world.other_lead, response, sign_off)
    assert not policy.may_agree_to_sign_off(world.panel, response, sign_off)
    earlier = state("cross_organisational", "contributions")
    assert not policy.may_agree_to_sign_off(world.other_lead, response, earlier)


def test_the_lead_agrees_an_extension_and_offers_links_only_while_the_response_runs(world):
    response = ResponseFactory(organisation=world.practice)
    running, closed = (
        state("after_action_review", "planning"),
        state("after_action_review", "closed"),
    )
    assert policy.may_agree_extension(world.lead, response, running)
    assert not policy.may_agree_extension(world.lead, response, closed)
    assert not policy.may_agree_extension(world.panel, response, running)
    assert policy.may_offer_link(world.panel, response, running)
    assert not policy.may_offer_link(world.panel, response, closed)
    with pytest.raises(policy.NotPermitted):
        policy.require_may_agree_extension(world.icb_quality, response, running)


def test_only_the_lead_resets_a_target_and_only_while_the_response_runs(world):
    response = ResponseFactory(organisation=world.practice)
    running, closed = (
        state("after_action_review", "planning"),
        state("after_action_review", "closed"),
    )
    assert policy.may_reset_due_date(world.lead, response, running)
    assert not policy.may_reset_due_date(world.lead, response, closed)
    assert not policy.may_reset_due_date(world.panel, response, running)
    with pytest.raises(policy.NotPermitted):
        policy.require_may_reset_due_date(world.icb_quality, response, running)
    with pytest.raises(policy.NotVisible):
        policy.require_may_reset_due_date(world.other_lead, response, running)


def test_a_contributor_neither_links_nor_sees_the_engagement(world):
    response = joint_response(world, "contributions")
    with pytest.raises(policy.NotPermitted):
        policy.require_may_link_responses(world.other_lead, response)
    running = state("cross_organisational", "contributions")
    assert not policy.may_edit_engagement(world.other_lead, response, running)
    assert not policy.may_share_document(world.other_lead, response, DocumentKind.DRAFT, running)


def test_the_lead_shares_a_draft_while_running_and_the_final_report_also_once_closed(world):
    response = ResponseFactory(organisation=world.practice)
    running, closed = (
        state("after_action_review", "planning"),
        state("after_action_review", "closed"),
    )
    assert policy.may_share_document(world.lead, response, DocumentKind.DRAFT, running)
    assert not policy.may_share_document(world.lead, response, DocumentKind.DRAFT, closed)
    assert policy.may_share_document(world.lead, response, DocumentKind.FINAL, closed)
    assert not policy.may_share_document(world.panel, response, DocumentKind.FINAL, closed)
    assert policy.may_edit_engagement(world.lead, response, running)
    assert not policy.may_edit_engagement(world.lead, response, closed)


def test_learning_is_shared_by_the_lead_once_the_response_is_closed(world):
    response = ResponseFactory(organisation=world.practice)
    assert policy.may_share_response(world.lead, response, closed=True)
    assert not policy.may_share_response(world.lead, response, closed=False)
    assert not policy.may_share_response(world.panel, response, closed=True)
    with pytest.raises(policy.NotVisible):
        policy.require_may_share_response(world.other_lead, response, closed=True)


def test_good_care_is_shared_by_the_lead_and_other_records_have_no_sharing_page(world):
    good_care = SafetyEventFactory(organisation=world.practice, record_type="good_care")
    incident = SafetyEventFactory(organisation=world.practice)
    assert policy.may_share_good_care(world.lead, good_care)
    assert not policy.may_share_good_care(world.panel, good_care)
    with pytest.raises(policy.NotVisible):
        policy.require_may_share_good_care(world.lead, incident)


def test_the_panel_edits_its_draft_plan_and_the_icb_decides_on_it(world, session):
    plan_approval = definitions.get("plan_approval")
    plan = PsirfPlan(
        organisation_id=world.pcn.id,
        number=1,
        revision=1,
        starts_on=date(2027, 1, 1),
        content={},
        profile={},
        workflow_name=plan_approval.name,
        workflow_version=plan_approval.version,
        state="draft",
        created_by_id=world.panel.id,
    )
    db.session.add(plan)
    db.session.commit()
    draft, under_review = plan_approval.state("draft"), plan_approval.state("under_review")
    assert policy.may_edit_plan_now(world.panel, plan, draft)
    assert not policy.may_edit_plan_now(world.panel, plan, under_review)
    assert not policy.may_edit_plan_now(world.icb_quality, plan, draft)
    with pytest.raises(policy.NotPermitted):
        policy.require_may_edit_plan(world.lead, plan, draft)
    assert policy.may_decide_on_plan(world.icb_quality, plan)
    assert not policy.may_decide_on_plan(world.icb_specialist, plan)
    assert policy.may_write_next_plan(world.panel, plan)
    assert not policy.may_write_next_plan(world.lead, plan)
    assert policy.may_generate_plans(world.panel) and not policy.may_generate_plans(world.lead)
