"""The duty of candour for every provider, and its steps complete and in order

Revision ID: 0012_candour_steps
Revises: 0011_one_case_course
Create Date: 2026-12-06

A candour record names which of regulation 20's two tests it applied: the one for health service
bodies (an NHS trust) or the one for other registered persons. Records already made chose their
criteria from the second, the only one there was, and now say so. The steps gain what regulation
20 asks for beyond the two notifications: that the person could not be reached or declined (after
the attempts), the secure written record (where it is, who confirmed it is kept, when), and the
support offered.

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0012_candour_steps"
down_revision = "0011_one_case_course"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("candour_records", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "test", sa.String(length=30), server_default="registered_person", nullable=False
            )
        )
        batch_op.add_column(sa.Column("unreachable", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("unreachable_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("record_reference", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("record_kept_by", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("record_kept_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("support_offered", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("support_offered_on", sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table("candour_records", schema=None) as batch_op:
        batch_op.drop_column("support_offered_on")
        batch_op.drop_column("support_offered")
        batch_op.drop_column("record_kept_on")
        batch_op.drop_column("record_kept_by")
        batch_op.drop_column("record_reference")
        batch_op.drop_column("unreachable_on")
        batch_op.drop_column("unreachable")
        batch_op.drop_column("test")
