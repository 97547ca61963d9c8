"""The export on the pages: the lead sees an event's export state and their exports not yet sent;
the ICB sees counts by state; others see neither (refusals by role: tests/support/lfpse_routes.py)."""

from __future__ import annotations

from sqlalchemy import select

from psirf.db import unit_of_work
from psirf.extensions import db
from psirf.lfpse import exports
from psirf.lfpse.models import LfpseExport
from tests.support.lfpse import record


def _fail(event, reason="LFPSE answered 503 Service Unavailable"):
    row = db.session.scalar(select(LfpseExport).where(LfpseExport.event_id == event.id))
    with unit_of_work(db.session):
        assert exports.claim(db.session, [row.id], row.next_attempt_at) == [row.id]
        exports.mark_failed(db.session, row.id, 1, reason, row.next_attempt_at)
    return row


def test_the_lead_sees_the_events_export_state_on_its_page(world, sign_in):
    event = record(world)
    page = sign_in(world.lead).get(f"/events/{event.id}").get_data(as_text=True)
    assert "LFPSE export" in page
    assert "Revision 1 not yet sent." in page


def test_a_failed_export_says_why_and_when_it_is_tried_again(world, sign_in):
    event = record(world)
    _fail(event)
    page = sign_in(world.lead).get(f"/events/{event.id}").get_data(as_text=True)
    assert "Revision 1 failed after 1 attempt (LFPSE answered 503 Service Unavailable)" in page


def test_others_who_see_the_event_do_not_see_its_export(world, sign_in):
    event = record(world)
    response = sign_in(world.icb_quality).get(f"/events/{event.id}")
    assert response.status_code == 200
    assert "LFPSE export" not in response.get_data(as_text=True)


def test_the_leads_list_holds_their_exports_not_yet_sent_and_no_one_elses(world, sign_in):
    failed, waiting = record(world), record(world)
    _fail(failed)
    page = sign_in(world.lead).get("/lfpse/exports").get_data(as_text=True)
    assert failed.reference in page and waiting.reference in page
    assert "LFPSE answered 503 Service Unavailable" in page
    elsewhere = sign_in(world.other_lead).get("/lfpse/exports").get_data(as_text=True)
    assert failed.reference not in elsewhere
    assert "Every event of your organisations has been sent to LFPSE." in elsewhere


def test_the_icb_sees_its_counts_by_state(world, sign_in):
    _fail(record(world))
    record(world)
    page = sign_in(world.icb_specialist).get("/dashboards/icb/lfpse").get_data(as_text=True)
    assert "Test ICB: LFPSE exports" in page
    for label in ("Not yet sent", "Failed, to be tried again", "Sent"):
        assert label in page
    cells = page.split("Failed, to be tried again</th>")[1].split("</td>")[0]
    assert cells.strip().endswith(">1")


def test_the_lead_reaches_the_list_from_the_triage_queue_and_the_icb_its_counts_from_the_dashboard(
    world, sign_in
):
    queue = sign_in(world.lead).get("/triage").get_data(as_text=True)
    assert 'href="/lfpse/exports"' in queue
    dashboard = sign_in(world.icb_quality).get("/dashboards/icb").get_data(as_text=True)
    assert 'href="/dashboards/icb/lfpse"' in dashboard
