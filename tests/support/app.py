"""The suite's databases and apps, built through public APIs only.

One app per distinct set of settings for the whole session (building one registers every route
and compiles its URL builders: most of a test's setup time when each test had its own). Each test
gets that app back as new: its database emptied (SQLite: the migrated template copied back over
the app's file; PostgreSQL: the used tables emptied), its settings restored, the limiter's storage
made afresh from them, and a new app context. A test that must change what an app is made of (its
routes, its hooks) asks for `own_app` instead.

PSIRF_TEST_DB=sqlite (the default) or postgres picks the database. PostgreSQL is found at
TEST_DATABASE_URL; the suite creates its own throwaway database there and drops it after.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jinja2 import BytecodeCache
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from psirf import create_app
from psirf.extensions import db, limiter
from tests.support.factories import TEST_PASSWORD

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
BACKEND = os.environ.get("PSIRF_TEST_DB", "sqlite")


class SharedTemplateCache(BytecodeCache):
    """Compiled templates kept across the suite's apps, keyed by each template's source."""

    def __init__(self):
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket):
        self.compiled[bucket.key] = bucket.bytecode_to_string()


TEMPLATE_CACHE = SharedTemplateCache()

# What every app the suite builds for a test is given, before a test's own settings.
TEST_SETTINGS = {
    "TESTING": True,
    "WTF_CSRF_ENABLED": False,
    "SERVER_NAME": "localhost",
    "TEMPLATE_BYTECODE_CACHE": TEMPLATE_CACHE,
}


class IsolatedClient(FlaskClient):
    """Each request gets its own app context (its own `g` and database session), as in production,
    even though the test itself holds one open for its factories."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


# ---- databases ---------------------------------------------------------------------------------


def _migrate(url: str) -> None:
    from flask_migrate import upgrade

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        upgrade()
        db.session.remove()
        db.engine.dispose()


class SqliteDatabases:
    """Migrated once into a template file; each database is a copy of it, in memory-backed
    /dev/shm where there is one (every factory commits, and each commit would sync a disk)."""

    def __init__(self):
        shm = Path("/dev/shm")
        self.folder = Path(
            tempfile.mkdtemp(prefix="psirf-test-db-", dir=shm if shm.is_dir() else None)
        )
        self.template = self.folder / "template.sqlite3"
        _migrate(f"sqlite:///{self.template}")

    def __call__(self) -> str:
        """A new, empty, migrated database's URL."""
        path = self.folder / f"{uuid.uuid4().hex}.sqlite3"
        shutil.copyfile(self.template, path)
        return f"sqlite:///{path}"

    def empty(self, url: str) -> None:
        """The database at `url` back to the template; its engine's connections are closed."""
        shutil.copyfile(self.template, make_url(url).database)

    def release(self, engine) -> None:
        """After a test: its connections closed, so the file can be copied back under them."""
        engine.dispose()

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


class PostgresDatabases:
    """One throwaway database, emptied for each use (the suite's apps all share it)."""

    def __init__(self):
        server = make_url(os.environ.get("TEST_DATABASE_URL", DEFAULT_PG))
        self.name = f"psirf_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        self.admin = create_engine(server, isolation_level="AUTOCOMMIT")
        try:
            with self.admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{self.name}"'))
        except Exception as exc:  # pragma: no cover - depends on the machine
            if os.environ.get("CI") == "true":
                raise
            pytest.skip(f"PostgreSQL is not available at {server.render_as_string()}: {exc}")
        # Commits need not wait for the disk: the database is thrown away, and every factory commits.
        self.url = server.set(
            database=self.name, query={"options": "-c synchronous_commit=off"}
        ).render_as_string(hide_password=False)
        _migrate(self.url)
        self.tables_engine = create_engine(self.url)
        with self.tables_engine.connect() as conn:
            tables = [
                r[0]
                for r in conn.execute(
                    text(
                        "SELECT tablename FROM pg_tables"
                        " WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
                    )
                )
            ]
        # Which tables hold rows: emptying costs per table, and most tests touch few of them.
        self.used_tables = text(
            " UNION ALL ".join(f"(SELECT '{t}' FROM \"{t}\" LIMIT 1)" for t in tables)
        )
        # Every sequence back to 1, written or not: an insert that was rolled back still moved it on.
        self.restart_sequences = text(
            "SELECT setval(c.oid, 1, false) FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE c.relkind = 'S' AND n.nspname = 'public'"
        )

    def __call__(self) -> str:
        self.empty(self.url)
        return self.url

    def empty(self, url: str) -> None:
        # DELETE, not TRUNCATE: TRUNCATE ... CASCADE empties every table that refers to a used one
        # (nearly all refer to organisations), a quarter of a second each time. As a replica the
        # session fires no triggers: neither the foreign keys' (so the order does not matter) nor
        # the audit table's guard against deleting its rows.
        with self.tables_engine.begin() as conn:
            used = [row[0] for row in conn.execute(self.used_tables)]
            if used:
                conn.execute(text("SET LOCAL session_replication_role = replica"))
                for table in used:
                    conn.execute(text(f'DELETE FROM "{table}"'))
            conn.execute(self.restart_sequences)

    def release(self, engine) -> None:
        """After a test: its connections stay open for the next test of the app. A new one is a
        new server process, which reads the catalogue afresh for each table it touches."""

    def close(self) -> None:
        self.tables_engine.dispose()
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        self.admin.dispose()


def databases() -> SqliteDatabases | PostgresDatabases:
    return PostgresDatabases() if BACKEND == "postgres" else SqliteDatabases()


# ---- apps --------------------------------------------------------------------------------------


class Apps:
    """One app per set of settings, each on a database of its own, handed to a test at a time."""

    def __init__(self, database):
        self.database = database
        self.built: dict[str, tuple[Flask, str, dict]] = {}

    @contextmanager
    def running(self, **settings):
        """The app for these settings, as new, inside an app context while the block runs."""
        key = repr(sorted(settings.items()))
        if key in self.built:
            app, url, config = self.built[key]
            self.database.empty(url)
        else:
            url = self.database()
            app = build_app(url, **settings)
            config = dict(app.config)
            self.built[key] = (app, url, config)
        _emptied(app)
        # A test may change a setting: each starts from the settings the app was built with.
        app.config.clear()
        app.config.update(config)
        with app.app_context():
            # Storage made again from this app's settings: empty, and the app's own even when a
            # test built another app (with other storage) meanwhile.
            limiter.init_app(app)
            yield app
            db.session.remove()
            self.database.release(db.engine)


def build_app(url: str, **settings) -> Flask:
    """A new app on the database at `url`, with the suite's settings and these."""
    app = create_app({**TEST_SETTINGS, "SQLALCHEMY_DATABASE_URI": url, **settings})
    app.test_client_class = IsolatedClient
    statements = app.extensions[STATEMENTS] = [0]
    with app.app_context():

        @event.listens_for(db.engine, "before_cursor_execute")
        def _count(*args):
            statements[0] += 1

    return app


# The statements an app built by build_app sent since its database was last emptied.
STATEMENTS = "tests.statements_since_emptied"


def _emptied(app: Flask) -> None:
    app.extensions[STATEMENTS][0] = 0


def untouched(app: Flask) -> bool:
    """Whether the app's database is as emptied for this test: no statement sent to it since."""
    return app.extensions.get(STATEMENTS, [None])[0] == 0


@contextmanager
def running_app(database, **settings):
    """A new app of its own on an emptied test database, inside its app context, for as long as
    the block runs: for a fixture that keeps an app across a module's tests."""
    app = build_app(database(), **settings)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@contextmanager
def demo_app(seeded_demo, **settings):
    """An app on the seeded demo's database, inside its app context."""
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": seeded_demo[0],
            "TESTING": True,
            "TEMPLATE_BYTECODE_CACHE": TEMPLATE_CACHE,
            **settings,
        }
    )
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def seed_demo(database) -> tuple[str, str]:
    """`flask seed demo` into a new database: (its URL, what the seeding printed)."""
    url = database()
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        seeded = app.test_cli_runner().invoke(args=["seed", "demo"])
        assert seeded.exit_code == 0, seeded.output
        db.session.remove()
        db.engine.dispose()
    return url, seeded.output


# ---- signing in --------------------------------------------------------------------------------


def signed_in_clients(app, people: dict):
    """who -> a test client signed in, through the real form, as people[who]; each person once."""
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


# ---- time and processes ------------------------------------------------------------------------


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
