"""Organisations found by the start of their name within an ICB; people listed newest first

Choosing an organisation is a search (psirf/organisations/search.py), never a list of an ICB's
thousand: the start of a name, in any case, within one ICB, is a range on (icb_id, lower(name)).
On PostgreSQL the lowered name is indexed under the "C" collation, as the search compares it, so
the range holds exactly the names that start with what was typed. SQLite reads the ICB's rows by
ix_organisations_icb_id and compares their names (its reflection cannot read an expression index,
so the models, which migrations are checked against, cannot declare one). The administrators'
list of accounts pages by (created_at, id).

Revision ID: 0016_org_search
Revises: 0014_plan_document_control
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_org_search"
down_revision = "0015_rollups"
branch_labels = None
depends_on = None


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade():
    if _postgresql():
        op.create_index(
            "ix_organisations_icb_lower_name",
            "organisations",
            ["icb_id", sa.text('lower(name) COLLATE "C"')],
        )
    op.create_index("ix_users_created", "users", ["created_at", "id"])


def downgrade():
    op.drop_index("ix_users_created", table_name="users")
    if _postgresql():
        op.drop_index("ix_organisations_icb_lower_name", table_name="organisations")
