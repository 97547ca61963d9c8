"""The issue's "Done when", tried as a new user would: the ICB patient safety specialist opens the
demo ICB's readiness map from their dashboard, sees which practices lack a second patient safety
partner and whose staff have not completed level 1, and downloads the table; Riverside's lead
records their practice's evidence, and the map changes."""

from __future__ import annotations

import csv
import io

import pytest

from psirf.db import unit_of_work
from psirf.demo.readiness import load_readiness

pytestmark = pytest.mark.browser


def _cell(page, organisation: str, column: int) -> str:
    row = page.locator("main table").nth(1).locator("tbody tr").filter(has_text=organisation)
    return row.locator("td").nth(column).inner_text()


def test_the_specialist_finds_the_gaps_and_a_leads_evidence_changes_the_map(visitor, live_db):
    with live_db() as session:
        with unit_of_work(session):
            load_readiness(session)
    page = visitor.page

    visitor.sign_in("icb.pss@demo-icb.example.org")
    visitor.goto("/dashboards")
    visitor.follow("Readiness map")
    assert page.get_by_role("heading", level=1).inner_text() == "Readiness map"
    page.get_by_label("Type of organisation").select_option("practice")
    visitor.submit("Filter")
    # The second column is "Lay patient safety partners", the fourth level 1 of the syllabus.
    assert _cell(page, "Riverside Surgery", 1) == "In progress: 1 of 2 named"
    assert _cell(page, "Riverside Surgery", 2) == "In progress: 3 of 4 staff"

    visitor.follow("Lay patient safety partners:")
    gaps = page.get_by_role("table", name="Organisations without this commitment in place, by name")
    lacking = gaps.locator("tbody tr").all_inner_texts()
    assert any("Riverside Surgery" in r and "1 of 2 named" in r for r in lacking)
    assert any("Market Street Practice" in r and "0 of 2 named" in r for r in lacking)
    assert not any("Hillview Medical Centre" in r for r in lacking)
    visitor.follow("Back to the readiness map")

    visitor.follow("Patient safety syllabus level 1:")
    lacking = page.locator("main tbody tr").all_inner_texts()
    assert any("Riverside Surgery" in r and "3 of 4 staff" in r for r in lacking)
    assert any("Meadowbank Medical Practice" in r and "1 of 2 staff" in r for r in lacking)
    visitor.follow("Back to the readiness map")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the table as CSV").click()
    rows = list(csv.reader(io.StringIO(open(download.value.path(), encoding="utf-8-sig").read())))
    riverside = next(r for r in rows if r[0] == "Riverside Surgery")
    assert "In progress: 1 of 2 named" in riverside and "In progress: 3 of 4 staff" in riverside
    assert {r[2] for r in rows[1:-1]} == {"General practice"}
    # The totals row last, counting the practices above it (other tests may add practices).
    assert rows[-1][:3] == ["Total in place", "", f"{len(rows) - 2} organisations"]
    visitor.sign_out()

    # Riverside's lead names a second partner and records the Freedom to Speak Up guardian.
    visitor.sign_in("lead@demo-icb.example.org")
    visitor.follow("readiness map")
    visitor.follow("Riverside Surgery")
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Readiness against the local commitments"
    )
    visitor.follow("Lay patient safety partners")
    page.get_by_label("Name", exact=True).fill("Jo Patel")
    visitor.submit("Name them")
    assert "In place: 2 of 2 named" in visitor.text
    visitor.follow("Back to Riverside Surgery's readiness")
    visitor.follow("Freedom to Speak Up guardian")
    page.get_by_label("In place").check()
    page.get_by_label("Link to the document").fill("not a link")
    visitor.submit("Save", status=400)
    assert "There is a problem" in visitor.text
    page.get_by_label("Evidence").fill("The federation's guardian, independent of the practice.")
    page.get_by_label("Link to the document").fill("https://intranet.example.nhs.uk/ftsu")
    visitor.submit("Save")
    assert "Recorded by Lee Lead" in visitor.text
    visitor.sign_out()

    visitor.sign_in("icb.pss@demo-icb.example.org")
    visitor.goto("/readiness?kind=practice")
    assert _cell(page, "Riverside Surgery", 1) == "In place: 2 of 2 named"
    assert _cell(page, "Riverside Surgery", 4) == "In place"
    visitor.follow("Riverside Surgery")
    visitor.submit("Confirm Freedom to Speak Up guardian")
    assert "Confirmed by Sam Specialist" in visitor.text
