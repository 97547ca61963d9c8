"""Issue 17's leftovers: the import record's upload_path dropped; a new token's reveal held once

The upload is kept under IMPORT_FOLDER by the import's id while its job runs and removed after
(psirf/imports/services.py, file_paths), so upload_path only ever held NULL. api_token_reveals
holds half of a new token's secret for the one page that shows it (psirf/accounts/tokens.py).

Revision ID: 0021_import_leftovers
Revises: 0020_event_imports
"""

import sqlalchemy as sa
from alembic import op

revision = "0021_import_leftovers"
down_revision = "0020_event_imports"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("event_imports") as batch:
        batch.drop_column("upload_path")
    op.create_table(
        "api_token_reveals",
        sa.Column("token_id", sa.Integer(), nullable=False),
        sa.Column("pad", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["token_id"], ["api_tokens.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("token_id"),
    )


def downgrade():
    op.drop_table("api_token_reveals")
    with op.batch_alter_table("event_imports") as batch:
        batch.add_column(sa.Column("upload_path", sa.String(length=500), nullable=True))
