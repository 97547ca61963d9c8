"""A plan's list of events that need no further response: generated from the default local focus,
edited by the panel, compared between versions, and the only place triage takes "no further
response" from once the plan is in force."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from psirf.audit import AuditRecord
from psirf.extensions import db
from psirf.plans import compare, services
from psirf.problems import InputError
from psirf.triage import services as triage
from tests.support.factories import SafetyEventFactory
from tests.support.pages import prefixed
from tests.support.plan_factories import PlanFactory

BOOKING = {
    "label": "Appointment booking errors without harm",
    "record_type": "incident",
    "theme": "access",
    "max_harm": "none",
    "handled_by": "The practice's appointments review",
}


def draft(world):
    return PlanFactory(organisation=world.pcn, created_by=world.panel)


def add(plan, user, **overrides):
    services.add_no_response_row(
        db.session, user, plan, **{**BOOKING, **overrides}, expected_version=plan.version_id
    )
    db.session.commit()


def test_a_generated_plan_starts_from_the_default_list(world):
    rows = draft(world).content["no_further_response"]
    assert [(r["key"], r["match"]["record_types"], r["handled_by"]) for r in rows] == [
        (
            "risks_on_register",
            ["risk"],
            "The service's risk register, reviewed at its governance meeting",
        )
    ]


def test_the_panel_adds_a_row_which_is_audited_and_triage_follows_once_the_plan_is_in_force(world):
    plan = draft(world)
    event = SafetyEventFactory(
        organisation=world.practice,
        theme="access",
        physical_harm="none",
        occurred_on=date.today() - timedelta(days=30),
    )
    assert triage.recommendation_for(db.session, event).method == "after_action_review"

    add(plan, world.panel)
    row = plan.content["no_further_response"][-1]
    assert row["key"] == "added_1" and row["match"] == {
        "theme": "access",
        "record_types": ["incident"],
        "min_harm": None,
        "max_harm": "none",
        "keywords": [],
    }
    record = db.session.scalars(
        select(AuditRecord).where(AuditRecord.action == "plan:edit:no_further_response")
    ).one()
    assert record.changes["no_further_response[added_1].label"]["after"] == BOOKING["label"]

    plan.state, plan.revision, plan.effective_from = "published", 1, date.today()
    db.session.commit()
    rec = triage.recommendation_for(db.session, event)
    assert rec.method == "no_further_response"
    assert rec.source.text == (
        f"North PCN's PSIRF plan, version {plan.number}.1: events that need no further response, "
        "row 2: Appointment booking errors without harm"
    )
    harmed = SafetyEventFactory(organisation=world.practice, theme="access", physical_harm="low")
    assert triage.recommendation_for(db.session, harmed).method == "after_action_review"


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"record_type": None, "theme": None}, "record_type"),
        ({"max_harm": "severe"}, "max_harm"),
        ({"handled_by": "  "}, "handled_by"),
        ({"label": ""}, "label"),
        ({"theme": "nonsense"}, "theme"),
    ],
)
def test_a_row_that_would_keep_too_much_or_say_too_little_is_refused(world, overrides, field):
    plan = draft(world)
    before = plan.content["no_further_response"]
    with pytest.raises(InputError) as refused:
        add(plan, world.panel, **overrides)
    assert refused.value.field == field
    db.session.rollback()
    assert db.session.get(type(plan), plan.id).content["no_further_response"] == before


def test_a_removed_row_leaves_the_list_and_the_comparison_says_so(world):
    plan = draft(world)
    before = plan.content
    services.remove_no_response_row(
        db.session, world.panel, plan, "risks_on_register", plan.version_id
    )
    db.session.commit()
    assert plan.content["no_further_response"] == []
    change = next(
        c
        for c in compare.compare(before, plan.content)
        if c.section == "Local focus: events that need no further response"
    )
    assert change.changed and change.removed == [
        "Risks to patient safety, where nothing has happened yet (Risk to patient safety; any "
        "theme; any harm short of severe): handled by The service's risk register, reviewed at "
        "its governance meeting"
    ]


def test_the_edit_page_keeps_what_was_typed_and_the_plan_page_lists_the_rows(
    session, sign_in, world
):
    plan = draft(world)
    panel = sign_in(world.panel)
    bad = panel.post(
        f"/plans/{plan.id}/no-further-response",
        data=prefixed("nfr", version=plan.version_id, **{**BOOKING, "handled_by": ""}),
    )
    page = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "Say what handles these events instead" in page
    assert f'value="{BOOKING["label"]}"' in page

    good = panel.post(
        f"/plans/{plan.id}/no-further-response",
        data=prefixed("nfr", version=plan.version_id, **BOOKING),
    )
    assert good.status_code == 302
    shown = panel.get(f"/plans/{plan.id}").get_data(as_text=True).replace("&#39;", "'")
    assert "Events that need no further response" in shown
    assert (
        "Patient safety incident (including near misses); Access to care and appointments; "
        "no harm only" in shown
    )
    assert "The practice's appointments review" in shown
