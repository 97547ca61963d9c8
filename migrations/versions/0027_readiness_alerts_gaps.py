"""Readiness: a member of staff who leaves is marked as left, with the date, rather than removed,
so their training stays in the history while the syllabus shares count only those still there.

Everyone listed before this is still there (NULL).

Revision ID: 0027_readiness_alerts_gaps
Revises: 0026_repeat_presentation
"""

import sqlalchemy as sa
from alembic import op

revision = "0027_readiness_alerts_gaps"
down_revision = "0026_repeat_presentation"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("readiness_staff") as batch:
        batch.add_column(sa.Column("left_on", sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table("readiness_staff") as batch:
        batch.drop_column("left_on")
