"""Rollups the ICB and group dashboards read: themes by area, and the equality breakdowns

`theme_rollups` holds safety events (good care left out) by area (an ICB, or a PCN or federation
a service is a member of), month, theme and shard (the service's id mod 8 in an ICB's rows, mod 2 in a group's, summed at read time so
services recording at once seldom share a row); `equality_rollups` the patients of an ICB's safety
events by month, characteristic, value and shard, with how many came to moderate harm or worse.
Both are filled here from the events, by the same SELECTs that keep and check them
(psirf/events/rollups.py).

Revision ID: 0015_rollups
Revises: 0014_plan_document_control
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_rollups"
down_revision = "0014_plan_document_control"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "theme_rollups",
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("theme", sa.String(length=30), nullable=False),
        sa.Column("shard", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"], ["organisations.id"], name=op.f("fk_theme_rollups_area_id_organisations")
        ),
        sa.PrimaryKeyConstraint(
            "area_id", "month", "theme", "shard", name=op.f("pk_theme_rollups")
        ),
    )
    op.create_index("ix_theme_rollups_series", "theme_rollups", ["area_id", "theme", "month"])
    op.create_table(
        "equality_rollups",
        sa.Column("icb_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("characteristic", sa.String(length=20), nullable=False),
        sa.Column("value", sa.String(length=30), nullable=False),
        sa.Column("shard", sa.Integer(), nullable=False),
        sa.Column("patients", sa.Integer(), nullable=False),
        sa.Column("serious", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["icb_id"], ["organisations.id"], name=op.f("fk_equality_rollups_icb_id_organisations")
        ),
        sa.PrimaryKeyConstraint(
            "icb_id", "month", "characteristic", "value", "shard", name=op.f("pk_equality_rollups")
        ),
    )
    # Filled by the app's own SELECTs, so what this revision writes is what the check expects;
    # theme_rollups by its SELECT as it stood at this revision (its count alone): the app's own
    # now reads a column a later revision adds (0026_repeat_presentation, which defaults to 0).
    from psirf.events.models import SafetyEvent
    from psirf.events.rollups import (
        EqualityRollup,
        ROLLUPS,
        ThemeRollup,
        areas,
        counted_record_types,
        month_start,
    )

    bind = op.get_bind()
    area = areas()
    keys = (area.c.area_id, month_start(SafetyEvent.occurred_on), SafetyEvent.theme, area.c.shard)
    themes = (
        sa.select(*keys, sa.func.count())
        .join(area, area.c.organisation_id == SafetyEvent.organisation_id)
        .where(SafetyEvent.record_type.in_(counted_record_types()))
        .group_by(*keys)
    )
    bind.execute(
        ThemeRollup.__table__.insert().from_select(
            ["area_id", "month", "theme", "shard", "count"], themes, include_defaults=False
        )
    )
    for rollup in ROLLUPS:
        if rollup.table is EqualityRollup.__table__:
            bind.execute(
                rollup.table.insert().from_select(
                    [*rollup.keys, *rollup.measures], rollup.compute(SafetyEvent.id.is_not(None))
                )
            )


def downgrade():
    op.drop_table("equality_rollups")
    op.drop_index("ix_theme_rollups_series", table_name="theme_rollups")
    op.drop_table("theme_rollups")
