"""Safety improvement plans through their pages: gathering actions from many responses, the PSIRF
plan's priorities and good care, and reading progress over time; and who may do what."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from psirf.accounts.models import Role
from psirf.audit import AuditRecord
from psirf.extensions import db
from psirf.improvement.models import ImprovementPlan, MeasureReading, PlanItem
from psirf.timeutil import utcnow
from tests.support.factories import (
    PracticeFactory,
    ResponseFactory,
    SafetyActionFactory,
    UserFactory,
)
from tests.support.improvement import date_fields, good_care_entry, make_plan, version_of
from tests.support.queries import queries_for


@pytest.fixture
def hillside(world):
    """A second member practice of North PCN, beside Riverside."""
    return PracticeFactory(icb=world.icb, name="Hillside", groups=[world.pcn])


def audit_actions(plan_id: int) -> list[str]:
    return db.session.scalars(
        select(AuditRecord.action)
        .where(AuditRecord.subject_type == "improvement_plans", AuditRecord.subject_id == plan_id)
        .order_by(AuditRecord.id)
    ).all()


def fresh(plan_id: int) -> ImprovementPlan:
    db.session.expire_all()
    return db.session.get(ImprovementPlan, plan_id)


# ---- the done-when: a plan gathers actions from two responses and shows its progress -------------


def test_a_pcn_plan_gathers_actions_from_two_member_practices_and_shows_its_progress(
    session, sign_in, world, hillside
):
    at_riverside = SafetyActionFactory(
        response=ResponseFactory(organisation=world.practice),
        description="Protected time for prescription checks",
    )
    at_hillside = SafetyActionFactory(
        response=ResponseFactory(organisation=hillside),
        description="One referral template for suspected cancer",
        strength="weaker",
    )
    panel = sign_in(world.panel)

    started = panel.post(
        "/improvement-plans/new",
        data={
            "organisation_id": str(world.pcn.id),
            "title": "Safer prescribing and referral across North PCN",
            "aim": "No avoidable harm from repeat prescribing or lost referrals by March",
            "measure": "Monthly audit of 50 repeats",
        },
    )
    assert started.status_code == 302
    plan = session.scalars(select(ImprovementPlan)).one()
    assert started.headers["Location"].endswith(f"/improvement-plans/{plan.id}")
    assert plan.organisation_id == world.pcn.id and plan.created_by_id == world.panel.id

    page = panel.get(f"/improvement-plans/{plan.id}").get_data(as_text=True)
    assert (
        "Protected time for prescription checks" in page
        and "One referral template for suspected cancer" in page
    )
    added = panel.post(
        f"/improvement-plans/{plan.id}/actions",
        data={
            "actions-version": version_of(page, "actions"),
            "actions-action_ids": [str(at_riverside.id), str(at_hillside.id)],
        },
    )
    assert added.status_code == 302
    assert {a.id for a in fresh(plan.id).actions} == {at_riverside.id, at_hillside.id}

    # One of the two is done this month.
    at_hillside = db.session.merge(at_hillside)
    at_hillside.state, at_hillside.completed_at = "completed", utcnow()
    db.session.commit()

    page = panel.get(f"/improvement-plans/{plan.id}").get_data(as_text=True)
    for reference in (at_riverside.response.reference, at_hillside.response.reference):
        assert f">{reference}</a>" in page  # the panel sees both responses, so both link
    assert "Riverside" in page and "Hillside" in page
    assert (
        "Agreed and under way" in page and "Completed, waiting to review whether it worked" in page
    )
    assert "1 of 2 (50%)" in page  # completed
    assert "1 of 2 (50%)" in page.split("Weaker actions")[1]  # the weaker share
    # The progress row whose month cell is this month (a due date elsewhere may name the month too).
    month = re.search(
        r"</span>" + date.today().strftime("%B %Y") + r"</td>(.*?)</tr>", page, re.S
    ).group(1)
    assert re.findall(r"</span>([^<]+)</td>", month) == ["2", "1", "50%"]
    assert 'role="img"' in page and '<title id="progress-chart-title">' in page

    listing = panel.get("/improvement-plans").get_data(as_text=True)
    assert (
        "Safer prescribing and referral across North PCN" in listing and "50% (1 of 2)" in listing
    )
    assert audit_actions(plan.id) == ["improvement:create", "improvement:add_actions"]


def test_a_member_practice_reads_its_pcns_plan_links_only_the_responses_it_may_see_and_changes_nothing(
    session, sign_in, world, hillside
):
    own = SafetyActionFactory(response=ResponseFactory(organisation=world.practice))
    theirs = SafetyActionFactory(response=ResponseFactory(organisation=hillside))
    plan = make_plan(world.pcn, world.panel)
    plan.actions.extend([own, theirs])
    db.session.commit()
    lead = sign_in(world.lead)

    page = lead.get(f"/improvement-plans/{plan.id}").get_data(as_text=True)
    assert f'<a href="/responses/{own.response_id}">{own.response.reference}</a>' in page
    assert (
        theirs.response.reference in page and f'href="/responses/{theirs.response_id}"' not in page
    )
    assert 'method="post"' not in page.split("<main")[1]
    assert lead.post(f"/improvement-plans/{plan.id}/readings", data={}).status_code == 403
    assert (
        lead.post(
            f"/improvement-plans/{plan.id}/actions/{own.id}/remove", data={"version": "1"}
        ).status_code
        == 403
    )


# ---- who may see and change a plan -----------------------------------------------------------------


def test_a_lead_and_a_panel_of_another_pcn_are_told_the_plan_does_not_exist(sign_in, world):
    plan = make_plan(world.pcn, world.panel)
    for person in (world.other_lead, world.other_panel, world.outsider_icb_quality):
        client = sign_in(person)
        assert client.get(f"/improvement-plans/{plan.id}").status_code == 404
        assert client.post(f"/improvement-plans/{plan.id}/readings", data={}).status_code == 404
    assert "Safer repeat prescribing" not in sign_in(world.other_lead).get(
        "/improvement-plans"
    ).get_data(as_text=True)


def test_staff_without_a_casework_role_are_refused_the_list_and_starting_a_plan(sign_in, world):
    for person in (world.reporter, world.admin):
        client = sign_in(person)
        assert client.get("/improvement-plans").status_code == 403
        assert client.get("/improvement-plans/new").status_code == 403


def test_the_icb_reads_plans_in_its_icb_but_neither_starts_nor_changes_one(sign_in, world):
    plan = make_plan(world.practice, world.lead)
    quality = sign_in(world.icb_quality)
    listing = quality.get("/improvement-plans").get_data(as_text=True)
    assert "Safer repeat prescribing" in listing and "Start an improvement plan" not in listing
    assert quality.get(f"/improvement-plans/{plan.id}").status_code == 200
    assert quality.get("/improvement-plans/new").status_code == 403
    assert quality.post(f"/improvement-plans/{plan.id}/items", data={}).status_code == 403


def test_a_panel_starts_a_pcn_plan_and_a_practice_lead_a_practice_plan(session, sign_in, world):
    panel_form = sign_in(world.panel).get("/improvement-plans/new").get_data(as_text=True)
    assert (
        f'value="{world.pcn.id}"' in panel_form and f'value="{world.practice.id}"' not in panel_form
    )
    assert (
        "What are we trying to accomplish?" in panel_form
        and "How will we know a change is an improvement?" in panel_form
    )

    lead = sign_in(world.lead)
    assert "Start an improvement plan" in lead.get("/improvement-plans").get_data(as_text=True)
    response = lead.post(
        "/improvement-plans/new",
        data={
            "organisation_id": str(world.practice.id),
            "title": "Results acted on",
            "aim": "Every abnormal result actioned",
            "measure": "Results filed without action, weekly",
        },
    )
    assert response.status_code == 302
    plan = session.scalars(select(ImprovementPlan)).one()
    assert plan.organisation_id == world.practice.id
    assert audit_actions(plan.id) == ["improvement:create"]


def test_a_practice_lead_cannot_start_a_plan_for_the_pcn_and_keeps_what_was_typed(
    session, sign_in, world
):
    lead = sign_in(world.lead)
    form = lead.get("/improvement-plans/new").get_data(as_text=True)
    assert f'value="{world.pcn.id}"' not in form

    response = lead.post(
        "/improvement-plans/new",
        data={
            "organisation_id": str(world.pcn.id),
            "title": "A PCN-wide plan",
            "aim": "Safer referrals",
            "measure": "",
        },
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in text and "<title>Error:" in text
    assert "Say how you will know a change is an improvement" in text
    assert 'value="A PCN-wide plan"' in text and "Safer referrals" in text

    response = lead.post(
        "/improvement-plans/new",
        data={
            "organisation_id": str(world.pcn.id),
            "title": "A PCN-wide plan",
            "aim": "Safer referrals",
            "measure": "Audit",
        },
    )
    assert response.status_code == 400
    assert "Choose an organisation whose improvement plans you run" in response.get_data(
        as_text=True
    )
    assert session.scalars(select(ImprovementPlan)).all() == []


# ---- gathering actions -------------------------------------------------------------------------


def test_an_action_from_outside_the_plans_organisations_is_neither_offered_nor_added(
    session, sign_in, world
):
    plan = make_plan(world.practice, world.lead)
    # Southfields' response, its action owned by Riverside: the Riverside lead sees it, but it
    # belongs to another organisation's response.
    elsewhere = SafetyActionFactory(
        response=ResponseFactory(organisation=world.other_practice),
        owner_organisation_id=world.practice.id,
        description="Shared fridge checks",
    )
    own = SafetyActionFactory(
        response=ResponseFactory(organisation=world.practice), description="Protected checking time"
    )
    lead = sign_in(world.lead)

    page = lead.get(f"/improvement-plans/{plan.id}").get_data(as_text=True)
    assert "Protected checking time" in page and "Shared fridge checks" not in page
    response = lead.post(
        f"/improvement-plans/{plan.id}/actions",
        data={
            "actions-version": version_of(page, "actions"),
            "actions-action_ids": [str(own.id), str(elsewhere.id)],
        },
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in text and "Choose actions from responses at this plan" in text
    assert fresh(plan.id).actions == []


def test_a_pcn_panel_cannot_add_another_pcns_action_or_a_cancelled_one(session, sign_in, world):
    plan = make_plan(world.pcn, world.panel)
    southfields = SafetyActionFactory(response=ResponseFactory(organisation=world.other_practice))
    cancelled = SafetyActionFactory(
        response=ResponseFactory(organisation=world.practice),
        state="cancelled",
        description="A cancelled idea",
    )
    panel = sign_in(world.panel)
    page = panel.get(f"/improvement-plans/{plan.id}").get_data(as_text=True)
    assert "A cancelled idea" not in page
    for action in (southfields, cancelled):
        response = panel.post(
            f"/improvement-plans/{plan.id}/actions",
            data={"actions-version": version_of(page), "actions-action_ids": str(action.id)},
        )
        assert response.status_code == 400
    assert fresh(plan.id).actions == []


def test_the_candidates_can_be_filtered_by_response_reference(sign_in, world):
    plan = make_plan(world.practice, world.lead)
    first = SafetyActionFactory(
        response=ResponseFactory(organisation=world.practice, reference="LR-2026-000101"),
        description="First change",
    )
    SafetyActionFactory(
        response=ResponseFactory(organisation=world.practice, reference="LR-2026-000202"),
        description="Second change",
    )
    page = (
        sign_in(world.lead)
        .get(f"/improvement-plans/{plan.id}?reference=000101")
        .get_data(as_text=True)
    )
    assert "First change" in page and "Second change" not in page
    assert f'value="{first.id}"' in page and 'value="000101"' in page


def test_an_action_can_be_removed_and_the_removal_is_audited(session, sign_in, world):
    action = SafetyActionFactory(response=ResponseFactory(organisation=world.practice))
    plan = make_plan(world.practice, world.lead)
    plan.actions.append(action)
    db.session.commit()
    lead = sign_in(world.lead)
    page = lead.get(f"/improvement-plans/{plan.id}").get_data(as_text=True)
    response = lead.post(
        f"/improvement-plans/{plan.id}/actions/{action.id}/remove",
        data={"version": version_of(page)},
    )
    assert response.status_code == 302
    assert fresh(plan.id).actions == []
    assert audit_actions(plan.id) == ["improvement:remove_action"]
    # It was removed: a second removal finds nothing.
    page = lead.get(f"/improvement-plans/{plan.id}").get_data(as_text=True)
    assert (
        lead.post(
            f"/improvement-plans/{plan.id}/actions/{action.id}/remove",
            data={"version": version_of(page)},
        ).status_code
        == 404
    )


def test_a_stale_tab_is_refused_and_nothing_is_written(session, sign_in, world):
    action = SafetyActionFactory(response=ResponseFactory(organisation=world.practice))
    plan = make_plan(world.practice, world.lead)
    lead = sign_in(world.lead)
    page = lead.get(f"/improvement-plans/{plan.id}").get_data(as_text=True)
    stale = version_of(page, "actions")
    assert (
        lead.post(
            f"/improvement-plans/{plan.id}/items",
            data={
                "item-version": stale,
                "item-kind": "priority",
                "item-source": "delayed_referral",
            },
        ).status_code
        == 302
    )
    response = lead.post(
        f"/improvement-plans/{plan.id}/actions",
        data={"actions-version": stale, "actions-action_ids": str(action.id)},
    )
    assert response.status_code == 409
    assert "changed by someone else" in response.get_data(as_text=True)
    assert fresh(plan.id).actions == []


# ---- priorities and good care --------------------------------------------------------------------


def test_a_priority_from_the_local_focus_is_added_once(session, sign_in, world):
    plan = make_plan(world.practice, world.lead)
    lead = sign_in(world.lead)
    page = lead.get(f"/improvement-plans/{plan.id}").get_data(as_text=True)
    assert "High-risk medicines that reached the patient" in page
    assert "an after action review with the prescriber" in page  # why it is a priority
    response = lead.post(
        f"/improvement-plans/{plan.id}/items",
        data={
            "item-version": version_of(page, "item"),
            "item-kind": "priority",
            "item-source": "high_risk_medicines",
        },
    )
    assert response.status_code == 302
    item = session.scalars(select(PlanItem)).one()
    assert (item.kind, item.source_key, item.text) == (
        "priority",
        "high_risk_medicines",
        "High-risk medicines that reached the patient",
    )
    page = lead.get(f"/improvement-plans/{plan.id}").get_data(as_text=True)
    assert 'name="item-source" value="high_risk_medicines"' not in page  # no longer offered

    again = lead.post(
        f"/improvement-plans/{plan.id}/items",
        data={
            "item-version": version_of(page, "item"),
            "item-kind": "priority",
            "item-source": "high_risk_medicines",
        },
    )
    assert again.status_code == 400 and "That is already in the plan" in again.get_data(
        as_text=True
    )
    unknown = lead.post(
        f"/improvement-plans/{plan.id}/items",
        data={
            "item-version": version_of(page, "item"),
            "item-kind": "priority",
            "item-source": "made_up",
        },
    )
    assert unknown.status_code == 400 and "Choose one of the priorities" in unknown.get_data(
        as_text=True
    )
    assert audit_actions(plan.id) == ["improvement:add_item"]


def test_good_care_the_panel_may_read_is_added_and_links_to_the_library(
    session, sign_in, world, hillside
):
    plan = make_plan(world.pcn, world.panel)
    shared = good_care_entry(hillside, world.panel, audience_group_id=world.pcn.id)
    elsewhere = good_care_entry(
        world.other_practice,
        world.other_lead,
        title="South PCN only",
        audience_group_id=world.other_pcn.id,
    )
    panel = sign_in(world.panel)
    page = panel.get(f"/improvement-plans/{plan.id}").get_data(as_text=True)
    assert f'<a href="/library/{shared.id}">Pharmacist huddle caught a dose error</a>' in page
    assert "South PCN only" not in page

    response = panel.post(
        f"/improvement-plans/{plan.id}/items",
        data={
            "item-version": version_of(page, "item"),
            "item-kind": "good_care",
            "item-source": str(shared.id),
        },
    )
    assert response.status_code == 302
    item = session.scalars(select(PlanItem)).one()
    assert (item.kind, item.source_key, item.library_entry_id, item.text) == (
        "good_care",
        str(shared.id),
        shared.id,
        "Pharmacist huddle caught a dose error",
    )
    page = panel.get(f"/improvement-plans/{plan.id}").get_data(as_text=True)
    assert (
        page.split('id="good-care"')[1].count(f'href="/library/{shared.id}"') == 1
    )  # listed, no longer offered

    refused = panel.post(
        f"/improvement-plans/{plan.id}/items",
        data={
            "item-version": version_of(page, "item"),
            "item-kind": "good_care",
            "item-source": str(elsewhere.id),
        },
    )
    assert refused.status_code == 400
    assert "Choose good care from the learning library" in refused.get_data(as_text=True)
    assert len(fresh(plan.id).items) == 1


# ---- the measure over time -------------------------------------------------------------------------


def test_a_reading_in_the_future_or_not_a_number_is_refused_keeping_what_was_typed(
    session, sign_in, world
):
    plan = make_plan(world.practice, world.lead)
    lead = sign_in(world.lead)
    page = lead.get(f"/improvement-plans/{plan.id}").get_data(as_text=True)
    tomorrow = date.today() + timedelta(days=1)
    response = lead.post(
        f"/improvement-plans/{plan.id}/readings",
        data={
            "reading-version": version_of(page, "reading"),
            **date_fields("reading-measured_on", tomorrow),
            "reading-value": "about twelve",
            "reading-note": "First audit after the huddles",
        },
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in text
    assert "The date must be today or in the past" in text and "Enter the value as a number" in text
    assert 'value="about twelve"' in text and "First audit after the huddles" in text
    assert f'value="{tomorrow.year}"' in text
    assert session.scalars(select(MeasureReading)).all() == []


def test_a_reading_of_forty_digits_is_refused_as_a_slip_keeping_what_was_typed(
    session, sign_in, world
):
    plan = make_plan(world.practice, world.lead)
    lead = sign_in(world.lead)
    page = lead.get(f"/improvement-plans/{plan.id}").get_data(as_text=True)
    response = lead.post(
        f"/improvement-plans/{plan.id}/readings",
        data={
            "reading-version": version_of(page, "reading"),
            **date_fields("reading-measured_on", date.today()),
            "reading-value": "9" * 40,
        },
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Enter a value smaller than 1,000,000,000" in text and f'value="{"9" * 40}"' in text
    assert session.scalars(select(MeasureReading)).all() == []


def test_readings_are_shown_as_a_table_and_a_line_chart(session, sign_in, world):
    plan = make_plan(world.practice, world.lead)
    lead = sign_in(world.lead)
    for days, value in ((40, "12"), (10, "18.5")):
        page = lead.get(f"/improvement-plans/{plan.id}").get_data(as_text=True)
        response = lead.post(
            f"/improvement-plans/{plan.id}/readings",
            data={
                "reading-version": version_of(page, "reading"),
                **date_fields("reading-measured_on", date.today() - timedelta(days=days)),
                "reading-value": value,
            },
        )
        assert response.status_code == 302
    assert [r.value for r in fresh(plan.id).readings] == [12.0, 18.5]

    page = lead.get(f"/improvement-plans/{plan.id}").get_data(as_text=True)
    svg = re.search(r'<svg[^>]*id="measure-chart".*?</svg>', page, re.S).group(0)
    assert 'role="img"' in svg and '<title id="measure-chart-title">Readings of the measure' in svg
    assert "<polyline" in svg and ">18.5</text>" in svg
    assert "Readings of the measure, oldest first" in page and ">18.5</td>" in page
    assert audit_actions(plan.id) == ["improvement:add_reading", "improvement:add_reading"]


# ---- no N+1 on the list ----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["panel", "icb_quality", "lead"])
def test_the_list_costs_the_same_queries_for_two_plans_as_for_twenty(sign_in, world, who):
    client = sign_in(getattr(world, who))

    def make():
        actions = SafetyActionFactory.create_batch(
            2, response=ResponseFactory(organisation=world.practice)
        )
        plan = make_plan(world.pcn if who != "lead" else world.practice, world.panel)
        plan.actions.extend(actions)
        db.session.commit()

    for _ in range(2):
        make()
    few = queries_for(client, "/improvement-plans")
    for _ in range(18):
        make()
    assert queries_for(client, "/improvement-plans") == few


def test_an_executive_lead_reads_their_practices_plans(sign_in, world):
    executive = UserFactory(role=(Role.EXECUTIVE_LEAD, world.practice))
    plan = make_plan(world.practice, world.lead)
    client = sign_in(executive)
    assert client.get(f"/improvement-plans/{plan.id}").status_code == 200
    assert client.post(f"/improvement-plans/{plan.id}/readings", data={}).status_code == 403


def test_the_plan_page_costs_the_same_queries_for_two_actions_as_for_twelve(sign_in, world):
    plan = make_plan(world.pcn, world.panel)
    client = sign_in(world.panel)

    def gather(count):
        actions = [
            SafetyActionFactory(
                response=ResponseFactory(
                    organisation=PracticeFactory(icb=world.icb, groups=[world.pcn])
                )
            )
            for _ in range(count)
        ]
        merged = db.session.get(ImprovementPlan, plan.id)
        merged.actions.extend(actions)
        db.session.commit()

    gather(2)
    few = queries_for(client, f"/improvement-plans/{plan.id}")
    gather(10)
    assert queries_for(client, f"/improvement-plans/{plan.id}") == few
