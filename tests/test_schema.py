"""The schema is made by migrations only, and they agree with the models."""

import os
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DatabaseError

from psirf import audit, create_app
from psirf.db import unit_of_work
from psirf.extensions import db
from psirf.organisations.models import Organisation
from tests.support.app import BACKEND, DEFAULT_PG
from tests.support.factories import PracticeFactory


def test_migrations_and_models_agree(app):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_records SET action = 'rewritten'", "DELETE FROM audit_records"],
)
def test_the_database_refuses_to_change_an_audit_record(session, statement):
    organisation = PracticeFactory()
    audit.record(
        session, actor_id=None, action="test", subject=organisation, organisation_id=organisation.id
    )
    session.commit()
    with pytest.raises(DatabaseError, match="append-only"):
        session.execute(text(statement))
        session.flush()
    session.rollback()
    assert session.scalar(text("SELECT count(*) FROM audit_records")) == 1


postgres_only = pytest.mark.skipif(
    BACKEND != "postgres", reason="roles and TRUNCATE are PostgreSQL's"
)


@postgres_only
def test_the_database_refuses_to_truncate_the_audit_trail(session):
    organisation = PracticeFactory()
    audit.record(
        session, actor_id=None, action="test", subject=organisation, organisation_id=organisation.id
    )
    session.commit()
    with pytest.raises(DatabaseError, match="append-only"):
        session.execute(text("TRUNCATE audit_records"))
    session.rollback()
    assert session.scalar(text("SELECT count(*) FROM audit_records")) == 1


@pytest.fixture
def two_roles():
    """The README's production set-up on a new database: the schema's owner runs the migrations, the
    application signs in as another role. Yields (owner's URL, application's URL)."""
    server = make_url(os.environ.get("TEST_DATABASE_URL", DEFAULT_PG))
    suffix = uuid.uuid4().hex[:8]
    owner, application, name = (
        f"psirf_owner_{suffix}",
        f"psirf_app_{suffix}",
        f"psirf_roles_{suffix}",
    )
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE ROLE {owner} LOGIN"))
        conn.execute(text(f"CREATE ROLE {application} LOGIN"))
        conn.execute(text(f"CREATE DATABASE {name} OWNER {owner}"))
    as_owner = server.set(database=name, username=owner)
    with create_engine(as_owner).begin() as conn:
        conn.execute(
            text(
                f"ALTER DEFAULT PRIVILEGES GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {application}"
            )
        )
        conn.execute(
            text(f"ALTER DEFAULT PRIVILEGES GRANT USAGE, SELECT ON SEQUENCES TO {application}")
        )
    try:
        yield (
            as_owner.render_as_string(hide_password=False),
            server.set(database=name, username=application).render_as_string(hide_password=False),
        )
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f"DROP ROLE IF EXISTS {application}"))
            conn.execute(text(f"DROP ROLE IF EXISTS {owner}"))
        admin.dispose()


@postgres_only
def test_the_application_role_adds_audit_records_and_cannot_remove_them_or_their_guard(two_roles):
    owner_url, application_url = two_roles
    migrated = create_app({"SQLALCHEMY_DATABASE_URI": owner_url, "TESTING": True})
    with migrated.app_context():
        upgrade()
        db.session.remove()
        db.engine.dispose()

    app = create_app({"SQLALCHEMY_DATABASE_URI": application_url, "TESTING": True})
    with app.app_context():
        # The application's own work: an organisation and its audit record, in one transaction.
        with unit_of_work(db.session):
            organisation = Organisation(ods_code="A99999", name="Roles Surgery", kind="practice")
            db.session.add(organisation)
            db.session.flush()
            audit.record(
                db.session, actor_id=None, action="test", subject=organisation, organisation_id=None
            )
        refused = [
            "UPDATE audit_records SET action = 'rewritten'",
            "DELETE FROM audit_records",
            "TRUNCATE audit_records",
            "DROP TRIGGER audit_records_append_only ON audit_records",
            "ALTER TABLE audit_records DISABLE TRIGGER ALL",
            "ALTER TABLE audit_records OWNER TO CURRENT_USER",
            "DROP TABLE audit_records",
        ]
        for statement in refused:
            with pytest.raises(DatabaseError, match="permission denied|must be owner"):
                with db.engine.begin() as conn:
                    conn.execute(text(statement))
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM audit_records")).scalar_one() == 1
            owner = conn.execute(
                text("SELECT tableowner FROM pg_tables WHERE tablename = 'audit_records'")
            ).scalar_one()
            assert owner != conn.execute(text("SELECT current_user")).scalar_one()
        db.session.remove()
        db.engine.dispose()

    # Even the owner cannot empty it without first dropping its guard on purpose.
    with create_engine(owner_url).connect() as conn:
        with pytest.raises(DatabaseError, match="append-only"):
            conn.execute(text("TRUNCATE audit_records"))
