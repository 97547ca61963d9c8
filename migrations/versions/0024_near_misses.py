"""The pharmacy near-miss log: one row per error caught before a medicine left the pharmacy, with
the safety event it became when promoted (unique: one event, however many clicks)

Revision ID: 0024_near_misses
Revises: 0023_alerts
"""

import sqlalchemy as sa
from alembic import op

revision = "0024_near_misses"
down_revision = "0023_alerts"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "near_misses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("error_type", sa.String(length=30), nullable=False),
        sa.Column("stage", sa.String(length=30), nullable=False),
        sa.Column("medicine", sa.String(length=200), nullable=False),
        sa.Column("medicine_key", sa.String(length=200), nullable=False),
        sa.Column("dmd_code", sa.String(length=18), nullable=True),
        sa.Column("cause", sa.String(length=30), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("promoted_at", sa.DateTime(), nullable=True),
        sa.Column("promoted_by_id", sa.Integer(), nullable=True),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name="fk_near_misses_organisation_id_organisations",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name="fk_near_misses_recorded_by_id_users"
        ),
        sa.ForeignKeyConstraint(
            ["promoted_by_id"], ["users.id"], name="fk_near_misses_promoted_by_id_users"
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["safety_events.id"], name="fk_near_misses_event_id_safety_events"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_near_misses"),
        sa.UniqueConstraint("event_id", name="uq_near_misses_event_id"),
    )
    op.create_index(
        "ix_near_misses_org_created", "near_misses", ["organisation_id", "created_at", "id"]
    )
    op.create_index(
        "ix_near_misses_org_occurred",
        "near_misses",
        ["organisation_id", "occurred_on", "medicine_key"],
    )


def downgrade():
    op.drop_index("ix_near_misses_org_occurred", table_name="near_misses")
    op.drop_index("ix_near_misses_org_created", table_name="near_misses")
    op.drop_table("near_misses")
