"""The PDF report of each learning response method, read back with pypdf."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta

import pytest
from pypdf import PdfReader

from psirf.events.models import EventPatient
from psirf.learning.models import ContributoryFactor, Finding
from psirf.actions.models import SafetyAction
from psirf.responses.models import Contributor
from psirf.responses.reports import PSII_LAYOUT, TITLES, build_report, layout_for
from psirf.workflow import runner
from psirf.workflow.definitions import FieldDef, SectionDef
from tests.support.factories import COMPLETE_AAR_RECORD, ResponseFactory, SafetyEventFactory

DUE = date(2026, 12, 3)


def pages_of(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def flat(text: str) -> str:
    """pypdf's text with line wrapping undone, so a long answer can be found whole."""
    return " ".join(text.split())


def text_of(pdf: bytes) -> str:
    return flat("\n".join(pages_of(pdf)))


def report_of(response) -> bytes:
    return build_report(response, runner.definition_of(response))


def action(organisation, description="Protect checking time", owner="Practice manager", due_on=DUE):
    """A complete safety action, agreed and under way, owned by the response's own organisation."""
    return SafetyAction(
        organisation_id=organisation.id,
        owner_organisation_id=organisation.id,
        description=description,
        owner=owner,
        due_on=due_on,
        measure_kind="process",
        measure="Checks done in protected time, audited monthly",
        strength="intermediate",
        workflow_name="safety_action",
        workflow_version=1,
        state="in_progress",
    )


def finding(text, *factors):
    return Finding(
        text=text, factors=[ContributoryFactor(factor=f, description=d) for f, d in factors]
    )


def assert_in_order(text: str, parts: list[str]) -> None:
    at = 0
    for part in parts:
        found = text.find(part, at)
        assert found >= 0, f"{part!r} missing after position {at}"
        at = found + len(part)


# ---- each method --------------------------------------------------------------------------------


def test_an_after_action_review_summary_has_the_four_questions_answers_and_actions(session, world):
    record = {k: dict(v) for k, v in COMPLETE_AAR_RECORD.items()}
    aar = ResponseFactory(
        organisation=world.practice,
        state="panel_review",
        record=record,
        due_on=date(2026, 3, 3),
        safety_actions=[action(world.practice)],
        findings=[
            finding(
                "Checks were skipped when the clinic overran",
                ("tasks", "Checking competes with clinic time"),
            )
        ],
    )
    pdf = report_of(aar)
    text = text_of(pdf)

    assert_in_order(
        text,
        [
            "After action review summary",
            "Riverside",
            aar.reference,
            "Due",
            "3 March 2026",
            "Current step",
            "With the review panel",
        ],
    )
    assert_in_order(
        text,
        [
            "Review plan",
            "Is this a hot or a cold review?",
            "Hot: held soon after the event",
            "When will the review be held?",
            "20 November 2026",
            "The four questions",
            "What was expected to happen?",
            "The dose would be checked.",
            "What actually happened?",
            "It was not checked.",
            "Why was there a difference?",
            "The check was skipped at a busy time.",
            "What can be learned?",
            "Checks need protected time.",
        ],
    )
    assert_in_order(
        text, ["Finding 1: Checks were skipped", "Tasks", "Checking competes with clinic time"]
    )
    assert_in_order(
        text,
        [
            "Safety actions",
            "Action",
            "Owner",
            "Due date",
            "Measure",
            "Strength",
            "Status",
            "Protect checking time",
            "Practice manager, Riverside",
            "3 December 2026",
            "Process: Checks done in protected time",
            "Intermediate",
            "Agreed and under way",
        ],
    )
    assert "Page 1" in pages_of(pdf)[0]

    meta = PdfReader(io.BytesIO(pdf)).metadata
    assert meta.title == f"After action review summary {aar.reference}"
    assert meta.author == "Riverside"


def test_a_psii_report_follows_the_nhs_england_template(session, world):
    psii = ResponseFactory(
        organisation=world.practice,
        method="psii",
        state="sign_off",
        record={
            "terms": {
                "investigator": "Investigator A",
                "scope": "The repeat prescribing pathway",
                "family_questions": "Why was the dose not checked?",
                "staff_questions": None,
            },
            "information": {
                "records": "Clinical system audit",
                "interviews": "GP, pharmacist",
                "observation": None,
            },
            "draft": {
                "summary": "A dose error reached the patient.",
                "background": "A busy winter clinic.",
                "findings_narrative": "Checking depends on spare time.",
            },
            "sharing": {
                "shared_on": "2026-02-10",
                "shared_with": "The patient's daughter",
                "comments": "She asked for clearer letters.",
                "changes_made": None,
            },
            "final": {
                "involvement": "The family met the investigator twice.",
                "areas_for_improvement": "Protected checking time.",
                "appendices": "Timeline of the day",
            },
        },
        findings=[
            finding(
                "Alerts were overridden",
                ("tools", "The alert fires on every repeat"),
                ("organisation", "No protected time"),
            ),
            finding("Not yet analysed"),
        ],
        safety_actions=[action(world.practice, "Retune the dose alert", "Clinical system lead")],
    )
    text = text_of(report_of(psii))

    assert "Patient safety incident investigation report" in text
    headings = [p.heading for p in PSII_LAYOUT]
    assert headings[:7] == [
        "Summary",
        "Background and context",
        "Terms of reference",
        "How those affected were involved",
        "Findings",
        "Areas for improvement and safety actions",
        "Appendices",
    ]
    body = text[text.index("Current step") :]
    assert_in_order(
        body,
        [
            "Summary",
            "A dose error reached the patient.",
            "Background and context",
            "A busy winter clinic.",
            "Terms of reference",
            "Questions raised by the patient or family",
            "Why was the dose not checked?",
            "How those affected were involved",
            "The family met the investigator twice.",
            "Draft shared with those affected",
            "10 February 2026",
            "She asked for clearer letters.",
            "Findings",
            "Checking depends on spare time.",
            "Findings by SEIPS factor",
            "Tools and technology",
            "The alert fires on every repeat",
            "Organisation",
            "No protected time",
            "Findings not yet linked to a SEIPS factor",
            "Not yet analysed",
            "Areas for improvement and safety actions",
            "Protected checking time.",
            "Action",
            "Owner",
            "Due date",
            "Retune the dose alert",
            "Clinical system lead",
            "Appendices",
            "Timeline of the day",
        ],
    )
    # Every field the workflow declares is in the report, answered or not.
    definition = runner.definition_of(psii)
    for section in definition.sections.values():
        for field in section.fields:
            if field.label.lower() not in {p.heading.lower() for p in PSII_LAYOUT}:
                assert field.label in text, field.label


def test_a_psii_reports_terms_of_reference_quote_the_questions_those_affected_chose_to_share(
    session, world
):
    from tests.support.engagement import affected_person_with_question, words_of

    psii = ResponseFactory(organisation=world.practice, method="psii")
    person, question = affected_person_with_question(psii, relationship_to_patient="Daughter")
    question.in_report = True
    words_of(person, "Will the pharmacy be told?", occurred_on=date(2026, 3, 4))
    session.commit()
    text = text_of(report_of(psii))
    assert_in_order(
        text,
        [
            "Terms of reference",
            "Questions from those affected",
            "1. Why was the dose not checked? (A family member (daughter),",
            "One more question was asked in confidence",
            "How those affected were involved",
        ],
    )
    assert "Jo Bloggs" not in text  # the question, not who asked it
    assert "Will the pharmacy be told?" not in text  # not theirs to share, so not quoted


def test_a_thematic_review_report_shows_the_events_covered_and_the_selection(session, world):
    events = [SafetyEventFactory(organisation=world.practice) for _ in range(3)]
    review = ResponseFactory(
        organisation=world.pcn,
        method="thematic_review",
        record={
            "selection": {
                "occurred_from": "2026-01-01",
                "occurred_to": "2026-03-31",
                "theme": "medication",
                "record_type": None,
            },
            "scope": {"questions": "Why do repeat doses go wrong?", "lead": "Panel chair"},
        },
        reviewed_events=events,
    )
    text = text_of(report_of(review))

    assert_in_order(
        text,
        [
            "Thematic review report",
            "North PCN",
            "Events covered",
            "Events covered: 3",
            "Occurred from",
            "1 January 2026",
            "Occurred to",
            "31 March 2026",
            "Theme",
            "Medication (prescribing, dispensing, monitoring)",
            "Record type",
            "Any record type",
            "Scope and questions",
            "Why do repeat doses go wrong?",
        ],
    )


def test_a_thematic_review_of_earlier_responses_names_them(session, world):
    earlier = [ResponseFactory(organisation=world.practice) for _ in range(2)]
    review = ResponseFactory(
        organisation=world.pcn,
        method="thematic_review",
        record={
            "selection": {
                "occurred_from": "2026-01-01",
                "occurred_to": "2026-03-31",
                "cover": "responses",
            }
        },
        reviewed_responses=earlier,
    )
    text = text_of(report_of(review))
    assert f"Learning responses covered: 2 ({earlier[0].reference}, {earlier[1].reference})" in text


def test_a_cross_organisational_report_lists_contributions_and_agreement(session, world):
    response = ResponseFactory(
        organisation=world.practice,
        method="cross_organisational",
        state="sign_off",
        record={
            "terms": {"scope": "The delayed referral", "questions": "Where did the referral wait?"}
        },
        contributors=[
            Contributor(
                organisation_id=world.other_practice.id,
                contribution="Our inbox was not monitored.",
                agreed_at=datetime(2026, 4, 2, 10, 0),
            ),
            Contributor(organisation_id=world.icb.id),
        ],
    )
    text = text_of(report_of(response))

    assert_in_order(
        text,
        [
            "Cross-organisational learning response report",
            "Shared terms of reference",
            "Where did the referral wait?",
            "Contributing organisations",
            "Southfields",
            "Contribution",
            "Our inbox was not monitored.",
            "Agreement to sign-off",
            "Agreed on 2 April 2026",
            "Test ICB",
            "Not yet given",
            "Not yet agreed",
        ],
    )


def test_repeatable_sections_are_numbered_entries(session, world):
    mdt = ResponseFactory(
        organisation=world.practice,
        method="mdt_review",
        state="summarising",
        record={
            "meetings": [
                {
                    "held_on": "2026-01-05",
                    "attendees": "GP, district nurse",
                    "discussion": "The handover",
                },
                {
                    "held_on": "2026-01-19",
                    "attendees": "Trust pharmacist",
                    "discussion": "Discharge letters",
                },
            ]
        },
    )
    text = text_of(report_of(mdt))

    assert_in_order(
        text,
        [
            "MDT review summary",
            "Meetings",
            "Entry 1",
            "When was the meeting?",
            "5 January 2026",
            "The handover",
            "Entry 2",
            "19 January 2026",
            "Discharge letters",
        ],
    )


@pytest.mark.parametrize("method", sorted(TITLES))
def test_every_method_builds_a_report_with_every_declared_section(method, session, world):
    response = ResponseFactory(organisation=world.practice, method=method)
    text = text_of(report_of(response))

    assert TITLES[method] in text
    assert "Not yet recorded" in text
    definition = runner.definition_of(response)
    for section in definition.sections.values():
        # Under its own label, or (PSII) under a template heading that names it.
        assert section.label in text or all(
            f.label in text or f.label in [p.heading for p in PSII_LAYOUT] for f in section.fields
        ), section.label


def test_a_section_a_layout_leaves_out_still_appears(session, world):
    """A later workflow version's new section or field reaches the PSII report without code."""
    psii = ResponseFactory(organisation=world.practice, method="psii")
    definition = runner.definition_of(psii)
    extra = SectionDef(
        "debrief", "Staff debrief", (FieldDef("held", "When was the debrief?", "date"),)
    )
    widened = type(definition)(
        **{**definition.__dict__, "sections": {**definition.sections, "debrief": extra}}
    )
    parts = layout_for(psii, widened)

    assert parts[-1].heading == "Staff debrief"
    psii.record = {"debrief": {"held": "2026-05-01"}}
    assert_in_order(
        text_of(build_report(psii, widened)),
        ["Staff debrief", "When was the debrief?", "1 May 2026"],
    )


# ---- safety of the build ------------------------------------------------------------------------


def test_markup_in_what_people_wrote_is_printed_as_written(session, world):
    nasty = 'Dose <b>doubled</b> & "checked" > never <br/> <font name=x> <para> &amp;'
    aar = ResponseFactory(
        organisation=world.practice,
        state="in_review",
        record={
            "review": {
                "expected": nasty,
                "actual": "a < b",
                "difference": "x & y",
                "learned": "<unclosed",
            }
        },
        safety_actions=[action(world.practice, description=nasty, owner="<Owner & co>")],
        findings=[finding("<i>finding", ("person", "& person"))],
    )
    text = text_of(report_of(aar))

    assert flat(nasty) in text
    assert "a < b" in text and "x & y" in text and "<unclosed" in text
    assert "<Owner & co>" in text
    assert "Finding 1: <i>finding" in text and "& person" in text


def test_the_action_table_repeats_its_header_on_each_page(session, world):
    actions = [
        action(
            world.practice,
            f"Safety action number {n} " + "with a long description " * 4,
            f"Owner {n}",
        )
        for n in range(40)
    ]
    aar = ResponseFactory(organisation=world.practice, state="in_review", safety_actions=actions)
    pages = pages_of(report_of(aar))

    assert len(pages) >= 3
    table_pages = [p for p in pages if "Safety action number" in p]
    assert len(table_pages) >= 2
    for page in table_pages:
        assert "Action" in page and "Owner" in page and "Due date" in page
    assert [f"Page {n}" in page for n, page in enumerate(pages, start=1)] == [True] * len(pages)


def test_no_patient_or_reporter_identifiers_are_printed(session, world):
    event = SafetyEventFactory(
        organisation=world.practice,
        reporter_user_id=world.reporter.id,
        reporter_name="Robin Reporter",
        description="Mrs Example was given the wrong dose.",
        patients=[EventPatient(nhs_number="9434765919", age_band="70-79")],
    )
    aar = ResponseFactory(organisation=world.practice, events=[event], lead_id=world.lead.id)
    text = text_of(report_of(aar))

    assert event.reference in text
    for identifier in (
        "9434765919",
        "943 476 5919",
        "Robin Reporter",
        "Mrs Example",
        "Lee Lead",
        "70-79",
    ):
        assert identifier not in text


# ---- the route ----------------------------------------------------------------------------------


def test_a_pcn_panel_member_downloads_the_report(session, sign_in, world):
    aar = ResponseFactory(
        organisation=world.practice,
        ready_for_panel=True,
        state="panel_review",
    )
    got = sign_in(world.panel).get(f"/responses/{aar.id}/report.pdf")

    assert got.status_code == 200
    assert got.headers["Content-Type"] == "application/pdf"
    assert got.headers["Content-Disposition"] == f'inline; filename="{aar.reference}.pdf"'
    assert "no-store" in got.headers["Cache-Control"]
    text = text_of(got.data)
    assert (
        "After action review summary" in text and "Protected time for prescription checks." in text
    )


def test_a_lead_of_another_practice_gets_not_found(session, sign_in, world):
    aar = ResponseFactory(organisation=world.practice, ready_for_panel=True)

    assert sign_in(world.other_lead).get(f"/responses/{aar.id}/report.pdf").status_code == 404
    assert sign_in(world.other_lead).get("/responses/999999/report.pdf").status_code == 404


def test_the_response_page_links_to_the_report(session, sign_in, world):
    aar = ResponseFactory(organisation=world.practice)
    page = sign_in(world.lead).get(f"/responses/{aar.id}").get_data(as_text=True)

    assert f'href="/responses/{aar.id}/report.pdf"' in page
    assert "Download the report (PDF)" in page


def test_dates_near_today_are_formatted_without_leading_zeros(session, world):
    aar = ResponseFactory(organisation=world.practice, due_on=date.today() + timedelta(days=1))
    due = aar.due_on
    assert f"{due.day} {due:%B %Y}" in text_of(report_of(aar))
