"""The demo's pharmacy near-miss log: North Street Pharmacy's near misses over this month and the
last (seed/near_misses.yaml), logged through the service as its pharmacist would. Loaded once."""

from __future__ import annotations

import calendar
from datetime import date

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from psirf.accounts import services as accounts
from psirf.demo.organisations import read_seed
from psirf.nearmiss import services
from psirf.nearmiss.models import NearMiss
from psirf.organisations.services import by_ods_code
from psirf.timeutil import add_months, utcnow


def demo_day(today: date, months_back: int, day: int) -> date:
    """The `day` of the month `months_back` before today's (never after today, nor past month end)."""
    month = add_months(today.replace(day=1), months_back)
    last = calendar.monthrange(month.year, month.month)[1]
    return min(month.replace(day=min(day, last)), today)


def load_near_misses(session: Session, today: date | None = None) -> int:
    """Log the demo near misses, unless the log has any; how many were logged."""
    if session.scalar(select(exists().where(NearMiss.id.is_not(None)))):
        return 0
    today = today or utcnow().date()
    spec = read_seed("near_misses.yaml")
    pharmacy = by_ods_code(session, spec["pharmacy"])
    pharmacist = accounts.find_by_email(session, spec["logged_by"])
    logged = [
        services.NearMissDetails(
            organisation_id=pharmacy.id,
            occurred_on=demo_day(today, item["month"], item["day"]),
            medicine=item["medicine"],
            error_type=item["error_type"],
            stage=item["stage"],
            cause=item["cause"],
            note=item.get("note"),
            dmd_code=item.get("dmd_code"),
        )
        for item in spec["near_misses"]
    ]
    # Logged in the order they were caught, as at the bench: the log lists the last logged first.
    for details in sorted(logged, key=lambda d: d.occurred_on):
        services.log_near_miss(session, pharmacist, details, today=today)
    return len(logged)
