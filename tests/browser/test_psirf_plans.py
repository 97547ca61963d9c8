"""Issue 7's done-when, as a new user would try it: North PCN's panel generates its PSIRF plan from
its own records, edits and submits it; the ICB quality committee asks for changes, then approves
it; once published, its PDF holds every section of the template and triage at a North PCN practice
follows its local focus. Every page is checked with axe-core."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from psirf.organisations.services import by_ods_code
from psirf.plans.models import PsirfPlan
from tests.support.factories import SafetyEventFactory

pytestmark = pytest.mark.browser

HIGH_RISK = "High-risk medicines that reached the patient"
SECTIONS = (
    "Document control",
    "Introduction",
    "Our services",
    "Defining our patient safety incident profile",
    "National requirements",
    "Local focus",
    "Capacity",
    "Engagement",
    "Glossary",
)


def fill_date(page, legend: str, d: date) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(d.day))
    group.get_by_label("Month").fill(str(d.month))
    group.get_by_label("Year").fill(str(d.year))


def _north_pcn_year(session) -> int:
    """A few months of North PCN events, medication the most recorded and diagnosis the most harmful;
    and one event waiting for triage at Riverside that a high-risk medicines priority matches."""
    riverside, hillview = by_ods_code(session, "D81001"), by_ods_code(session, "D81002")
    month = date.today().replace(day=1)
    for back in range(1, 7):
        occurred = (month - timedelta(days=28 * back)).replace(day=9)
        SafetyEventFactory(
            organisation=riverside,
            theme="medication",
            physical_harm="low",
            occurred_on=occurred,
            description="Warfarin issued at the old dose after discharge.",
            status="learning_response",
        )
        SafetyEventFactory(
            organisation=hillview,
            theme="medication",
            physical_harm="none",
            occurred_on=occurred,
            status="no_further_response",
        )
        if back <= 3:
            SafetyEventFactory(
                organisation=hillview,
                theme="diagnosis",
                physical_harm="moderate",
                occurred_on=occurred,
                description="A cancer diagnosis was delayed.",
                status="learning_response",
            )
    waiting = SafetyEventFactory(
        organisation=riverside,
        theme="medication",
        physical_harm="low",
        occurred_on=date.today(),
        description="Patient given warfarin at the wrong strength.",
        status="awaiting_triage",
    )
    return waiting.id


def test_a_pcns_plan_from_its_insight_through_the_icb_to_triage(visitors, live_db):
    with live_db() as session:
        waiting_id = _north_pcn_year(session)
    panel, committee = (
        visitors("panel@demo-icb.example.org"),
        visitors("icb.quality@demo-icb.example.org"),
    )
    try:
        # The panel generates the draft from North PCN's own records.
        page = panel.page
        panel.goto("/plans")
        panel.follow("Generate a new plan")
        panel.submit("Generate the draft plan", status=400)
        assert "Enter the date the plan should start" in panel.text
        fill_date(page, "When should the plan start?", date.today())
        panel.submit("Generate the draft plan")
        # Other browser tests add events too: the figures are checked by number in tests/plans.
        assert re.search(
            r"One of the two most recorded themes[^.]*\. \d+ events in the last 12 months",
            panel.text,
        )
        assert (
            "Delayed or missed diagnosis with moderate or worse harm" in panel.text
            and HIGH_RISK in panel.text
        )
        plan_path = page.url.removeprefix(panel.base_url)
        panel.follow("Read the whole plan")
        assert "This is a draft" in panel.text and "National requirements" in panel.text
        panel.follow("Back to the plan's status and steps")

        # They edit it: a planned response changed, who was involved, document control, a source.
        panel.follow("Edit the plan's sections")
        card = page.locator(".nhsuk-card").filter(has_text=HIGH_RISK)
        card.get_by_label("Planned response").select_option(label="Multidisciplinary team review")
        panel.submit(f"Save this priority ({HIGH_RISK})")
        page.get_by_label("Who was involved in drawing up the plan?").fill(
            "The practices' patient safety leads"
        )
        page.get_by_label("Which patient safety partners helped?").fill(
            "Sam Partner and Jo Partner"
        )
        panel.submit("Save who was involved")
        page.get_by_label("Who receives the plan?").fill(
            "North PCN review panel\nThe ICB quality committee\nPractice managers"
        )
        panel.submit("Save document control")
        page.get_by_label("Used to draw up the profile: Complaints").check()
        panel.submit("Save the insight sources")
        panel.follow("Back to the plan")
        panel.submit("Submit the plan to the ICB")
        assert "Submitted to the ICB" in panel.text

        # The committee asks for changes; the panel resubmits; the committee approves.
        committee.goto("/plans")
        committee.follow("North PCN")
        committee.submit("Start the committee's review")
        committee.submit("Request changes", status=422)
        assert "Write a comment saying what needs to change." in committee.text
        committee.page.get_by_label("What needs to change").fill(
            "Say how the community pharmacies took part."
        )
        committee.submit("Request changes")

        panel.goto(plan_path)
        assert "Say how the community pharmacies took part." in panel.text
        panel.follow("Edit the plan's sections")
        page.get_by_label("Who was involved in drawing up the plan?").fill(
            "The practices' patient safety leads, and North Street Pharmacy's pharmacist at two workshops"
        )
        panel.submit("Save who was involved")
        panel.follow("Back to the plan")
        panel.submit("Resubmit the plan to the ICB")

        committee.goto(plan_path)
        committee.follow("What has changed since version 1.1")
        assert "North Street Pharmacy" in committee.text
        committee.follow("Back to the plan")
        committee.submit("Start the committee's review")
        fill_date(committee.page, "Date of the committee's decision", date.today())
        committee.page.get_by_label("Minute reference").fill("QC/2026/114")
        committee.submit("Record the decision")
        committee.submit("Record the committee's approval")
        assert "Approved, waiting to be published" in committee.text

        # The panel publishes it: in force, with a public link and a PDF fit for the committee.
        panel.goto(plan_path)
        panel.submit("Publish the plan: it comes into force")
        assert "Published and in force" in panel.text
        pdf = page.request.get(
            panel.base_url
            + page.get_by_role("link", name="Download the plan as a PDF").get_attribute("href")
        )
        pdf_text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages)
        for heading in SECTIONS:
            assert heading in pdf_text, heading
        assert "DRAFT" not in pdf_text and "QC/2026/114" in pdf_text
        # Document control, on the first page, names who did what from what they did.
        first_page = " ".join(PdfReader(io.BytesIO(pdf.body())).pages[0].extract_text().split())
        assert "Document control" in first_page and "Practice managers" in pdf_text
        assert "Pat Panel" in first_page and "Quinn Quality" in first_page
        committee.goto(page.locator("a[href*='/public/plans/']").first.get_attribute("href"))
        assert "Local focus" in committee.text

        # A member practice's lead reads the plan and cannot decide on it; triage there follows it.
        lead = visitors("lead@demo-icb.example.org")
        lead.goto(plan_path)
        assert lead.page.get_by_role("button").filter(has_text="approval").count() == 0
        lead.goto(f"/triage/events/{waiting_id}")
        assert re.search(
            rf"From: North PCN's PSIRF plan, version \d+\.2: local priorities, row \d+: {HIGH_RISK}",
            lead.text,
        )
        assert "Recommended: Multidisciplinary team review" in lead.text
    finally:
        with live_db() as session:  # later browser tests expect the default local focus
            for plan in session.scalars(select(PsirfPlan)):
                plan.state = "superseded"
            session.commit()
