"""Personal API tokens for the JSON API

Each row is one token a person made for themselves: a keyed hash of its secret (never the secret),
a short prefix shown on the pages, its scope, the last day it works, when it was last used and,
once revoked, when and by whom.

Revision ID: 0018_api_tokens
Revises: 0017_dashboard_figures
"""

import sqlalchemy as sa
from alembic import op

revision = "0018_api_tokens"
down_revision = "0017_dashboard_figures"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("scope", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.Column("last_used_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_api_tokens_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by_id"], ["users.id"], name=op.f("fk_api_tokens_revoked_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("secret_hash", name=op.f("uq_api_tokens_secret_hash")),
    )
    op.create_index("ix_api_tokens_user", "api_tokens", ["user_id", "created_at", "id"])
    op.create_index("ix_api_tokens_created", "api_tokens", ["created_at", "id"])


def downgrade():
    op.drop_index("ix_api_tokens_created", table_name="api_tokens")
    op.drop_index("ix_api_tokens_user", table_name="api_tokens")
    op.drop_table("api_tokens")
