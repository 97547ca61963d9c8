"""Fixtures in one place: the database, the app (one per set of settings, each test's as new),
signed-in clients, the shared organisation tree and the route table's objects.

How databases and apps are built, and kept apart between tests, is tests/support/app.py.
"""

from __future__ import annotations

import os
import re
import tempfile

import pytest

os.environ.setdefault("PSIRF_INSTANCE_DIR", tempfile.mkdtemp(prefix="psirf-test-instance-"))
# Argon2id still, at its lowest cost (a setting of the app): production's cost is the point of it,
# but every sign-in in the suite would pay it (the route table alone signs in hundreds of times).
os.environ.setdefault("PASSWORD_HASH_COST", "1,8,1")

from psirf.extensions import db  # noqa: E402
from tests.support import app as apps_support  # noqa: E402
from tests.support.factories import TEST_PASSWORD  # noqa: E402
from tests.support.routes import route_objects  # noqa: E402
from tests.support.world import World, world_for  # noqa: E402


def pytest_report_header(config):
    return f"psirf database backend: {apps_support.BACKEND}"


@pytest.fixture(scope="session")
def database():
    """A function giving a new, empty, migrated database URL at each call (on PostgreSQL the one
    database, emptied), and `.empty(url)` to empty one again."""
    databases = apps_support.databases()
    yield databases
    databases.close()


@pytest.fixture(scope="session")
def apps(database):
    """The session's apps, one per set of settings: `with apps.running(**settings) as app`."""
    return apps_support.Apps(database)


@pytest.fixture
def app(apps):
    with apps.running() as app:
        yield app


@pytest.fixture
def own_app(database):
    """An app built for this test alone: for a test that changes what the app is made of (adds a
    route), which an app shared by the session must not carry into other tests."""
    with apps_support.running_app(database) as app:
        yield app


@pytest.fixture(scope="session")
def seeded_demo(database):
    """The whole demo, loaded once by `flask seed demo` into a database of its own (seeding takes
    seconds, most of ten on PostgreSQL): (database URL, what the first seeding printed).
    Tests that read it must leave it as they found it."""
    if apps_support.BACKEND == "postgres":
        # The suite's one PostgreSQL database is emptied for each test: the demo needs its own.
        demo_databases = apps_support.databases()
        yield apps_support.seed_demo(demo_databases)
        demo_databases.close()
    else:
        yield apps_support.seed_demo(database)


@pytest.fixture
def session(app):
    return db.session


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def sign_in(app):
    """sign_in(user) -> a test client with that person signed in through the real form."""

    def _sign_in(user):
        c = app.test_client()
        response = c.post("/sign-in", data={"email": user.email, "password": TEST_PASSWORD})
        assert response.status_code == 302, f"{user.email} could not sign in: " + " ".join(
            re.findall(r'<a href="#[^"]*">([^<]*)</a>', response.get_data(as_text=True))
        )
        return c

    return _sign_in


@pytest.fixture
def world(app) -> World:
    """A small organisation tree and one person per role (tests/support/world.py)."""
    return world_for(app)


@pytest.fixture
def objects(app):
    """The route table's objects in a test's own database (tests/support/routes.py)."""
    return route_objects()


@pytest.fixture(scope="module")
def shared(database):
    """One database, one set of objects and one signed-in client per person for the whole table:
    no case changes what another reads (the few that change something have objects of their own)."""
    with apps_support.running_app(database) as app:
        objects = route_objects()
        yield app, objects, apps_support.signed_in_clients(app, objects["people"])
