"""The import record's upload_path, never written: dropped

The upload is kept under IMPORT_FOLDER by the import's id while its job runs and removed after
(psirf/imports/services.py, file_paths), so the column only ever held NULL.

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


def downgrade():
    with op.batch_alter_table("event_imports") as batch:
        batch.add_column(sa.Column("upload_path", sa.String(length=500), nullable=True))
