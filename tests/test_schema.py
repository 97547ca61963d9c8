"""The schema is made by migrations only, and they agree with the models."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from psirf import audit
from psirf.extensions import db
from tests.factories import PracticeFactory


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
    audit.record(session, actor_id=None, action="test", subject=organisation, organisation_id=organisation.id)
    session.commit()
    with pytest.raises(DatabaseError, match="append-only"):
        session.execute(text(statement))
        session.flush()
    session.rollback()
    assert session.scalar(text("SELECT count(*) FROM audit_records")) == 1
