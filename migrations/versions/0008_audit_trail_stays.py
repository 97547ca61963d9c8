"""The audit trail stays: TRUNCATE refused, and only its owner may change the table

On PostgreSQL a BEFORE TRUNCATE trigger joins the row triggers of 0001, and no role but the table's
owner keeps UPDATE, DELETE, TRUNCATE, REFERENCES or TRIGGER on it. Run migrations as the schema's
owner and the application as another role (README, "Running in production"): the application can
then add and read audit records, and can neither remove them nor drop the triggers that guard them.
SQLite has no roles and no TRUNCATE; its triggers from 0001 stay as they are.

Revision ID: 0008_audit_trail_stays
Revises: 0007_sessions_and_drafts
"""
from alembic import op

revision = '0008_audit_trail_stays'
down_revision = '0007_sessions_and_drafts'
branch_labels = None
depends_on = None

WITHHELD = "UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER"


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE TRIGGER audit_records_no_truncate BEFORE TRUNCATE ON audit_records "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_records_refuse_change()"
    )
    # Every grantee but the owner, PUBLIC included, whatever default privileges gave them.
    op.execute(f"REVOKE {WITHHELD} ON audit_records FROM PUBLIC")
    op.execute(
        f"""
        DO $$
        DECLARE grantee_name text;
        BEGIN
            FOR grantee_name IN
                SELECT DISTINCT pg_get_userbyid(acl.grantee)
                FROM pg_class c, aclexplode(c.relacl) acl
                WHERE c.oid = 'audit_records'::regclass AND acl.grantee <> 0 AND acl.grantee <> c.relowner
            LOOP
                EXECUTE format('REVOKE {WITHHELD} ON audit_records FROM %I', grantee_name);
            END LOOP;
        END
        $$
        """
    )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS audit_records_no_truncate ON audit_records")
