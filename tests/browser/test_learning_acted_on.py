"""Issue 6's "done when", tried as new users would in Chromium: a PSII's findings become three owned,
measured actions across two organisations, and a closed review's learning is shared without identifiers."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from psirf.accounts.models import User
from psirf.actions.models import SafetyAction
from psirf.db import unit_of_work
from psirf.organisations.services import by_ods_code
from psirf.responses import services
from psirf.responses.models import ResponseMethod
from psirf.timeutil import utcnow
from psirf.workflow import runner
from tests.support.browser import add_agreed_action, fill_date
from tests.support.factories import ResponseFactory, SafetyEventFactory

pytestmark = pytest.mark.browser

TODAY = date.today()
TRUST_ACTION = "The hospital pharmacy confirms weekly methotrexate on every discharge letter"


def psii_in_analysis(live_db) -> int:
    """A PSII at Riverside whose terms are agreed and information gathered: the lead's analysis is next."""
    with live_db() as session:
        with unit_of_work(session):
            lead = session.scalar(select(User).where(User.email == "lead@demo-icb.example.org"))
            event = SafetyEventFactory(
                organisation=by_ods_code(session, "D81001"),
                status="learning_response",
                never_event=True,
            )
            psii = services.open_response(session, event, ResponseMethod.PSII, lead)
            psii.record = {
                "terms": {
                    "investigator": "Dr Ade Okafor",
                    "scope": "Weekly methotrexate prescribing",
                    "family_questions": "Why was the dose not checked at the pharmacy?",
                },
                "information": {
                    "records": "Prescribing and dispensing records",
                    "interviews": "Prescriber, pharmacist",
                },
            }
            runner.fire(session, psii, "agree_terms", lead, None)
            runner.fire(session, psii, "start_analysis", lead, None)
            return psii.id


def test_a_psiis_findings_become_three_owned_measured_actions_that_the_boards_follow(
    visitor, live_db
):
    psii = psii_in_analysis(live_db)
    url = f"/responses/{psii}"
    page = visitor.page
    visitor.sign_in("lead@demo-icb.example.org")
    visitor.goto(url)
    page.get_by_label("Area for improvement", exact=True).check()
    page.get_by_label("What did the review find?").fill(
        "The repeat template offered daily dosing first"
    )
    visitor.submit("Add the finding")
    page.get_by_label("Which finding did it contribute to?").select_option(index=1)
    page.get_by_label("Tools and technology").check()
    page.get_by_label("How did it contribute?").fill("No weekly default in the prescribing system")
    visitor.submit("Add the contributory factor")
    visitor.submit("Analysis done, write the draft")
    for label, answer in {
        "Summary": "A weekly medicine was prescribed daily.",
        "Background and context": "A busy day.",
        "What the investigation found": "The template offered daily dosing first.",
    }.items():
        page.get_by_label(label, exact=True).fill(answer)
    visitor.submit("Save draft report")

    # Two organisations own the three actions: Riverside (two) and the hospital trust (one).
    completed = add_agreed_action(
        visitor,
        url,
        description="Lock the methotrexate template to weekly dosing",
        owner="Lee Lead",
        owner_email="lead@demo-icb.example.org",
        due=TODAY + timedelta(days=30),
        strength="Stronger",
        measure="Weekly methotrexate issued with a daily dose: a monthly search, expected to be none.",
    )
    overdue = add_agreed_action(
        visitor,
        url,
        description=TRUST_ACTION,
        owner="Tara Trust",
        organisation="Demo Hospitals NHS Trust",
        owner_email="trust.lead@demo-icb.example.org",
        due=TODAY + timedelta(days=1),
        measure_kind="Outcome: is care safer for patients?",
        measure="Discharge letters for methotrexate without the weekly day, audited monthly.",
    )
    page.get_by_label("What will change?").fill("Remind prescribers that methotrexate is weekly")
    visitor.submit("Add the safety action")

    # The response cannot move on, nor close, while an action lacks an owner, a due date or a measure.
    visitor.submit("Share the draft with those affected", status=422)
    assert (
        "Safety action 3: name the owner and their organisation; give a due date; say how it will be measured."
        in visitor.text
    )
    visitor.follow("Remind prescribers that methotrexate is weekly")
    page.get_by_label("Who owns this action?").fill("Practice manager")
    fill_date(page, "When is it due?", TODAY + timedelta(days=21))
    page.get_by_label("Process: is the change being done as planned?", exact=True).check()
    page.get_by_label("What will you measure, and how will you read it?").fill(
        "Every prescriber signs the memo."
    )
    page.get_by_label("Weaker", exact=True).check()
    visitor.submit("Save the details")
    visitor.submit("Agree the action")
    visitor.goto(url)
    visitor.submit("Share the draft with those affected")
    assert "Draft shared with those affected" in visitor.text

    # One is completed, with its evidence.
    visitor.goto(completed)
    page.get_by_label("What shows the action is done?").fill(
        "The template was locked on the practice system."
    )
    visitor.submit("Save the evidence")
    visitor.submit("Mark as completed")
    assert "Completed, waiting to review whether it worked" in visitor.text
    visitor.sign_out()

    # Time passes: the trust's action is now a day past its due date.
    with live_db() as session:
        with unit_of_work(session):
            session.execute(
                update(SafetyAction)
                .where(SafetyAction.description == TRUST_ACTION)
                .values(due_on=TODAY - timedelta(days=1))
            )
        north = by_ods_code(session, "U00001").id

    for email, board in [
        ("trust.lead@demo-icb.example.org", "/actions/mine"),
        ("panel@demo-icb.example.org", f"/actions/organisations/{north}?status=overdue"),
        ("icb.quality@demo-icb.example.org", "/actions/icb"),
    ]:
        visitor.sign_in(email)
        visitor.goto(board)
        row = page.get_by_role("row").filter(has_text=TRUST_ACTION)
        assert "Overdue" in row.inner_text(), email
        visitor.sign_out()

    # The trust owns its action and works on it, but the practice's investigation stays the practice's.
    visitor.sign_in("trust.lead@demo-icb.example.org")
    visitor.goto(overdue)
    assert "Save the evidence" in page.content()
    visitor.goto(url, status=404)


def test_a_closed_reviews_summary_reaches_north_pcn_without_identifiers_and_the_icb_only_when_widened(
    visitor, live_db
):
    with live_db() as session:
        review = ResponseFactory(
            organisation=by_ods_code(session, "D81001"),
            state="closed",
            closed_at=utcnow(),
            record={"review": {"learning_summary": "Date of birth is checked at every request."}},
        ).id
    page = visitor.page
    visitor.sign_in("lead@demo-icb.example.org")
    visitor.goto(f"/responses/{review}")
    visitor.follow("Share in the learning library")
    page.get_by_label("Summary of the learning").fill(
        "Mrs Edith Blackwood, NHS number 943 476 5919, was given an antibiotic meant for another patient with the same "
        "surname. Date of birth is now on screen and checked aloud at every prescribing request."
    )
    page.get_by_label("Our PCN or federation: North PCN").check()
    visitor.submit("Continue: remove identifiers")
    summary = page.get_by_label("Summary of the learning").input_value()
    assert "943 476 5919" not in summary and "Blackwood" not in summary
    assert "[NHS number]" in summary and "[name]" in summary
    page.get_by_label("I have read the summary and it identifies nobody").check()
    visitor.submit("Publish to the learning library")
    entry = page.url
    assert "Blackwood" not in visitor.text and "943 476 5919" not in visitor.text
    visitor.sign_out()

    visitor.sign_in("lead2@demo-icb.example.org")  # Southfields, in South PCN
    visitor.goto(entry, status=404)
    visitor.goto("/library")
    assert "was given an antibiotic meant for another patient" not in visitor.text
    visitor.sign_out()

    visitor.sign_in("lead@demo-icb.example.org")
    visitor.goto(entry)
    visitor.submit("Also share with everyone in the ICB")
    visitor.sign_out()

    visitor.sign_in("lead2@demo-icb.example.org")
    visitor.goto(entry)
    assert "[NHS number]" in visitor.text
