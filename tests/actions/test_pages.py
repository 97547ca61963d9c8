"""A safety action through its pages: drafted on the response, finished and agreed on its own page,
carried out by its owner, and reviewed; each form shown only in its state and to its people."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import select

from psirf.accounts.models import Role
from psirf.actions.models import STRENGTH_EXAMPLES, SafetyAction, Strength
from tests.support.factories import (
    OrganisationFactory,
    ResponseFactory,
    SafetyActionFactory,
    UserFactory,
)
from tests.support.pages import date_fields, prefixed, version_of

DUE = date.today() + timedelta(days=21)


def action_form(page, **fields):
    return {
        **prefixed("action", version=version_of(page), **fields),
        **date_fields("action-due_on", DUE),
    }


def details_form(page, **fields):
    return {
        **prefixed("details", version=version_of(page), **fields),
        **date_fields("details-due_on", DUE),
    }


def problems_of(text):
    return [
        re.sub(r"\s+", " ", p).strip() for p in re.findall(r"<li>\s*(?:<a[^>]*>)?([^<]*)", text)
    ]


# ---- on the response page -------------------------------------------------------------------------


def test_the_lead_drafts_a_whole_action_on_the_response_page(session, sign_in, world):
    aar = ResponseFactory(organisation=world.practice, state="in_review")
    lead = sign_in(world.lead)
    page = lead.get(f"/responses/{aar.id}").get_data(as_text=True)
    for text in (
        "What will change?",
        "Which organisation owns it?",
        "If they have an account, their email address",
        "What will you measure, and how will you read it?",
        "When will you review whether it worked?",
    ):
        assert text in page
    for examples in STRENGTH_EXAMPLES.values():  # the guidance beside each strength
        assert examples in page
    posted = lead.post(
        f"/responses/{aar.id}/safety-actions",
        data={
            **action_form(
                page,
                description="Default the template to weekly",
                owner_organisation_id=str(world.practice.id),
                owner="",
                owner_email=world.reporter.email,
                measure_kind="process",
                measure="Weekly issues, audited",
                strength="stronger",
            ),
            **date_fields("action-review_on", DUE + timedelta(days=60)),
        },
    )
    assert posted.status_code == 302 and posted.headers["Location"].endswith(
        f"/responses/{aar.id}#action"
    )
    [action] = session.scalars(select(SafetyAction)).all()
    assert (action.state, action.owner_user_id, action.owner, action.due_on) == (
        "draft",
        world.reporter.id,
        "Robin Reporter",
        DUE,
    )
    assert action.review_on == DUE + timedelta(days=60) and action.strength == "stronger"

    page = lead.get(f"/responses/{aar.id}").get_data(as_text=True)
    table = page[page.index('<h2 id="action">') :]
    assert f'href="/actions/{action.id}"' in table and "Default the template to weekly" in table
    assert (
        "Robin Reporter" in table
        and "Riverside" in table
        and "Being written" in table
        and "Stronger" in table
    )
    assert "Due in 21 days" in table


def test_a_refused_action_keeps_what_was_typed_and_writes_nothing(session, sign_in, world):
    aar = ResponseFactory(organisation=world.practice, state="in_review")
    lead = sign_in(world.lead)
    page = lead.get(f"/responses/{aar.id}").get_data(as_text=True)
    response = lead.post(
        f"/responses/{aar.id}/safety-actions",
        data=action_form(
            page,
            description="Default the template to weekly",
            owner_organisation_id=str(world.practice.id),
            owner_email=world.other_lead.email,
            measure_kind="outcome",
            measure="Dose errors each quarter",
            strength="weaker",
        ),
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert (
        "There is a problem" in text
        and "No account with that email address works at the owner" in text
    )
    assert "Default the template to weekly" in text and "Dose errors each quarter" in text
    assert f'value="{world.other_lead.email}"' in text and f'value="{DUE.day}"' in text
    assert re.search(r'value="outcome"\s+checked', text) and re.search(
        r'value="weaker"\s+checked', text
    )
    assert re.search(rf'value="{world.practice.id}"\s+checked', text)
    assert session.scalars(select(SafetyAction)).all() == []


def test_findings_are_recorded_and_shown_by_kind(session, sign_in, world):
    aar = ResponseFactory(organisation=world.practice, state="in_review")
    lead = sign_in(world.lead)
    for kind, text in (
        ("area_for_improvement", "Templates allow daily dosing"),
        ("went_well", "The pharmacist called at once"),
        ("finding", "The clinic overran"),
    ):
        page = lead.get(f"/responses/{aar.id}").get_data(as_text=True)
        assert (
            lead.post(
                f"/responses/{aar.id}/findings",
                data=prefixed("finding", version=version_of(page), kind=kind, text=text),
            ).status_code
            == 302
        )
    page = lead.get(f"/responses/{aar.id}").get_data(as_text=True)
    section = page[page.index('<h2 id="finding">') :]
    assert section.index("Findings</h3>") < section.index("Finding 1: The clinic overran")
    assert section.index("Areas for improvement</h3>") < section.index(
        "Area for improvement 1: Templates allow daily dosing"
    )
    assert section.index("What went well</h3>") < section.index(
        "What went well 1: The pharmacist called at once"
    )
    # The area for improvement is offered to the action, the others are not.
    action_section = page[page.index('<h2 id="action">') : page.index("Add the safety action")]
    assert (
        "Templates allow daily dosing" in action_section
        and "The pharmacist called at once" not in action_section
    )

    missing = lead.post(
        f"/responses/{aar.id}/findings",
        data=prefixed("finding", version=version_of(page), text="No kind"),
    )
    assert missing.status_code == 400 and "Choose what kind of finding this is" in missing.get_data(
        as_text=True
    )


def test_the_response_page_warns_when_every_action_is_a_weaker_one(sign_in, world):
    aar = ResponseFactory(organisation=world.practice, state="in_review")
    SafetyActionFactory(response=aar, strength="weaker", description="Remind staff to check doses")
    SafetyActionFactory(
        response=aar, strength="stronger", state="cancelled", description="Lock the template"
    )
    lead = sign_in(world.lead)
    page = lead.get(f"/responses/{aar.id}").get_data(as_text=True)
    assert "All these actions are weaker ones" in page and "memory and vigilance" in page
    SafetyActionFactory(response=aar, strength="intermediate", description="A checklist at issue")
    assert "All these actions are weaker ones" not in lead.get(f"/responses/{aar.id}").get_data(
        as_text=True
    )


# ---- on the action's own page ---------------------------------------------------------------------


def test_the_lead_finishes_and_agrees_a_draft_on_its_page_and_the_panel_only_reads_it(
    session, sign_in, world
):
    aar = ResponseFactory(organisation=world.practice, state="in_review")
    action = SafetyActionFactory(
        response=aar,
        state="draft",
        owner=None,
        owner_organisation_id=None,
        due_on=None,
        measure=None,
        measure_kind=None,
        strength=None,
    )
    lead = sign_in(world.lead)
    url = f"/actions/{action.id}"
    page = lead.get(url).get_data(as_text=True)
    assert "Being written" in page and "Save the details" in page and "Agree the action" in page
    assert "Save the evidence" not in page and "Save whether it worked" not in page

    refused = lead.post(f"{url}/transitions/agree", data={"version": version_of(page)})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "This step needs more information first." in text
    assert "To agree this action, give a due date." in problems_of(text)

    saved = lead.post(
        f"{url}/details",
        data=details_form(
            page,
            description="Protect checking time",
            owner_organisation_id=str(world.practice.id),
            owner="Practice manager",
            measure_kind="process",
            measure="Checks done in the slot",
            strength=Strength.INTERMEDIATE.value,
            finding_id="",
        ),
    )
    assert saved.status_code == 302
    page = lead.get(url).get_data(as_text=True)
    assert "Your changes have been saved." in page
    history = page[page.index('<h2 id="history">') :]
    assert (
        "Details changed" in history
        and "Owner&#39;s organisation: (none)" in history
        and "Riverside" in history
    )
    assert (
        lead.post(f"{url}/transitions/agree", data={"version": version_of(page)}).status_code == 302
    )
    session.expire_all()
    assert session.get(SafetyAction, action.id).state == "in_progress"

    panel_page = sign_in(world.panel).get(url)
    assert panel_page.status_code == 200
    assert f'action="{url}/' not in panel_page.get_data(
        as_text=True
    )  # no form of the action's for the panel


def test_the_owner_records_evidence_completes_and_reviews_whether_it_worked(
    session, sign_in, world
):
    owner = UserFactory(name="Max Manager", role=(Role.REPORTER, world.practice))
    action = SafetyActionFactory(
        response=ResponseFactory(organisation=world.practice, state="closed"),
        owner_user_id=owner.id,
    )
    client = sign_in(owner)
    url = f"/actions/{action.id}"
    page = client.get(url).get_data(as_text=True)
    assert (
        "Save the evidence" in page
        and "Mark as completed" in page
        and "Agree the action" not in page
    )
    assert (
        f'href="/responses/{action.response_id}"' not in page
    )  # the owner does not see the response itself

    empty = client.post(
        f"{url}/evidence", data=prefixed("evidence", version=version_of(page), evidence="")
    )
    assert empty.status_code == 400 and "Describe the evidence" in empty.get_data(as_text=True)
    client.post(
        f"{url}/evidence",
        data=prefixed("evidence", version=version_of(page), evidence="New template live"),
    )
    page = client.get(url).get_data(as_text=True)
    assert (
        client.post(f"{url}/transitions/complete", data={"version": version_of(page)}).status_code
        == 302
    )

    page = client.get(url).get_data(as_text=True)
    assert (
        "Save whether it worked" in page
        and "Record the review and close" in page
        and "Reopen: it is not done yet" in page
    )
    client.post(
        f"{url}/effect",
        data=prefixed(
            "effect",
            version=version_of(page),
            effect="worked",
            effect_notes="Weekly issues rose to 98%",
        ),
    )
    page = client.get(url).get_data(as_text=True)
    assert (
        client.post(f"{url}/transitions/review", data={"version": version_of(page)}).status_code
        == 302
    )
    page = client.get(url).get_data(as_text=True)
    assert "Reviewed" in page and "It worked: Weekly issues rose to 98%" in page
    history = page[page.index('<h2 id="history">') :]
    assert (
        "Evidence of completion recorded" in history
        and "Mark as completed" in history
        and "by Max Manager" in history
    )


def test_the_lead_organisation_sees_the_response_link_and_a_partner_owner_does_not(sign_in, world):
    trust = OrganisationFactory(icb=world.icb, name="County Hospital")
    trust_lead = UserFactory(role=(Role.PATIENT_SAFETY_LEAD, trust))
    action = SafetyActionFactory(
        response=ResponseFactory(organisation=world.practice), owner_organisation_id=trust.id
    )
    link = f'href="/responses/{action.response_id}"'
    assert link in sign_in(world.lead).get(f"/actions/{action.id}").get_data(as_text=True)
    page = sign_in(trust_lead).get(f"/actions/{action.id}").get_data(as_text=True)
    assert link not in page and action.response.reference in page and "County Hospital" in page


def test_cancelling_on_the_page_needs_a_comment(session, sign_in, world):
    action = SafetyActionFactory(response=ResponseFactory(organisation=world.practice))
    lead = sign_in(world.lead)
    page = lead.get(f"/actions/{action.id}").get_data(as_text=True)
    assert 'for="comment-cancel"' in page
    refused = lead.post(
        f"/actions/{action.id}/transitions/cancel",
        data={"version": version_of(page), "comment": ""},
    )
    assert refused.status_code == 422 and "Write a comment" in refused.get_data(as_text=True)
    done = lead.post(
        f"/actions/{action.id}/transitions/cancel",
        data={"version": version_of(page), "comment": "Superseded"},
    )
    assert done.status_code == 302
    session.expire_all()
    assert session.get(SafetyAction, action.id).state == "cancelled"


def test_a_stale_tab_is_refused_with_409_and_nothing_is_written(session, sign_in, world):
    action = SafetyActionFactory(response=ResponseFactory(organisation=world.practice))
    lead = sign_in(world.lead)
    stale = version_of(lead.get(f"/actions/{action.id}").get_data(as_text=True))
    lead.post(
        f"/actions/{action.id}/evidence", data=prefixed("evidence", version=stale, evidence="First")
    )
    again = lead.post(
        f"/actions/{action.id}/evidence",
        data=prefixed("evidence", version=stale, evidence="Second"),
    )
    assert again.status_code == 409 and "changed by someone else" in again.get_data(as_text=True)
    refused = lead.post(
        f"/actions/{action.id}/transitions/cancel", data={"version": stale, "comment": "Stale"}
    )
    assert refused.status_code == 409
    session.expire_all()
    action = session.get(SafetyAction, action.id)
    assert (action.evidence, action.state) == ("First", "in_progress")


def test_another_organisation_gets_404_and_a_lesser_role_403(sign_in, world):
    action = SafetyActionFactory(
        response=ResponseFactory(organisation=world.practice), state="draft"
    )
    for outsider in (
        world.other_lead,
        world.other_panel,
        world.outsider_icb_quality,
        world.reporter,
        world.admin,
    ):
        client = sign_in(outsider)
        assert client.get(f"/actions/{action.id}").status_code == 404
        assert client.post(f"/actions/{action.id}/details", data={}).status_code == 404
    panel = sign_in(world.panel)
    assert panel.get(f"/actions/{action.id}").status_code == 200
    assert panel.post(f"/actions/{action.id}/details", data={}).status_code == 403
    assert panel.post(f"/actions/{action.id}/transitions/agree", data={}).status_code == 403
    assert (
        sign_in(world.icb_quality).post(f"/actions/{action.id}/evidence", data={}).status_code
        == 403
    )
    assert sign_in(world.lead).get("/actions/999999").status_code == 404
