"""The LFPSE export in the browser: a lead finds a failed export on their list and its state on
the event's page; an ICB quality committee member reads the counts by state."""

from __future__ import annotations

import uuid
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from psirf.accounts.models import User
from psirf.db import unit_of_work
from psirf.lfpse import exports
from psirf.lfpse.models import ExportState, LfpseExport
from psirf.organisations.models import Organisation
from tests.support.lfpse import record
from tests.support.screens import assert_fits_the_screen, on_a_phone

pytestmark = pytest.mark.browser


def failed_export(live_db, reason: str) -> str:
    """An event of the lead's practice whose first sending failed with `reason`: its reference."""
    with live_db() as session:
        lead = session.scalar(select(User).where(User.email == "lead@demo-icb.example.org"))
        practice = session.scalar(select(Organisation).where(Organisation.ods_code == "D81001"))
        event = record(SimpleNamespace(reporter=lead, practice=practice))
        row = session.scalar(select(LfpseExport).where(LfpseExport.event_id == event.id))
        with unit_of_work(session):
            exports.claim(session, [row.id], row.next_attempt_at)
            exports.mark_failed(session, row.id, 1, reason, row.next_attempt_at)
        return event.reference


def test_a_lead_sees_a_failed_export_on_their_list_and_its_state_on_the_event_page(
    visitor, live_db
):
    reason = f"LFPSE answered 503 Service Unavailable ({uuid.uuid4().hex[:6]})"
    reference = failed_export(live_db, reason)
    page = visitor.page
    on_a_phone(page)

    visitor.sign_in("lead@demo-icb.example.org")
    visitor.goto("/lfpse/exports")
    assert page.get_by_role("heading", level=1).inner_text() == "LFPSE exports not yet sent"
    row = page.locator("main tbody tr").filter(has_text=reference)
    assert "Failed, to be tried again" in row.inner_text() and reason in row.inner_text()
    assert_fits_the_screen(page)

    visitor.follow(reference)
    lfpse_row = page.locator(".nhsuk-summary-list__row").filter(has_text="LFPSE export")
    assert f"Revision 1 failed after 1 attempt ({reason})" in lfpse_row.inner_text()


def test_an_icb_quality_member_reads_the_lfpse_counts_by_state(visitor, live_db):
    failed_export(live_db, "LFPSE answered 500 Internal Server Error")
    page = visitor.page
    on_a_phone(page)

    visitor.sign_in("icb.quality@demo-icb.example.org")
    visitor.goto("/dashboards/icb/lfpse")
    assert page.get_by_role("heading", level=1).inner_text() == "NHS Demo ICB: LFPSE exports"
    table = page.get_by_role("table", name="Event revisions by export state")
    states = [label.strip() for label in table.locator("tbody th").all_inner_texts()]
    assert sorted(states) == sorted(state.label for state in ExportState)
    failed = table.locator("tbody tr").filter(has_text="Failed, to be tried again")
    assert int(failed.locator("td").inner_text().replace(",", "")) >= 1
    assert_fits_the_screen(page)
    visitor.follow("Back to the oversight dashboard")
