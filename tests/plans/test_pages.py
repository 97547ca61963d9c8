"""The plan's pages: generating, editing with errors kept, the committee's decision, the public link."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from psirf.plans.models import PsirfPlan
from tests.support.plan_factories import PlanFactory
from tests.support.pages import date_fields, prefixed
from tests.support.pages import shows_one_error_summary


def test_the_panel_generates_a_plan_and_a_missing_date_is_asked_for_again(session, sign_in, world):
    panel = sign_in(world.panel)
    assert "Generate a new plan" in panel.get("/plans").get_data(as_text=True)
    refused = panel.post(
        "/plans/new",
        data={"group_id": str(world.pcn.id), "period_months": "18", "lookback_months": "24"},
    )
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "Enter the date the plan should start" in page
    assert shows_one_error_summary(page)
    assert 'value="18" checked' in page and 'value="24" checked' in page  # what was chosen is kept

    done = panel.post(
        "/plans/new",
        data={
            "group_id": str(world.pcn.id),
            "period_months": "18",
            "lookback_months": "24",
            **date_fields("starts_on", date.today()),
        },
    )
    plan = session.scalars(select(PsirfPlan)).one()
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/plans/{plan.id}")
    assert (plan.period_months, plan.lookback_months, plan.state) == (18, 24, "draft")
    assert "Submit the plan to the ICB" in panel.get(f"/plans/{plan.id}").get_data(as_text=True)
    shown = panel.get(f"/plans/{plan.id}/document").get_data(as_text=True)
    for heading in (
        "Introduction",
        "Our services",
        "Defining our patient safety incident profile",
        "National requirements",
        "Local focus",
        "Capacity",
        "Engagement",
        "Glossary",
        "Document control",
        "This is a draft",
    ):
        assert heading in shown, heading


def test_an_edit_that_fails_keeps_what_was_typed_and_a_good_one_is_saved(session, sign_in, world):
    plan = PlanFactory(organisation=world.pcn, created_by=world.panel)
    panel = sign_in(world.panel)
    key = plan.content["local_focus"][0]["key"]
    bad = panel.post(
        f"/plans/{plan.id}/priorities/{key}",
        data=prefixed(
            f"p-{key}",
            version=plan.version_id,
            label="Repeat prescribing after discharge",
            method="mdt_review",
            improvement_route="",
        ),
    )
    page = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "There is a problem" in page
    assert (
        "Say what the anticipated improvement route is" in page
        and 'value="Repeat prescribing after discharge"' in page
    )

    good = panel.post(
        f"/plans/{plan.id}/priorities/{key}",
        data=prefixed(
            f"p-{key}",
            version=plan.version_id,
            label="Repeat prescribing after discharge",
            method="mdt_review",
            improvement_route="A PCN improvement plan for discharge letters",
        ),
    )
    assert good.status_code == 302
    session.refresh(plan)
    assert plan.content["local_focus"][0]["label"] == "Repeat prescribing after discharge"
    stale = panel.post(
        f"/plans/{plan.id}/sections/introduction",
        data=prefixed("introduction", version=1, text="New"),
    )
    assert stale.status_code == 409 and "changed by someone else" in stale.get_data(as_text=True)


def test_the_committee_records_its_decision_and_the_published_plan_is_public(
    session, sign_in, world, app
):
    plan = PlanFactory(
        organisation=world.pcn,
        created_by=world.panel,
        state="under_review",
        revision=1,
        starts_on=date.today(),
    )
    committee = sign_in(world.icb_quality)
    missing = committee.post(
        f"/plans/{plan.id}/decision",
        data={"decision-version": plan.version_id, "decision-minute_reference": "QC/26/9"},
    )
    page = missing.get_data(as_text=True)
    assert (
        missing.status_code == 400
        and "Enter the date of the committee" in page
        and 'value="QC/26/9"' in page
    )
    assert (
        committee.post(
            f"/plans/{plan.id}/decision",
            data={
                "decision-version": plan.version_id,
                "decision-minute_reference": "QC/26/9",
                **date_fields("decision-decided_on", date.today()),
            },
        ).status_code
        == 302
    )
    session.refresh(plan)
    assert (
        committee.post(
            f"/plans/{plan.id}/transitions/approve", data={"version": plan.version_id}
        ).status_code
        == 302
    )

    assert (
        sign_in(world.lead)
        .post(f"/plans/{plan.id}/transitions/publish", data={"version": plan.version_id + 1})
        .status_code
        == 403
    )
    assert (
        sign_in(world.panel)
        .post(f"/plans/{plan.id}/transitions/publish", data={"version": plan.version_id + 1})
        .status_code
        == 302
    )
    session.refresh(plan)
    anyone = app.test_client()
    public = anyone.get(f"/public/plans/{plan.public_token}").get_data(as_text=True)
    assert "Local focus" in public and "This is a draft" not in public
    assert "Lee Lead" not in public and "Lee Lead" in sign_in(world.panel).get(
        f"/plans/{plan.id}/document"
    ).get_data(as_text=True)
    pdf = anyone.get(f"/public/plans/{plan.public_token}/plan.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert anyone.get("/public/plans/not-a-real-token").status_code == 404
