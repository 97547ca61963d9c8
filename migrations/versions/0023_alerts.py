"""National patient safety alerts: the alert, its actions, the services it was issued to, each
service's confirmation of each action and the log of every confirmation given.

Revision ID: 0023_alerts
Revises: 0022_readiness
"""

from alembic import op
import sqlalchemy as sa

revision = "0023_alerts"
down_revision = "0022_readiness"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("icb_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("link", sa.String(length=500), nullable=False),
        sa.Column("service_kinds", sa.String(length=100), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("sent_by_id", sa.Integer(), nullable=True),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_alerts_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["icb_id"], ["organisations.id"], name=op.f("fk_alerts_icb_id_organisations")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_alerts_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["sent_by_id"], ["users.id"], name=op.f("fk_alerts_sent_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
        sa.UniqueConstraint("organisation_id", "reference", name=op.f("uq_alerts_organisation_id")),
    )
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.create_index("ix_alerts_icb_created", ["icb_id", "created_at", "id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_alerts_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "alert_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_id"], ["alerts.id"], name=op.f("fk_alert_actions_alert_id_alerts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_actions")),
    )
    with op.batch_alter_table("alert_actions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alert_actions_alert_id"), ["alert_id"], unique=False)

    op.create_table(
        "alert_recipients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_id"], ["alerts.id"], name=op.f("fk_alert_recipients_alert_id_alerts")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_alert_recipients_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_recipients")),
        sa.UniqueConstraint(
            "alert_id", "organisation_id", name=op.f("uq_alert_recipients_alert_id")
        ),
    )
    with op.batch_alter_table("alert_recipients", schema=None) as batch_op:
        batch_op.create_index(
            "ix_alert_recipients_organisation", ["organisation_id", "alert_id"], unique=False
        )

    op.create_table(
        "alert_confirmations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("expected_on", sa.Date(), nullable=True),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("confirmed_by_id", sa.Integer(), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["alert_actions.id"],
            name=op.f("fk_alert_confirmations_action_id_alert_actions"),
        ),
        sa.ForeignKeyConstraint(
            ["alert_id"], ["alerts.id"], name=op.f("fk_alert_confirmations_alert_id_alerts")
        ),
        sa.ForeignKeyConstraint(
            ["confirmed_by_id"],
            ["users.id"],
            name=op.f("fk_alert_confirmations_confirmed_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_alert_confirmations_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_confirmations")),
        sa.UniqueConstraint(
            "action_id", "organisation_id", name=op.f("uq_alert_confirmations_action_id")
        ),
    )
    with op.batch_alter_table("alert_confirmations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_alert_confirmations_alert", ["alert_id", "organisation_id"], unique=False
        )
        batch_op.create_index(
            "ix_alert_confirmations_overdue",
            ["organisation_id", "status", "deadline"],
            unique=False,
        )

    op.create_table(
        "alert_confirmation_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("confirmation_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("expected_on", sa.Date(), nullable=True),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("confirmed_by_id", sa.Integer(), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["confirmation_id"],
            ["alert_confirmations.id"],
            name=op.f("fk_alert_confirmation_log_confirmation_id_alert_confirmations"),
        ),
        sa.ForeignKeyConstraint(
            ["confirmed_by_id"],
            ["users.id"],
            name=op.f("fk_alert_confirmation_log_confirmed_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_confirmation_log")),
    )
    with op.batch_alter_table("alert_confirmation_log", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_alert_confirmation_log_confirmation_id"),
            ["confirmation_id"],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table("alert_confirmation_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alert_confirmation_log_confirmation_id"))

    op.drop_table("alert_confirmation_log")
    with op.batch_alter_table("alert_confirmations", schema=None) as batch_op:
        batch_op.drop_index("ix_alert_confirmations_overdue")
        batch_op.drop_index("ix_alert_confirmations_alert")

    op.drop_table("alert_confirmations")
    with op.batch_alter_table("alert_recipients", schema=None) as batch_op:
        batch_op.drop_index("ix_alert_recipients_organisation")

    op.drop_table("alert_recipients")
    with op.batch_alter_table("alert_actions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alert_actions_alert_id"))

    op.drop_table("alert_actions")
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alerts_organisation_id"))
        batch_op.drop_index("ix_alerts_icb_created")

    op.drop_table("alerts")
