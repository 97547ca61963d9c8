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
            conn.execute(text("INSERT INTO organisations (id, ods_code, name, kind, created_at) VALUES (1, 'A00001', 'P', 'practice', '2026-01-01')"))
            conn.execute(text(
                "INSERT INTO learning_responses (id, method, organisation_id, workflow_name, workflow_version, state, version_id, created_at, updated_at) "
                "VALUES (7, 'after_action_review', 1, 'after_action_review', 1, 'in_review', 1, '2026-01-01', '2026-01-01')"
            ))
            conn.execute(text(
                "INSERT INTO after_action_reviews (response_id, conductor, review_on, expected, learning_summary) "
                "VALUES (7, 'Dr Jones', '2026-02-03', 'A check', 'Protected time')"
            ))
        upgrade()
        with engine.connect() as conn:
            record = conn.execute(text("SELECT record FROM learning_responses WHERE id = 7")).scalar_one()
        assert '"conductor": "Dr Jones"' in record and '"review_on": "2026-02-03"' in record
        assert '"timing": "hot"' in record and '"learning_summary": "Protected time"' in record
        downgrade(revision="0001_initial")  # and back, for a release that must be withdrawn
        db.session.remove()
        engine.dispose()
