"""The demo's near-miss log: North Street Pharmacy's pharmacist signs in to near misses over two
months, summarised by month and by medicine, none of them sent to LFPSE."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from psirf.accounts import services as accounts
from psirf.demo.nearmiss import demo_day, load_near_misses
from psirf.nearmiss import services
from psirf.nearmiss.models import NearMiss
from psirf.timeutil import add_months, utcnow


def test_the_pharmacist_sees_near_misses_in_this_month_and_the_last(demo):
    session, _, _ = demo
    pharmacist = accounts.find_by_email(session, "pharmacist@demo-icb.example.org")
    assert {r.organisation.ods_code for r in pharmacist.roles} == {"FDM01"}
    today = utcnow().date()
    summary = services.summary(session, pharmacist, today)
    this_month, last_month = summary.months[-1], summary.months[-2]
    assert this_month.near_misses == 3 and last_month.near_misses == 5
    assert summary.medicines[0].label == "Amlodipine 5mg tablets"
    whole = services.summary(session, pharmacist, add_months(today.replace(day=1), -1))
    assert {m.label for m in whole.medicines} >= {"Methotrexate 2.5mg tablets"}
    assert session.scalar(select(func.count()).select_from(NearMiss)) == 8
    # Kept in the pharmacy: none is an event, so none is on its way to LFPSE.
    assert session.scalar(select(func.count()).where(NearMiss.event_id.is_not(None))) == 0


def test_the_demo_log_lists_the_latest_caught_first(demo):
    session, _, _ = demo
    pharmacist = accounts.find_by_email(session, "pharmacist@demo-icb.example.org")
    caught = [n.occurred_on for n in services.listing(session, pharmacist, None, 50).items]
    assert len(caught) == 8 and caught == sorted(caught, reverse=True)


def test_loading_the_near_misses_again_adds_nothing(demo):
    session, _, _ = demo
    assert load_near_misses(session) == 0
    session.rollback()


def test_demo_days_fall_in_their_month_and_never_after_today():
    assert demo_day(date(2027, 1, 1), 0, 3) == date(2027, 1, 1)
    assert demo_day(date(2027, 1, 1), -1, 31) == date(2026, 12, 31)
    assert demo_day(date(2027, 3, 31), -1, 31) == date(2027, 2, 28)
    assert demo_day(date(2027, 3, 15), 0, 9) == date(2027, 3, 9)
