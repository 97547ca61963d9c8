"""The demo's national patient safety alert: issued by the ICB to both pharmacies, North Street
Pharmacy has confirmed both actions and Southfields Pharmacy is overdue on the first, as the ICB's
alert page shows; the two pharmacists can sign in."""

from __future__ import annotations

from sqlalchemy import select

from psirf.accounts import services as accounts
from psirf.alerts import services
from psirf.alerts.models import Alert
from psirf.timeutil import utcnow


def test_the_demo_alert_shows_southfields_pharmacy_overdue_to_the_icb(demo):
    session, by_code, _ = demo
    alert = session.scalar(select(Alert).where(Alert.reference == "NatPSA/DEMO/001"))
    assert alert is not None and alert.is_issued and len(alert.actions) == 2
    specialist = accounts.find_by_email(session, "icb.pss@demo-icb.example.org")
    today = utcnow().date()
    matrix = services.progress_matrix(session, specialist, alert, today, None, 50)
    rows = {row.organisation.ods_code: row for row in matrix.rows}
    assert set(rows) == {"FDM01", "FDM02"}
    assert {c.status for c in rows["FDM01"].cells.values()} == {"done"}
    assert rows["FDM02"].overdue(today) and not rows["FDM01"].overdue(today)
    assert services.tallies_by_alert(session, specialist, [alert.id], today)[alert.id].overdue == 1
    for email, code in (
        ("pharmacist@demo-icb.example.org", "FDM01"),
        ("pharmacist2@demo-icb.example.org", "FDM02"),
    ):
        user = accounts.find_by_email(session, email)
        assert [(r.role, r.organisation_id) for r in user.roles] == [
            ("patient_safety_lead", by_code[code].id)
        ]
