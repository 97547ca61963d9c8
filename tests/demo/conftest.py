"""The seeded demo (tests/conftest.py seeded_demo), shared by the tests of a module."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from psirf.extensions import db
from psirf.organisations.models import Organisation
from tests.support.app import demo_app


@pytest.fixture(scope="module")
def demo(seeded_demo):
    """Yields (session, by_code, how many events the first seeding loaded)."""
    with demo_app(seeded_demo):
        by_code = {o.ods_code: o for o in db.session.scalars(select(Organisation))}
        yield (
            db.session,
            by_code,
            3000 if "Loaded 3,000 demo safety events" in seeded_demo[1] else 0,
        )
