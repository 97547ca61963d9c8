"""A plan's period: whole months from its start day, and the template's note when it runs longer
than the template usually covers."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader

from psirf.plans.content import period_note, period_of
from psirf.plans.document import document
from psirf.plans.reports import plan_pdf
from tests.support.plan_factories import PlanFactory


@pytest.mark.parametrize(
    ("starts_on", "months", "last_day"),
    [
        (date(2026, 12, 5), 12, date(2027, 12, 4)),
        (date(2026, 12, 1), 12, date(2027, 11, 30)),
        (date(2027, 1, 1), 18, date(2028, 6, 30)),
        (date(2027, 1, 28), 1, date(2027, 2, 27)),
        # The same day a month on does not exist: the period runs to that month's end.
        (date(2027, 1, 31), 1, date(2027, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2027, 1, 30), 1, date(2027, 2, 28)),
        (date(2028, 2, 29), 12, date(2029, 2, 28)),
        (date(2027, 3, 31), 18, date(2028, 9, 30)),
        (date(2027, 8, 31), 24, date(2029, 8, 30)),
    ],
)
def test_a_period_runs_whole_months_to_the_day_before_the_same_day_months_on(
    starts_on, months, last_day
):
    assert period_of(starts_on, months) == (starts_on, last_day)


def test_only_a_period_longer_than_the_templates_usual_eighteen_months_carries_its_note():
    start = date(2026, 12, 5)
    assert period_note(start, 12) is None and period_note(start, 18) is None
    note = period_note(start, 24)
    assert note.startswith("This plan runs for 24 months, longer than the 12 to 18 months")
    # Checked by the end of its first 18 months: 5 December 2026 + 18 months, less a day.
    assert "We will check it against our latest insight by 4 June 2028" in note


def pdf_text(plan) -> str:
    pages = PdfReader(io.BytesIO(plan_pdf(document(plan)))).pages
    return " ".join(" ".join(p.extract_text().split()) for p in pages)


def test_the_plan_reads_its_period_from_its_start_day_and_a_long_one_carries_the_note(world):
    long = PlanFactory(
        organisation=world.pcn,
        created_by=world.panel,
        starts_on=date(2026, 12, 5),
        period_months=24,
    )
    short = PlanFactory(
        organisation=world.pcn,
        created_by=world.panel,
        starts_on=date(2026, 12, 5),
        period_months=12,
    )

    introduction = document(long).section("introduction")
    summary = dict(introduction.blocks[0].rows)
    assert summary["Period covered"] == "5 December 2026 to 4 December 2028 (24 months)"
    assert introduction.blocks[1].paragraphs == (period_note(date(2026, 12, 5), 24),)
    text = pdf_text(long)
    assert "5 December 2026 to 4 December 2028 (24 months)" in text
    assert "longer than the 12 to 18 months NHS England's plan template usually covers" in text
    assert "check it against our latest insight by 4 June 2028" in text

    text = pdf_text(short)
    assert "5 December 2026 to 4 December 2027 (12 months)" in text
    assert "Review date By 4 December 2027" in text
    assert "longer than the 12 to 18 months" not in text
