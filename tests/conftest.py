"""Fixtures in one place: a migrated database (SQLite or PostgreSQL), the app, signed-in clients.

PSIRF_TEST_DB=sqlite (the default) or postgres picks the database. PostgreSQL is found at
TEST_DATABASE_URL; the suite creates its own throwaway database there and drops it after.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import threading
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest

os.environ.setdefault("PSIRF_INSTANCE_DIR", tempfile.mkdtemp(prefix="psirf-test-instance-"))

from flask.testing import FlaskClient  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from argon2 import PasswordHasher  # noqa: E402
from jinja2 import BytecodeCache  # noqa: E402

import psirf  # noqa: E402
from psirf import create_app  # noqa: E402
from psirf.accounts import passwords  # noqa: E402
from psirf.extensions import db  # noqa: E402

# Argon2id still, at the lowest cost: production's cost is the point of it, but every sign-in in
# the suite would pay it (the route table alone signs in hundreds of times).
passwords._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


class SharedTemplateCache(BytecodeCache):
    """Compiled templates kept across the suite's apps (one per test), keyed by each template's source."""

    def __init__(self):
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket):
        self.compiled[bucket.key] = bucket.bytecode_to_string()


_TEMPLATE_CACHE = SharedTemplateCache()
_configure_templates = psirf.configure_templates


def _configure_templates_once(app):
    _configure_templates(app)
    app.jinja_env.bytecode_cache = _TEMPLATE_CACHE


psirf.configure_templates = _configure_templates_once


def _share_url_builders() -> None:
    """Each app (one per test) compiles a URL builder for every route; most of create_app's time.

    Werkzeug generates each builder from the rule's parsed parts and defaults only, taking the rule
    itself as its first argument when called, so one compiled builder serves every app's copy of a
    rule. Kept here, for the suite: the running service builds its routes once.
    """
    from werkzeug.routing.rules import Rule

    compile_builder = Rule._compile_builder
    compiled: dict = {}

    def shared(self, append_unknown: bool = True):
        key = (
            self.rule,
            tuple(self._trace),
            repr(sorted((self.defaults or {}).items())),
            append_unknown,
        )
        if key not in compiled:
            compiled[key] = compile_builder(self, append_unknown)
        return compiled[key]

    Rule._compile_builder = shared


_share_url_builders()

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
BACKEND = os.environ.get("PSIRF_TEST_DB", "sqlite")


def pytest_report_header(config):
    return f"psirf database backend: {BACKEND}"


def _migrate(url: str) -> None:
    from flask_migrate import upgrade

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        upgrade()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def database():
    """Yields a function giving each test a clean, migrated database URL."""
    if BACKEND == "postgres":
        yield from _postgres_database()
    else:
        yield from _sqlite_database()


@pytest.fixture(scope="session")
def seeded_demo():
    """The whole demo, loaded once by `flask seed demo` into a database of its own (seeding takes
    seconds, most of ten on PostgreSQL): yields (database URL, what the first seeding printed).
    Tests that read it must leave it as they found it."""
    databases = _postgres_database() if BACKEND == "postgres" else _sqlite_database()
    url = next(databases)()
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        seeded = app.test_cli_runner().invoke(args=["seed", "demo"])
        assert seeded.exit_code == 0, seeded.output
        db.session.remove()
        db.engine.dispose()
    yield url, seeded.output
    next(databases, None)


@contextmanager
def demo_app(seeded_demo, **settings):
    """An app on the seeded demo's database, inside its app context."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": seeded_demo[0], "TESTING": True, **settings})
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def _sqlite_database():
    # In memory-backed /dev/shm where there is one: every factory commits, and each commit would sync a disk.
    shm = Path("/dev/shm")
    folder = Path(tempfile.mkdtemp(prefix="psirf-test-db-", dir=shm if shm.is_dir() else None))
    template = folder / "template.sqlite3"
    _migrate(f"sqlite:///{template}")

    def fresh() -> str:
        path = folder / f"{uuid.uuid4().hex}.sqlite3"
        shutil.copyfile(template, path)
        return f"sqlite:///{path}"

    yield fresh
    shutil.rmtree(folder, ignore_errors=True)


def _postgres_database():
    server = make_url(os.environ.get("TEST_DATABASE_URL", DEFAULT_PG))
    name = f"psirf_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # pragma: no cover - depends on the machine
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"PostgreSQL is not available at {server.render_as_string()}: {exc}")
    # Commits need not wait for the disk: the database is thrown away, and every factory commits.
    url = server.set(
        database=name, query={"options": "-c synchronous_commit=off"}
    ).render_as_string(hide_password=False)
    _migrate(url)
    tables_engine = create_engine(url)
    with tables_engine.connect() as conn:
        tables = [
            r[0]
            for r in conn.execute(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
                )
            )
        ]

    # Which tables hold rows: TRUNCATE costs per table, and most tests touch few of them.
    used_tables = text(" UNION ALL ".join(f"(SELECT '{t}' FROM \"{t}\" LIMIT 1)" for t in tables))
    # Every sequence back to 1, written or not: an insert that was rolled back still moved it on.
    restart_sequences = text(
        "SELECT setval(c.oid, 1, false) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE c.relkind = 'S' AND n.nspname = 'public'"
    )

    def fresh() -> str:
        # DELETE, not TRUNCATE: TRUNCATE ... CASCADE empties every table that refers to a used one
        # (nearly all refer to organisations), a quarter of a second each time. As a replica the
        # session fires no triggers: neither the foreign keys' (so the order does not matter) nor the
        # audit table's guard against deleting its rows.
        with tables_engine.begin() as conn:
            used = [row[0] for row in conn.execute(used_tables)]
            if used:
                conn.execute(text("SET LOCAL session_replication_role = replica"))
                for table in used:
                    conn.execute(text(f'DELETE FROM "{table}"'))
            conn.execute(restart_sequences)
        return url

    yield fresh
    tables_engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


class IsolatedClient(FlaskClient):
    """Each request gets its own app context (its own `g` and database session), as in production,
    even though the test itself holds one open for its factories."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@contextmanager
def running_app(database, **settings):
    """An app on an emptied test database, inside its app context, for as long as the block runs."""
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database(),
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "SERVER_NAME": "localhost",
            **settings,
        }
    )
    app.test_client_class = IsolatedClient
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app(database):
    with running_app(database) as app:
        yield app


@pytest.fixture
def session(app):
    return db.session


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def sign_in(app):
    """sign_in(user) -> a test client with that person signed in through the real form."""
    from tests.factories import TEST_PASSWORD

    def _sign_in(user):
        c = app.test_client()
        response = c.post("/sign-in", data={"email": user.email, "password": TEST_PASSWORD})
        assert response.status_code == 302, f"{user.email} could not sign in: " + " ".join(
            re.findall(r'<a href="#[^"]*">([^<]*)</a>', response.get_data(as_text=True))
        )
        return c

    return _sign_in


def pause(seconds: float) -> None:
    """Wait a moment. Not time.sleep: under faketime with the real monotonic clock (make
    test-any-day) it fails with EINVAL, where a timed wait on an event works."""
    threading.Event().wait(seconds)


def real_clock_environment() -> dict:
    """This process's environment without faketime's: for a program the suite starts (Chromium,
    gunicorn) whose own clock decides no date, and whose timers spin or fail under faketime."""
    return {
        k: v for k, v in os.environ.items() if k != "LD_PRELOAD" and not k.startswith("FAKETIME")
    }


def signed_in_clients(app, people: dict):
    """who -> a test client signed in, through the real form, as people[who]; each person once."""
    from tests.factories import TEST_PASSWORD

    clients: dict = {}

    def signed_in(who: str):
        if who not in clients:
            clients[who] = app.test_client()
            user = people[who]
            answer = clients[who].post(
                "/sign-in", data={"email": user.email, "password": TEST_PASSWORD}
            )
            assert answer.status_code == 302, f"{who} could not sign in"
        return clients[who]

    return signed_in


from tests.people import world  # noqa: E402,F401  (the shared organisation tree fixture)
