"""Bulk import of historic events: the source's reference on each event, and the import record

An imported event keeps the sending system's own reference, unique per organisation, so importing
the same file twice adds nothing the second time (events recorded here have none: NULLs never
collide). The import record holds a run's state, counts and where its report is.

Revision ID: 0020_event_imports
Revises: 0019_lfpse_exports
"""

import sqlalchemy as sa
from alembic import op

revision = "0020_event_imports"
down_revision = "0019_lfpse_exports"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("safety_events") as batch:
        batch.add_column(sa.Column("source_reference", sa.String(length=100), nullable=True))
        batch.create_unique_constraint(
            "uq_safety_events_source_reference", ["organisation_id", "source_reference"]
        )
    op.create_table(
        "event_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("icb_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("source_format", sa.String(length=20), nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("batch_size", sa.Integer(), nullable=False),
        sa.Column("organisation_ods_code", sa.String(length=10), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("imported", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.Column("refused", sa.Integer(), nullable=False),
        sa.Column("faults", sa.Integer(), nullable=False),
        sa.Column("batches", sa.Integer(), nullable=False),
        sa.Column("bytes_total", sa.Integer(), nullable=False),
        sa.Column("bytes_read", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("upload_path", sa.String(length=500), nullable=True),
        sa.Column("report_path", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name="fk_event_imports_created_by_id_users"
        ),
        sa.ForeignKeyConstraint(
            ["icb_id"], ["organisations.id"], name="fk_event_imports_icb_id_organisations"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_event_imports"),
    )
    op.create_index(
        "ix_event_imports_icb_created", "event_imports", ["icb_id", "created_at", "id"]
    )


def downgrade():
    op.drop_index("ix_event_imports_icb_created", table_name="event_imports")
    op.drop_table("event_imports")
    with op.batch_alter_table("safety_events") as batch:
        batch.drop_constraint("uq_safety_events_source_reference", type_="unique")
        batch.drop_column("source_reference")
