"""Migrations carry existing data forward."""

from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, text

from psirf import create_app
from psirf.extensions import db


def test_an_after_action_review_moves_into_its_responses_record(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        upgrade(revision="0001_initial")
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO organisations (id, ods_code, name, kind, created_at) VALUES (1, 'A00001', 'P', 'practice', '2026-01-01')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO learning_responses (id, method, organisation_id, workflow_name, workflow_version, state, version_id, created_at, updated_at) "
                    "VALUES (7, 'after_action_review', 1, 'after_action_review', 1, 'in_review', 1, '2026-01-01', '2026-01-01')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO after_action_reviews (response_id, conductor, review_on, expected, learning_summary) "
                    "VALUES (7, 'Dr Jones', '2026-02-03', 'A check', 'Protected time')"
                )
            )
        upgrade()
        with engine.connect() as conn:
            record = conn.execute(
                text("SELECT record FROM learning_responses WHERE id = 7")
            ).scalar_one()
        assert '"conductor": "Dr Jones"' in record and '"review_on": "2026-02-03"' in record
        assert '"timing": "hot"' in record and '"learning_summary": "Protected time"' in record
        downgrade(revision="0001_initial")  # and back, for a release that must be withdrawn
        db.session.remove()
        engine.dispose()


def test_safety_actions_recorded_before_become_workflow_actions(tmp_path):
    """Open actions go back to being written (they carry no measure yet); completed ones await review."""
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        upgrade(revision="0004_family_notifications")
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO organisations (id, ods_code, name, kind, created_at) VALUES (3, 'A00003', 'P', 'practice', '2026-01-01')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO learning_responses (id, method, organisation_id, workflow_name, workflow_version, state, version_id, record, created_at, updated_at) "
                    "VALUES (7, 'after_action_review', 3, 'after_action_review', 1, 'in_review', 1, '{}', '2026-01-01', '2026-01-01')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO safety_actions (id, response_id, description, owner, due_on, status, created_at) VALUES "
                    "(1, 7, 'Protect checking time', 'Practice manager', '2026-03-01', 'open', '2026-01-02'), "
                    "(2, 7, 'Retune the alert', 'Clinical system lead', '2026-03-01', 'completed', '2026-01-03')"
                )
            )
        upgrade()
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT id, organisation_id, owner_organisation_id, workflow_name, state, completed_at IS NOT NULL "
                    "FROM safety_actions ORDER BY id"
                )
            ).all()
        assert [tuple(r) for r in rows] == [
            (1, 3, 3, "safety_action", "draft", 0),
            (2, 3, 3, "safety_action", "completed", 1),
        ]
        downgrade(revision="0004_family_notifications")
        db.session.remove()
        engine.dispose()
