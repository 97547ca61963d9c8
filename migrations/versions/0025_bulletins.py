"""Learning bulletins: a PCN's, federation's or ICB's learning for a period, and its points

One bulletin per area and period (the unique key), listed by area and state, newest first.

Revision ID: 0025_bulletins
Revises: 0024_near_misses
"""

from alembic import op
import sqlalchemy as sa

revision = "0025_bulletins"
down_revision = "0024_near_misses"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "bulletins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("introduction", sa.Text(), nullable=False),
        sa.Column("themes_text", sa.Text(), nullable=False),
        sa.Column("learning_text", sa.Text(), nullable=False),
        sa.Column("good_care_text", sa.Text(), nullable=False),
        sa.Column("actions_text", sa.Text(), nullable=False),
        sa.Column("events_total", sa.Integer(), nullable=False),
        sa.Column("events_previous", sa.Integer(), nullable=False),
        sa.Column("good_care_total", sa.Integer(), nullable=False),
        sa.Column("actions_agreed", sa.Integer(), nullable=False),
        sa.Column("actions_completed", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.Column("published_at", sa.DateTime(), nullable=True),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_bulletins_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_bulletins_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["published_by_id"], ["users.id"], name=op.f("fk_bulletins_published_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bulletins")),
        sa.UniqueConstraint(
            "organisation_id",
            "period_start",
            "period_end",
            name=op.f("uq_bulletins_organisation_id"),
        ),
    )
    with op.batch_alter_table("bulletins", schema=None) as batch_op:
        batch_op.create_index(
            "ix_bulletins_organisation_state",
            ["organisation_id", "state", "created_at", "id"],
            unique=False,
        )

    op.create_table(
        "bulletin_points",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bulletin_id", sa.Integer(), nullable=False),
        sa.Column("section", sa.String(length=20), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=True),
        sa.Column("previous", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["bulletin_id"], ["bulletins.id"], name=op.f("fk_bulletin_points_bulletin_id_bulletins")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bulletin_points")),
    )
    with op.batch_alter_table("bulletin_points", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_bulletin_points_bulletin_id"), ["bulletin_id"], unique=False
        )

    # The good care examples a bulletin draws: an area's good care records by when they happened.
    with op.batch_alter_table("safety_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_safety_events_good_care",
            ["organisation_id", "occurred_on"],
            unique=False,
            postgresql_where=sa.text("record_type = 'good_care'"),
            sqlite_where=sa.text("record_type = 'good_care'"),
        )


def downgrade():
    with op.batch_alter_table("safety_events", schema=None) as batch_op:
        batch_op.drop_index("ix_safety_events_good_care")
    with op.batch_alter_table("bulletin_points", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bulletin_points_bulletin_id"))

    op.drop_table("bulletin_points")
    with op.batch_alter_table("bulletins", schema=None) as batch_op:
        batch_op.drop_index("ix_bulletins_organisation_state")

    op.drop_table("bulletins")
