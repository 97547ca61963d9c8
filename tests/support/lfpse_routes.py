"""The LFPSE export's routes in the route table (merged into tests/support/routes.py ROUTES)."""

from __future__ import annotations

from tests.support.routes import Case  # imported by routes.py once Case exists

LFPSE_ROUTES = {
    # A lead's exports not yet sent, of their own organisations: the lead's list only.
    "lfpse.outstanding": Case(
        "GET",
        lambda o: "/lfpse/exports",
        ("lead", 200),
        {"reporter": 403, "panel": 403, "icb_quality": 403, "icb_specialist": 403, "admin": 403},
    ),
    # The ICB's counts by state: the ICB's quality committee and patient safety specialists.
    "lfpse.icb_counts": Case(
        "GET",
        lambda o: "/dashboards/icb/lfpse",
        ("icb_specialist", 200),
        {"lead": 403, "panel": 403, "reporter": 403, "admin": 403},
    ),
}
