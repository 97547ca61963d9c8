"""Migrations carry existing data forward."""

import json
from contextlib import contextmanager

import pytest
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from psirf import create_app
from psirf.config import PROJECT_ROOT
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


def test_audit_changes_stored_under_labels_are_rewritten_to_field_names(database):
    """Old records keyed by English labels are keyed by field name after 0009, the guard against
    changing the trail is back in place, and a downgrade writes the labels back."""
    url = database()
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        downgrade(revision="0008_audit_trail_stays")
        engine = create_engine(url)
        old = {
            1: (
                "action:details",
                "safety_actions",
                {"Due date": {"before": None, "after": "2026-03-01"}},
            ),
            2: (
                "edit:contribution",
                "learning_responses",
                {"Contribution from North Practice": {"before": None, "after": "Notes"}},
            ),
            3: (
                "engagement:person_updated",
                "learning_responses",
                {"Family member: Language": {"before": None, "after": "changed"}},
            ),
            4: (
                "edit:plan",
                "learning_responses",
                {"Who will conduct the review?": {"before": None, "after": "Dr Jones"}},
            ),
            5: (
                "transition:approve",
                "learning_responses",
                {"state": {"before": "panel_review", "after": "closed"}},
            ),
        }
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO organisations (id, ods_code, name, kind, created_at) VALUES (1, 'A00001', 'P', 'practice', '2026-01-01')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO learning_responses (id, method, organisation_id, workflow_name, workflow_version, state, version_id, record, created_at, updated_at) "
                    "VALUES (7, 'after_action_review', 1, 'after_action_review', 1, 'in_review', 1, '{}', '2026-01-01', '2026-01-01')"
                )
            )
            for id, (action, subject_type, changes) in old.items():
                conn.execute(
                    text(
                        "INSERT INTO audit_records (id, occurred_at, action, subject_type, subject_id, organisation_id, changes) "
                        "VALUES (:id, '2026-01-02', :action, :subject_type, 7, 1, :changes)"
                    ),
                    {
                        "id": id,
                        "action": action,
                        "subject_type": subject_type,
                        "changes": json.dumps(changes),
                    },
                )
        upgrade()

        def stored():
            with engine.connect() as conn:
                rows = conn.execute(text("SELECT id, changes FROM audit_records ORDER BY id")).all()
            return {
                id: changes if isinstance(changes, dict) else json.loads(changes)
                for id, changes in rows
            }

        assert stored() == {
            1: {"due_on": {"before": None, "after": "2026-03-01"}},
            2: {"contribution": {"before": None, "after": "Notes", "of": "North Practice"}},
            3: {"language": {"before": None, "after": "changed", "of": "Family member"}},
            4: {"conductor": {"before": None, "after": "Dr Jones"}},
            5: {"state": {"before": "panel_review", "after": "closed"}},
        }
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text("UPDATE audit_records SET comment = 'rewritten' WHERE id = 1"))

        downgrade(
            revision="0008_audit_trail_stays"
        )  # and back, for a release that must be withdrawn
        assert stored() == {id: changes for id, (_, _, changes) in old.items()}
        upgrade()
        db.session.remove()
        engine.dispose()


@contextmanager
def practice_at_0009(database):
    """A new database taken down to 0009 with one practice (id 1) in it; taken back up to the
    head, and let go, when the test is done with it."""
    url = database()
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        downgrade(revision="0009_audit_keys_by_field_name")
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO organisations (id, ods_code, name, kind, created_at) "
                    "VALUES (1, 'A00001', 'P', 'practice', '2026-01-01')"
                )
            )
        yield engine
        upgrade()
        db.session.remove()
        engine.dispose()


def test_candour_records_made_before_0012_name_the_test_they_chose_their_criteria_from(database):
    """Until 0012 there was one candour test, for registered persons that are not health service
    bodies: the records made then keep their criteria under it, and 0012 comes off again."""
    with practice_at_0009(database) as engine:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO learning_responses (id, method, organisation_id, workflow_name, workflow_version, state, version_id, record, created_at, updated_at) "
                    "VALUES (7, 'after_action_review', 1, 'after_action_review', 1, 'in_review', 1, '{}', '2026-01-01', '2026-01-01')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO candour_records (id, response_id, decision, criteria, decided_on, notified_on, created_at, updated_at) "
                    "VALUES (3, 7, 'applies', '[\"prolonged_pain\"]', '2026-01-05', '2026-01-06', '2026-01-05', '2026-01-05')"
                )
            )
        upgrade()
        with engine.connect() as conn:
            row = conn.execute(
                text("SELECT test, notified_on, record_kept_on FROM candour_records WHERE id = 3")
            ).one()
        assert (row.test, str(row.notified_on), row.record_kept_on) == (
            "registered_person",
            "2026-01-06",
            None,
        )
        downgrade(revision="0009_audit_keys_by_field_name")
        with engine.connect() as conn:
            columns = conn.execute(text("SELECT * FROM candour_records WHERE id = 3")).keys()
        assert "test" not in columns and "notified_on" in columns


def test_events_recorded_before_revisions_stand_at_revision_1_and_the_downgrade_drops_them(
    database,
):
    with practice_at_0009(database) as engine:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO safety_events (id, reference, organisation_id, record_type, theme, occurred_on, description, agents, processes, never_event, national_flags, status, reporter_kind, identity_protected, created_at, updated_at) "
                    "VALUES (5, 'PSE-2026-000005', 1, 'incident', 'medication', '2026-01-01', 'Before', '[]', '[]', false, '[]', 'awaiting_triage', 'staff', false, '2026-01-01', '2026-01-01')"
                )
            )
        upgrade()
        with engine.connect() as conn:
            assert conn.execute(
                text("SELECT revision, version_id FROM safety_events WHERE id = 5")
            ).one() == (1, 1)
        downgrade(revision="0009_audit_keys_by_field_name")
        with engine.connect() as conn:
            assert conn.execute(text("SELECT description FROM safety_events")).scalar() == "Before"


def test_huddles_get_the_hour_they_are_due_and_pairs_that_changed_course_stay_linked(database):
    """0011: a huddle with no extension is due at its 48th hour; an extension stays a day; a
    huddle that went on as a review before stays a pair of linked responses, as it was."""
    with practice_at_0009(database) as engine:
        with engine.begin() as conn:
            for id, method, state, due_on, extension in (
                (1, "swarm_huddle", "huddle", "2026-06-03", None),
                (2, "swarm_huddle", "huddle", "2026-06-20", "Staff away"),
                (3, "swarm_huddle", "became_aar", "2026-06-03", None),
                (4, "after_action_review", "planning", "2026-07-14", None),
            ):
                conn.execute(
                    text(
                        "INSERT INTO learning_responses (id, reference, method, organisation_id, "
                        "workflow_name, workflow_version, state, version_id, record, due_on, "
                        "extension_reason, created_at, updated_at) VALUES (:id, :ref, :method, 1, "
                        ":method, 2, :state, 1, '{}', :due_on, :extension, "
                        "'2026-06-01 14:00:00', '2026-06-01 14:00:00')"
                    ),
                    {
                        "id": id,
                        "ref": f"LR-2026-00000{id}",
                        "method": method,
                        "state": state,
                        "due_on": due_on,
                        "extension": extension,
                    },
                )
            conn.execute(
                text(
                    "INSERT INTO response_links (from_id, to_id, kind, created_at) "
                    "VALUES (3, 4, 'became', '2026-06-02')"
                )
            )
        upgrade()
        with engine.connect() as conn:
            due = dict(conn.execute(text("SELECT id, due_at FROM learning_responses")).all())
            links = conn.execute(text("SELECT from_id, to_id, kind FROM response_links")).all()
            stages = conn.execute(text("SELECT count(*) FROM response_method_stages")).scalar()
        assert str(due[1]).startswith("2026-06-03 14:00:00")
        assert due[2] is None and due[4] is None  # an extension to a day; a target in days
        assert [tuple(link) for link in links] == [(3, 4, "became")] and stages == 0
        downgrade(revision="0009_audit_keys_by_field_name")  # and back


def test_every_revision_id_fits_alembic_version_s_column_on_postgresql():
    """alembic_version.version_num is VARCHAR(32): a longer id fails only on PostgreSQL."""
    scripts = ScriptDirectory(str(PROJECT_ROOT / "migrations"))
    too_long = [s.revision for s in scripts.walk_revisions() if len(s.revision) > 32]
    assert not too_long
