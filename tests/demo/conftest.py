"""One seeded demo database shared by the tests of a module: seeding takes a few seconds."""

from __future__ import annotations

import pytest

from psirf import create_app
from psirf.db import unit_of_work
from psirf.demo.events import load_events
from psirf.demo.organisations import load_accounts, load_organisations
from psirf.extensions import db


@pytest.fixture(scope="module")
def demo(database):
    """The demo organisations, accounts and events, loaded once: yields (session, by_code, loaded)."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": database(), "TESTING": True})
    with app.app_context():
        with unit_of_work(db.session):
            by_code = load_organisations(db.session)
            load_accounts(db.session, by_code)
            loaded = load_events(db.session, by_code)
        yield db.session, by_code, loaded
        db.session.remove()
        db.engine.dispose()
