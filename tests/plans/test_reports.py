"""The plan's PDF, read back with pypdf: every template section, the local focus, DRAFT on drafts only."""

from __future__ import annotations

import io
from datetime import date

from pypdf import PdfReader

from psirf.plans.document import document
from psirf.plans.reports import plan_pdf
from tests.support.plans import generated_plan

SECTIONS = [
    "Document control",
    "Introduction",
    "Our services",
    "Defining our patient safety incident profile",
    "National requirements",
    "Local focus",
    "Capacity",
    "Engagement",
    "Glossary",
]


def pages_of(pdf: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def assert_in_order(text: str, parts: list[str]) -> None:
    at = 0
    for part in parts:
        found = text.find(part, at)
        assert found >= 0, f"{part!r} missing after position {at}"
        at = found + len(part)


def test_a_draft_plan_pdf_has_every_section_its_local_focus_and_draft_on_every_page(world):
    plan = generated_plan(world)
    pdf = plan_pdf(document(plan))
    pages = pages_of(pdf)
    text = " ".join(pages)

    assert pdf.startswith(b"%PDF")
    assert_in_order(
        text, ["Document control"] + [f"{n}. {s}" for n, s in enumerate(SECTIONS[1:], start=1)]
    )
    assert (
        "Patient safety events recorded each month" in text
        and "Patient safety events by theme" in text
    )
    for row in plan.content["local_focus"]:
        assert row["label"] in text
        assert row["figures"] in text
    assert all("DRAFT" in page for page in pages)
    assert all(f"Page {n} of {len(pages)}" in page for n, page in enumerate(pages, start=1))
    assert world.panel.name in text  # the author, in document control


def test_a_published_plan_pdf_is_not_marked_draft_and_shows_the_committee_decision(world):
    plan = generated_plan(world)
    plan.state = "published"
    plan.revision = 1
    plan.decided_on, plan.minute_reference = date(2026, 2, 4), "QC/2026/017"
    plan.effective_from, plan.review_on = date(2026, 3, 1), date(2027, 2, 28)
    text = " ".join(pages_of(plan_pdf(document(plan))))

    assert "DRAFT" not in text
    assert_in_order(
        text,
        [
            "Document control",
            "Version",
            "1.1",
            "Published and in force",
            "Effective date",
            "1 March 2026",
            "Review date",
            "28 February 2027",
            "4 February 2026",
            "QC/2026/017",
        ],
    )


def test_a_word_too_long_for_its_column_is_split_across_lines_not_a_broken_pdf(world):
    plan = generated_plan(world)
    address = "https://example.org/" + "a-very-long-path/" * 12
    plan.content = {
        **plan.content,
        "capacity": {
            "leads": [{"name": address, "role": address, "trained": True, "hours_per_month": 8}]
        },
    }
    text = "".join("".join(page.split()) for page in pages_of(plan_pdf(document(plan))))

    assert text.count(address) == 2


def test_the_plan_pdf_lists_the_events_that_need_no_further_response_under_local_focus(world):
    plan = generated_plan(world)
    rows = plan.content["no_further_response"]
    assert rows  # a new plan copies the default list

    text = " ".join(pages_of(plan_pdf(document(plan))))

    assert_in_order(text, ["Local focus", "Events that need no further response"])
    for row in rows:
        assert row["label"] in text and row["handled_by"] in text


def test_a_plan_without_such_rows_says_triage_recommends_a_response_for_every_other_event(world):
    plan = generated_plan(world)
    plan.content = {**plan.content, "no_further_response": []}

    blocks = document(plan).section("local-focus").blocks

    assert any(
        "lists no events that need no further response" in " ".join(b.paragraphs)
        for b in blocks
        if b.kind == "text"
    )


def test_a_cell_longer_than_a_page_runs_on_over_the_pages_whole(world):
    plan = generated_plan(world)
    why = " ".join(f"Reason {n} the panel gave for this priority." for n in range(400))
    plan.content = {
        **plan.content,
        "local_focus": [{**plan.content["local_focus"][0], "why": why}],
    }
    pages = pages_of(plan_pdf(document(plan)))
    text = " ".join(pages)

    on = [page for page in pages if "the panel gave" in page]
    assert len(on) >= 3
    # Whole but for a sentence cut at each page's end by its footer and the next one's header row.
    assert text.count("the panel gave for this priority.") >= 400 - len(on)
    assert "Reason 0 the panel" in text and "Reason 399 the panel" in text
