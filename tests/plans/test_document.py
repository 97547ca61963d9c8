"""The plan as a document: the presentation model both the page and the PDF read, and the page's partial."""

from __future__ import annotations

import copy
import re
from datetime import date

from flask import render_template

from psirf.plans.document import DRAFT_STATES, document, month_labels
from psirf.timeutil import add_months
from psirf.workflow import definitions
from tests.support.plans import generated_plan

HEADINGS = [
    "Document control",
    "1. Introduction",
    "2. Our services",
    "3. Defining our patient safety incident profile",
    "4. National requirements",
    "5. Local focus",
    "6. Capacity",
    "7. Engagement commitments",
    "8. Glossary and acronyms",
]


def test_the_document_follows_the_template_with_the_profile_and_marks_drafts(world):
    plan = generated_plan(world)
    doc = document(plan)

    assert [s.heading for s in doc.sections] == HEADINGS
    assert (
        doc.draft
        and doc.version == "1.0"
        and doc.title == "North PCN patient safety incident response plan"
    )
    profile = doc.section("profile")
    tables = {b.caption: b for b in profile.blocks if b.kind == "table"}
    by_theme = tables["Events by theme, largest first"]
    assert by_theme.rows[0][:2] == ("Medication (prescribing, dispensing, monitoring)", "5")
    # The one record of good care is left out of every event figure, and the profile says so.
    assert sum(int(row[1]) for row in tables["Events by the month they occurred"].rows) == 10
    assert [row[0] for row in tables["Events by record type"].rows] == [
        "Patient safety incident (including near misses)",
        "Poor patient outcome",
        "Risk to patient safety",
    ]
    intro = profile.blocks[0].paragraphs[0]
    assert "10 events, 3 of them with moderate or worse harm." in intro
    assert "The figures exclude 1 record of good care; good care is shown on its own" in intro
    assert [c.shape for c in profile.blocks if c.kind == "chart"] == ["line", "bars"]
    assert tables["Learning responses started in the look-back, by method"].rows[0][:3] == (
        "After action review",
        "1",
        "1",
    )
    focus = next(b for b in doc.section("local-focus").blocks if b.kind == "table")
    assert {row[0] for row in focus.rows} == {r["label"] for r in plan.content["local_focus"]}
    assert all(r["figures"] in row[3] for r, row in zip(plan.content["local_focus"], focus.rows))

    # Only the states before the committee's approval are drafts.
    for state in definitions.get("plan_approval").states:
        plan.state = state
        assert document(plan).draft == (state in DRAFT_STATES), state
    assert not document(plan).draft  # superseded, the last state

    # The capacity warning appears when the trained leads have no time for what the plan implies.
    assert not any(b.kind == "warning" for b in doc.section("capacity").blocks)
    content = copy.deepcopy(plan.content)
    content["capacity"] = {
        "leads": [{"name": "Dee Lead", "role": "", "trained": True, "hours_per_month": 0}]
    }
    plan.content = content
    warnings = [b for b in document(plan).section("capacity").blocks if b.kind == "warning"]
    assert warnings and "more time than its trained leads have" in warnings[0].heading


def test_a_profile_frozen_before_good_care_was_left_out_claims_no_exclusion(world):
    plan = generated_plan(world)
    profile = copy.deepcopy(plan.profile)
    del profile["events"]["good_care_left_out"]  # its figures counted good care in
    plan.profile = profile

    intro = document(plan).section("profile").blocks[0].paragraphs[0]

    assert "good care" not in intro and "10 events" in intro


def test_the_partial_renders_every_section_with_its_charts_and_tables(world, app):
    plan = generated_plan(world)
    with app.test_request_context():
        html = render_template("plans/_document.html", doc=document(plan))

    for heading in HEADINGS:
        assert f">{heading}</h2>" in html
    assert html.count('role="img"') == 2 and html.count("<desc") == 2
    assert "Draft" in html and "nhsuk-warning-callout" not in html
    for row in plan.content["local_focus"]:
        assert row["label"] in html
    assert "nhsuk-summary-list" in html and "Author: drafted the plan" in html
    assert world.panel.name in html
    assert not re.search(r"\sstyle=|<script", html)


def test_month_labels_beyond_a_year_each_carry_their_year_since_the_chart_thins_them():
    year = [add_months(date(2025, 12, 1), n) for n in range(12)]
    three_years = [add_months(date(2024, 12, 1), n) for n in range(36)]

    assert month_labels(year)[:3] == ("Dec 2025", "Jan", "Feb")
    assert all(label[-4:].isdigit() for label in month_labels(three_years))
