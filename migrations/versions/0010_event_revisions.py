"""Events are revisable: a revision number and a version on each event, and the corrections kept

Each event carries LFPSE's Revision (1 as reported) and a version for optimistic locking; both
start at 1 for the events already recorded. Each correction saved is a row of `event_revisions`
with who, when, why and each field's before and after. The database refuses to change or delete
one, as it does an audit record (0001, 0008): on PostgreSQL a row trigger and a TRUNCATE trigger,
on SQLite row triggers.

Revision ID: 0010_event_revisions
Revises: 0009_audit_keys_by_field_name
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_event_revisions"
down_revision = "0009_audit_keys_by_field_name"
branch_labels = None
depends_on = None

REFUSAL = "event revisions are append-only"


def upgrade():
    with op.batch_alter_table("safety_events", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("revision", sa.Integer(), server_default=sa.text("1"), nullable=False)
        )
        batch_op.add_column(
            sa.Column("version_id", sa.Integer(), server_default=sa.text("1"), nullable=False)
        )

    op.create_table(
        "event_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_event_revisions_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["safety_events.id"], name=op.f("fk_event_revisions_event_id_safety_events")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_revisions")),
        sa.UniqueConstraint("event_id", "number", name=op.f("uq_event_revisions_event_id")),
    )
    _install_guard()


def downgrade():
    _drop_guard()
    op.drop_table("event_revisions")
    with op.batch_alter_table("safety_events", schema=None) as batch_op:
        batch_op.drop_column("version_id")
        batch_op.drop_column("revision")


def _install_guard():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""
            CREATE FUNCTION event_revisions_refuse_change() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION '{REFUSAL}';
            END;
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            "CREATE TRIGGER event_revisions_append_only BEFORE UPDATE OR DELETE ON event_revisions "
            "FOR EACH ROW EXECUTE FUNCTION event_revisions_refuse_change()"
        )
        op.execute(
            "CREATE TRIGGER event_revisions_no_truncate BEFORE TRUNCATE ON event_revisions "
            "FOR EACH STATEMENT EXECUTE FUNCTION event_revisions_refuse_change()"
        )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER event_revisions_no_{event.lower()} BEFORE {event} "
                f"ON event_revisions BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
            )


def _drop_guard():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS event_revisions_no_truncate ON event_revisions")
        op.execute("DROP TRIGGER IF EXISTS event_revisions_append_only ON event_revisions")
        op.execute("DROP FUNCTION IF EXISTS event_revisions_refuse_change()")
    else:
        op.execute("DROP TRIGGER IF EXISTS event_revisions_no_update")
        op.execute("DROP TRIGGER IF EXISTS event_revisions_no_delete")
