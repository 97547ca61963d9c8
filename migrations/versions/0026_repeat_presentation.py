"""Repeat presentation ("three strikes and we rethink"): the answer on each diagnosis event, and
how many repeat presentations each rollup row counts

Every event stored before this has no answer (NULL), so every rollup row's repeat presentations
are 0, which the server default gives: the rollups stay exact without a rebuild.

Revision ID: 0026_repeat_presentation
Revises: 0025_bulletins
"""

import sqlalchemy as sa
from alembic import op

revision = "0026_repeat_presentation"
down_revision = "0025_bulletins"
branch_labels = None
depends_on = None

ROLLUPS = ("event_counts", "theme_rollups")


def upgrade():
    with op.batch_alter_table("safety_events") as batch:
        batch.add_column(sa.Column("repeat_presentation", sa.String(length=10), nullable=True))
    for table in ROLLUPS:
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column("repeat_presentations", sa.Integer(), nullable=False, server_default="0")
            )


def downgrade():
    for table in reversed(ROLLUPS):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("repeat_presentations")
    with op.batch_alter_table("safety_events") as batch:
        batch.drop_column("repeat_presentation")
