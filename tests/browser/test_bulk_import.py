"""The bulk import in the browser: an administrator downloads the template, uploads a file with a
bad row as a dry run, watches the progress page reach its summary, downloads the fault report,
then imports a good file."""

from __future__ import annotations

import csv
import io
import uuid

import pytest
from playwright.sync_api import expect

from psirf.imports import jobs
from psirf.imports.columns import template_header
from psirf.imports.views import REFRESH_SECONDS
from psirf.notifications.queue import queue_of
from tests.support.imports import THEME_CODES, csv_text, good_row
from tests.support.screens import assert_fits_the_screen, on_a_phone

pytestmark = pytest.mark.browser

SERVICES = ("D81001", "D81002")
DESKTOP = {"width": 1280, "height": 720}


def run_import_jobs(app) -> int:
    """Run the import jobs waiting on the live server's queue, as its worker would (through huey's
    own API). Other jobs (emails, LFPSE sending) go back on the queue untouched: the browser tests
    run no worker, and other tests read the outbox rows those jobs would change."""
    huey = queue_of(app).huey
    ran, others = 0, []
    while (task := huey.dequeue()) is not None:
        if task.name == app.extensions[jobs.EXTENSION].name:
            huey.execute(task)
            ran += 1
        else:
            others.append(task)
    for task in others:
        huey.enqueue(task)
    return ran


def events_file(tmp_path, name: str, rows: list[dict]):
    path = tmp_path / name
    path.write_text(csv_text(rows), encoding="utf-8")
    return path


def rows_tagged(count: int) -> list[dict]:
    """Good rows whose references no earlier run has used (so none is skipped as imported before)."""
    tag = uuid.uuid4().hex[:8].upper()
    rows = [good_row(n, SERVICES) for n in range(count)]
    for n, row in enumerate(rows):
        row["source_reference"] = f"HIST-{tag}-{n}"
    return rows


def upload(visitor, path, *, dry_run: bool) -> None:
    """Send the file, then stop the progress page refreshing itself (before axe reads it, so no
    refresh lands mid-check) and check the page."""
    page = visitor.page
    page.get_by_label("Upload a file").set_input_files(str(path))
    if dry_run:
        page.get_by_label("Check the file only (a dry run): save nothing").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Upload and import", exact=True).click()
    page.get_by_role("button", name="Stop refreshing").click()
    expect(page.get_by_role("status")).to_have_text("This page no longer refreshes itself.")
    visitor.check()
    assert page.get_by_role("heading", level=1).inner_text() == "Waiting to start"
    assert page.locator("progress").get_attribute("value") == "0"


def reaches_summary(visitor) -> None:
    """The page, refreshing itself again or refreshed by hand, shows the finished import."""
    expect(visitor.page.get_by_role("heading", level=1)).to_have_text("Finished", timeout=15_000)
    visitor.check()
    assert visitor.page.locator("progress").count() == 0


def summary(page) -> dict[str, str]:
    rows = page.locator(".nhsuk-summary-list__row")
    return {
        rows.nth(i).locator("dt").inner_text().strip(): rows.nth(i)
        .locator("dd")
        .inner_text()
        .strip()
        for i in range(rows.count())
    }


def test_an_administrator_dry_runs_a_file_with_a_bad_row_reads_its_report_then_imports_a_good_one(
    visitor, live_app, tmp_path
):
    page = visitor.page
    visitor.sign_in("admin@demo-icb.example.org")
    visitor.follow("Organisations")
    visitor.follow("Import historic events from another system")
    assert page.get_by_role("heading", level=1).inner_text() == "Import events"

    with page.expect_download() as template:
        page.get_by_role("link", name="Download the CSV template").click()
    assert template.value.path().read_text().strip() == ",".join(template_header())

    # Sent with no file: the error summary says so and the page keeps what was typed.
    page.get_by_label("ODS code of the one service the file is for (optional)").fill("D81001")
    visitor.submit("Upload and import", status=400)
    assert "Select a file of events" in page.locator(".nhsuk-error-summary").inner_text()
    assert page.evaluate("document.activeElement.classList.contains('nhsuk-error-summary')")
    page.get_by_role("link", name="Select a file of events").click()
    assert page.evaluate("document.activeElement.type") == "file"
    field = page.get_by_label("ODS code of the one service the file is for (optional)")
    assert field.input_value() == "D81001"
    field.fill("")

    rows = rows_tagged(6)
    rows[3]["theme"] = "weather"
    upload(visitor, events_file(tmp_path, "with-a-fault.csv", rows), dry_run=True)
    assert "Dry run of with-a-fault.csv" in visitor.text
    assert run_import_jobs(live_app) == 1
    # Started again, the page is watched as it refreshes itself to the summary.
    page.get_by_role("button", name=f"Refresh every {REFRESH_SECONDS} seconds").click()
    reaches_summary(visitor)
    assert "A dry run: nothing was saved." in visitor.text
    figures = summary(page)
    assert (figures["Rows read"], figures["Would be imported"], figures["Faults"]) == (
        "6",
        "0",
        "1",
    )
    fault = page.get_by_role("table", name="Faults found, by row").locator("tbody tr")
    assert fault.locator("td").all_inner_texts()[:2] == ["5", "theme"]
    on_a_phone(page)
    assert_fits_the_screen(page)
    page.set_viewport_size(DESKTOP)

    with page.expect_download() as report:
        page.get_by_role("link", name="Download the report (CSV)").click()
    assert list(csv.reader(io.StringIO(report.value.path().read_text()))) == [
        ["row", "field", "message"],
        ["5", "theme", "Select what the event was mostly about. Use one of: " + THEME_CODES],
    ]

    visitor.follow("Back to imports")
    good = rows_tagged(4)
    upload(visitor, events_file(tmp_path, "good.csv", good), dry_run=False)
    assert "Import of good.csv" in visitor.text
    assert run_import_jobs(live_app) == 1
    visitor.follow("Refresh now")
    reaches_summary(visitor)
    figures = summary(page)
    assert (figures["Rows read"], figures["Imported"], figures["Faults"]) == ("4", "4", "0")
    assert "No faults: every row was imported or had been before." in visitor.text

    visitor.follow("Back to imports")
    on_a_phone(page)
    assert_fits_the_screen(page)
    listed = page.locator("main tbody tr").filter(has_text="good.csv").first
    assert "Finished" in listed.inner_text()
    assert page.locator("main tbody tr").filter(has_text="with-a-fault.csv (dry run)").count() >= 1
