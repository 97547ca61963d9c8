"""The alerts' pages through the app: recording a draft (a refused form keeps what was typed),
adding actions and issuing it, a service confirming, a stale confirmation refused with the
answer kept, the ICB's progress and overdue, and the CSV."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from psirf.alerts.models import Alert, AlertConfirmation
from psirf.extensions import db
from psirf.timeutil import utcnow
from tests.support.alerts import pharmacy, record
from tests.support.improvement import date_fields
from tests.support.pages import shows_one_error_summary


def _alert_form(world, **changes) -> dict:
    data = {
        "organisation_id": str(world.icb.id),
        "reference": "NatPSA/2026/004",
        "title": "Look-alike insulin pens",
        "link": "https://www.england.nhs.uk/alert",
        "service_kinds": ["pharmacy"],
        **date_fields("issued_on", date(2026, 3, 2)),
    }
    return data | changes


def test_the_icb_records_adds_two_actions_and_issues_an_alert(world, sign_in):
    pharmacy(world, "North Street Pharmacy", world.pcn, "FAA01")
    pharmacy(world, "Southfields Pharmacy", world.other_pcn, "FAA02")
    client = sign_in(world.icb_specialist)
    refused = client.post("/alerts/new", data=_alert_form(world, link="http://example.org/x"))
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400 and shows_one_error_summary(page)
    assert "Enter the link as a web address starting with https://" in page
    assert 'value="Look-alike insulin pens"' in page  # what was typed is kept
    made = client.post("/alerts/new", data=_alert_form(world))
    assert made.status_code == 302
    alert = db.session.scalar(select(Alert))
    today = utcnow().date()
    for text, days in (("Quarantine the pens", 7), ("Tell the patients", 14)):
        added = client.post(
            f"/alerts/{alert.id}/actions",
            data={
                "version": str(db.session.get(Alert, alert.id).version_id),
                "description": text,
                **date_fields("deadline", today + timedelta(days=days)),
            },
        )
        assert added.status_code == 302, added.get_data(as_text=True)
        db.session.expire_all()
    issued = client.post(
        f"/alerts/{alert.id}/issue",
        data={"version": str(db.session.get(Alert, alert.id).version_id)},
    )
    assert issued.status_code == 302
    db.session.expire_all()
    assert db.session.get(Alert, alert.id).state == "issued"
    shown = client.get(f"/alerts/{alert.id}").get_data(as_text=True)
    assert "North Street Pharmacy" in shown and "Southfields Pharmacy" in shown
    assert shown.count("nhsuk-tag--white") == 4  # each pharmacy, each action: not yet confirmed


def test_a_lead_confirms_and_a_stale_tab_is_told_with_its_answer_kept(world, sign_in):
    north, north_lead = pharmacy(world, "North Street Pharmacy", world.pcn, "FAA01")
    alert = record(world.icb_specialist, world.icb)
    action = alert.actions[0]
    url = f"/alerts/{alert.id}/organisations/{north.id}/actions/{action.id}"
    client = sign_in(north_lead)
    assert client.get(url).status_code == 200
    missing = client.post(url, data={"version": "1", "status": "not_applicable"})
    assert missing.status_code == 400 and shows_one_error_summary(missing.get_data(as_text=True))
    assert "Say why the action does not apply" in missing.get_data(as_text=True)
    done = client.post(
        url,
        data={
            "version": "1",
            "status": "done",
            "note": "Stock checked",
            **date_fields("done_on", date(2026, 3, 5)),
        },
    )
    assert done.status_code == 302
    stale = client.post(
        url, data={"version": "1", "status": "not_applicable", "reason": "Never stocked"}
    )
    assert stale.status_code == 409
    assert "Never stocked" in stale.get_data(as_text=True)
    db.session.expire_all()
    kept = db.session.scalar(select(AlertConfirmation))
    assert kept.status == "done" and kept.note == "Stock checked"
    page = client.get(f"/alerts/{alert.id}/organisations/{north.id}").get_data(as_text=True)
    assert "Stock checked" in page and "North Street Pharmacy Lead" in page


def test_the_icb_sees_an_overdue_pharmacy_and_downloads_the_progress(world, sign_in):
    north, _ = pharmacy(world, "North Street Pharmacy", world.pcn, "FAA01")
    long_ago = utcnow().date() - timedelta(days=400)
    alert = record(
        world.icb_specialist,
        world.icb,
        actions=(("Check stock", long_ago),),
        issued_on=long_ago - timedelta(days=10),
    )
    client = sign_in(world.icb_specialist)
    page = client.get(f"/alerts/{alert.id}?show=overdue").get_data(as_text=True)
    assert "Not yet confirmed, overdue" in page and "North Street Pharmacy" in page
    overdue = client.get("/alerts/overdue").get_data(as_text=True)
    assert "North Street Pharmacy" in overdue and alert.reference in overdue
    listed = client.get("/alerts").get_data(as_text=True)
    assert "1 overdue" in listed
    csv = client.get(f"/alerts/{alert.id}/progress.csv")
    lines = csv.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0].startswith("Organisation,ODS code,Action")
    assert lines[1].startswith("North Street Pharmacy,FAA01,Check stock") and ",Yes," in lines[1]


def test_no_cell_of_the_progress_csv_is_read_as_a_formula(world, sign_in):
    from psirf.alerts import services
    from psirf.db import unit_of_work

    north, north_lead = pharmacy(world, "+44 Pharmacy", world.pcn, "FAA01")
    alert = record(world.icb_specialist, world.icb, actions=(("=HYPERLINK(1)", date(2026, 3, 16)),))
    confirmation = services.get_confirmation(db.session, alert, north, alert.actions[0].id)
    with unit_of_work(db.session):
        services.confirm(
            db.session,
            north_lead,
            confirmation,
            services.Answer("not_applicable", "-1 in stock", reason="@SUM(A1)"),
            confirmation.version_id,
            date(2026, 3, 10),
        )
    csv = sign_in(world.icb_specialist).get(f"/alerts/{alert.id}/progress.csv")
    row = csv.get_data(as_text=True).splitlines()[1]
    for typed in ("+44 Pharmacy", "=HYPERLINK(1)", "@SUM(A1)", "-1 in stock"):
        assert f",'{typed}," in f",{row},"


def test_a_mangled_page_of_the_progress_starts_from_the_top(world, sign_in):
    pharmacy(world, "North Street Pharmacy", world.pcn, "FAA01")
    alert = record(world.icb_specialist, world.icb)
    client = sign_in(world.icb_specialist)
    for after in ("North|\u00b2", "North|" + "9" * 5000, "|", "\u00b2"):
        answer = client.get(f"/alerts/{alert.id}", query_string={"after": after})
        assert answer.status_code == 200
        assert "North Street Pharmacy" in answer.get_data(as_text=True)
