"""The LFPSE export queue: one row for each revision of each event LFPSE is to receive

Unique on (event, revision): a revision is queued once and so sent once. Senders find what is due
by (state, next_attempt_at); the leads' list and the ICB's counts read (organisation, state).

Revision ID: 0019_lfpse_exports
Revises: 0018_api_tokens
"""

import sqlalchemy as sa
from alembic import op

revision = "0019_lfpse_exports"
down_revision = "0018_api_tokens"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "lfpse_exports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["safety_events.id"], name=op.f("fk_lfpse_exports_event_id_safety_events")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_lfpse_exports_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lfpse_exports")),
        sa.UniqueConstraint("event_id", "revision", name="uq_lfpse_exports_event_revision"),
    )
    op.create_index("ix_lfpse_exports_due", "lfpse_exports", ["state", "next_attempt_at", "id"])
    op.create_index(
        "ix_lfpse_exports_org_state",
        "lfpse_exports",
        ["organisation_id", "state", "created_at", "id"],
    )


def downgrade():
    op.drop_index("ix_lfpse_exports_org_state", table_name="lfpse_exports")
    op.drop_index("ix_lfpse_exports_due", table_name="lfpse_exports")
    op.drop_table("lfpse_exports")
