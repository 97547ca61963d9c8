"""Readiness against the primary care patient safety strategy's local commitments: each
organisation's record per commitment (status, evidence, who recorded and confirmed it, and the
counts the map reads), the people it names, its staff and their syllabus training

Revision ID: 0022_readiness
Revises: 0021_import_leftovers
"""

import sqlalchemy as sa
from alembic import op

revision = "0022_readiness"
down_revision = "0021_import_leftovers"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "readiness_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("commitment", sa.String(length=60), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("count", sa.Integer(), nullable=True),
        sa.Column("total", sa.Integer(), nullable=True),
        sa.Column("route", sa.String(length=40), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("evidence_on", sa.Date(), nullable=True),
        sa.Column("evidence_url", sa.String(length=500), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=True),
        sa.Column("confirmed_by_id", sa.Integer(), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_readiness_records_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["users.id"], name=op.f("fk_readiness_records_recorded_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["confirmed_by_id"],
            ["users.id"],
            name=op.f("fk_readiness_records_confirmed_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_readiness_records")),
        sa.UniqueConstraint(
            "organisation_id", "commitment", name=op.f("uq_readiness_records_organisation_id")
        ),
    )
    op.create_index(
        "ix_readiness_records_commitment_status",
        "readiness_records",
        ["commitment", "status", "organisation_id"],
    )
    op.create_table(
        "readiness_named_people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("commitment", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("since", sa.Date(), nullable=True),
        sa.Column("added_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_readiness_named_people_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["added_by_id"], ["users.id"], name=op.f("fk_readiness_named_people_added_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_readiness_named_people")),
    )
    op.create_index(
        "ix_readiness_named_people_org", "readiness_named_people", ["organisation_id", "commitment"]
    )
    op.create_table(
        "readiness_staff",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_readiness_staff_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_readiness_staff_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_readiness_staff")),
        sa.UniqueConstraint(
            "organisation_id", "email", name=op.f("uq_readiness_staff_organisation_id")
        ),
    )
    op.create_index(
        "ix_readiness_staff_org_name", "readiness_staff", ["organisation_id", "name", "id"]
    )
    op.create_index(op.f("ix_readiness_staff_user_id"), "readiness_staff", ["user_id"])
    op.create_table(
        "readiness_syllabus_completions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_member_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_member_id"],
            ["readiness_staff.id"],
            name=op.f("fk_readiness_syllabus_completions_staff_member_id_readiness_staff"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_readiness_syllabus_completions_recorded_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_readiness_syllabus_completions")),
        sa.UniqueConstraint(
            "staff_member_id",
            "level",
            name=op.f("uq_readiness_syllabus_completions_staff_member_id"),
        ),
    )


def downgrade():
    op.drop_table("readiness_syllabus_completions")
    op.drop_index(op.f("ix_readiness_staff_user_id"), table_name="readiness_staff")
    op.drop_index("ix_readiness_staff_org_name", table_name="readiness_staff")
    op.drop_table("readiness_staff")
    op.drop_index("ix_readiness_named_people_org", table_name="readiness_named_people")
    op.drop_table("readiness_named_people")
    op.drop_index("ix_readiness_records_commitment_status", table_name="readiness_records")
    op.drop_table("readiness_records")
