"""One case when a response changes course, and targets in hours due at their hour

A response that goes on as another method (a SWARM huddle continued as an after action review, a
review widened to a cross-organisational response) now stays one response: the method it leaves
is kept in `response_method_stages`, with the sections it recorded. `learning_responses.due_at`
is the moment a response with a target in hours falls due (a SWARM huddle, 48 hours from when it
was called), and `due_reset_reason` why the lead counted the target from a change of course.

Existing data: each response with a target in hours and no agreed extension is given the moment
its workflow version's target sets (its day, `due_on`, is that moment's day already); an agreed
extension was to a day, and stays one. Responses that went on as another method before this
revision are pairs of responses linked as "Continued as" or "Widened to": they are left as they
are, two linked records whose pages point to each other. Merging them would re-key their audit
trails, which the database refuses (0001), and change references people have already used.

Revision ID: 0011_one_case_course
Revises: 0010_event_revisions
"""

from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
import yaml
from alembic import op

revision = "0011_one_case_course"
down_revision = "0010_event_revisions"
branch_labels = None
depends_on = None

WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"


def upgrade():
    op.create_table(
        "response_method_stages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=30), nullable=False),
        sa.Column("workflow_name", sa.String(length=60), nullable=False),
        sa.Column("workflow_version", sa.Integer(), nullable=False),
        sa.Column("state_reached", sa.String(length=40), nullable=False),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("due_at", sa.DateTime(), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=False),
        sa.Column("ended_by_id", sa.Integer(), nullable=True),
        sa.Column("went_on_as", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["ended_by_id"], ["users.id"], name=op.f("fk_response_method_stages_ended_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["learning_responses.id"],
            name=op.f("fk_response_method_stages_response_id_learning_responses"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_response_method_stages")),
        sa.UniqueConstraint(
            "response_id", "position", name=op.f("uq_response_method_stages_response_id")
        ),
    )
    with op.batch_alter_table("learning_responses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("due_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("due_reset_reason", sa.Text(), nullable=True))
    _give_hour_targets_their_moment()


def _hours_by_workflow() -> dict[tuple[str, int], int]:
    """Each workflow version whose target counts in hours, as its file declares it."""
    hours = {}
    for path in sorted(WORKFLOWS.glob("*.yaml")) + sorted((WORKFLOWS / "versions").glob("*.yaml")):
        data = yaml.safe_load(path.read_text()) or {}
        within = (data.get("target") or {}).get("close_within_hours")
        if within:
            hours[(data["name"], int(data["version"]))] = int(within)
    return hours


def _give_hour_targets_their_moment() -> None:
    responses = sa.table(
        "learning_responses",
        sa.column("id", sa.Integer),
        sa.column("workflow_name", sa.String),
        sa.column("workflow_version", sa.Integer),
        sa.column("created_at", sa.DateTime),
        sa.column("due_on", sa.Date),
        sa.column("due_at", sa.DateTime),
        sa.column("extension_reason", sa.Text),
    )
    connection = op.get_bind()
    for (name, version), hours in _hours_by_workflow().items():
        rows = connection.execute(
            sa.select(responses.c.id, responses.c.created_at).where(
                responses.c.workflow_name == name,
                responses.c.workflow_version == version,
                responses.c.due_on.is_not(None),
                responses.c.extension_reason.is_(None),
            )
        ).all()
        if rows:
            connection.execute(
                responses.update()
                .where(responses.c.id == sa.bindparam("row_id"))
                .values(due_at=sa.bindparam("moment")),
                [
                    {"row_id": row.id, "moment": row.created_at + timedelta(hours=hours)}
                    for row in rows
                ],
            )


def downgrade():
    with op.batch_alter_table("learning_responses", schema=None) as batch_op:
        batch_op.drop_column("due_reset_reason")
        batch_op.drop_column("due_at")
    op.drop_table("response_method_stages")
