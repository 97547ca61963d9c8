"""Document control read from what people did, and the family's words quoted in reports by their choice

A plan's author, reviewer and approver are now read from who generated, submitted and approved it,
and its version history from its audit trail: nothing to store. Its distribution list lives in the
plan's content beside its other sections, so each version keeps the list it was submitted with;
plans generated before this revision show "None recorded" until their authors list recipients.

An engagement step gains `in_report`: whether the account or question it records may be quoted in
the response's report. Every step recorded before this revision stays out of reports (false) until
the person affected chooses otherwise.

Revision ID: 0014_plan_document_control
Revises: 0013_recommendation_source
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_plan_document_control"
down_revision = "0013_recommendation_source"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("engagement_steps", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("in_report", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade():
    with op.batch_alter_table("engagement_steps", schema=None) as batch_op:
        batch_op.drop_column("in_report")
