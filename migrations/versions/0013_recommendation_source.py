"""The rule each triage recommendation came from (and why the Never Events list needs no table)

The Never Events list moves from a Python enum to seed/never_events.yaml, read by the application
(psirf/triage/never_events.py) with each type's effective dates. It needs no table: the keys are
the ones the enum stored in safety_events.never_event_type, a withdrawn type stays in the file, so
every stored event keeps its type, and a later change to the framework is a change to that file.

What this revision adds is the source of each triage recommendation, stored with the decision: a
national requirement's row, or the plan (with its version) and the row the recommendation came
from. Events triaged before it have none.

Revision ID: 0013_recommendation_source
Revises: 0012_candour_steps
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_recommendation_source"
down_revision = "0012_candour_steps"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("safety_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("triage_recommendation_source", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("safety_events", schema=None) as batch_op:
        batch_op.drop_column("triage_recommendation_source")
