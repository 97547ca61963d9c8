"""The demo's readiness map shows what the issue's "Done when" asks the ICB's patient safety
specialist to find: practices without a second patient safety partner, and practices whose staff
have not all completed level 1 of the syllabus."""

from __future__ import annotations

from sqlalchemy import select

from psirf.accounts.models import User
from psirf.organisations.models import Organisation
from psirf.readiness import commitments, history, overview, training


def _gap_names(session, user, key):
    commitment = commitments.by_key(key)
    position = commitments.all_commitments().index(commitment)
    page = overview.gaps(session, user, overview.Filters(kind="practice"), commitment, None, 100)
    return {row.organisation.name: row.cells[position].text for row in page.rows}


def test_the_demo_map_shows_practices_without_a_second_partner_and_staff_without_level_1(demo):
    session, _, _ = demo
    specialist = session.scalar(select(User).where(User.email == "icb.pss@demo-icb.example.org"))
    partners = _gap_names(session, specialist, "patient_safety_partners")
    assert partners["Riverside Surgery"] == "In progress: 1 of 2 named"
    assert partners["Market Street Practice"] == "Not started: 0 of 2 named"
    assert "Hillview Medical Centre" not in partners
    level_1 = _gap_names(session, specialist, "syllabus_level_1")
    assert level_1["Riverside Surgery"] == "In progress: 3 of 4 staff"
    assert level_1["Market Street Practice"] == "In progress: 1 of 3 staff"
    assert "Hillview Medical Centre" not in level_1
    count, totals = overview.totals(session, specialist, overview.Filters())
    assert count == 15  # twelve services, two PCNs and the federation
    shares = {t.commitment.key: t for t in totals}
    assert 0 < shares["patient_safety_partners"].met < shares["patient_safety_partners"].applicable


def test_the_demo_keeps_a_leaver_on_the_staff_page_without_counting_them(demo):
    session, _, _ = demo
    hillview = session.scalar(select(Organisation).where(Organisation.ods_code == "D81002"))
    assert [m.name for m in training.former_staff(session, hillview)] == ["Pat Quinn"]
    assert len(training.staff(session, hillview)) == 2


def test_what_the_demo_recorded_by_hand_has_its_history(demo):
    session, _, _ = demo
    riverside = session.scalar(select(Organisation).where(Organisation.ods_code == "D81001"))
    lines = [
        (label, entry.action, entry.actor, [(c.field, c.before, c.after) for c in entry.changes])
        for label, entry in history.history(session, riverside)
    ]
    lfpse = next(line for line in lines if line[0] == "Registered with LFPSE")
    assert lfpse[1:3] == ("recorded", "Lee Lead")
    assert ("Where it stands", "Not started", "In place") in lfpse[3]
    assert ("How it is met", "(none)", "An LFPSE administrator account") in lfpse[3]
    assert any(line[0] == "Staff survey offered and acted on" for line in lines)
    hillview = session.scalar(select(Organisation).where(Organisation.ods_code == "D81002"))
    when = [entry.occurred_at for _, entry in history.history(session, hillview)]
    assert len(when) == 5 and when == sorted(when, reverse=True)  # newest first
