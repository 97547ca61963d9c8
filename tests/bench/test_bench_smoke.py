"""The benchmark's harness at a tiny size: the seeder leaves every rollup exact, and the in-process
figures each produce their row. Timings are the benchmark's to report, never a test's to assert."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from bench import databases, figures, report, seed, strategy
from psirf.events import counts
from psirf.alerts.models import AlertConfirmation
from psirf.alerts.services import overdue_clause
from psirf.bulletins.models import Bulletin
from psirf.events.models import EventPatient, SafetyEvent
from psirf.nearmiss.models import NearMiss
from psirf.readiness.models import CommitmentRecord
from psirf.extensions import db
from tests.support import app as apps_support

TODAY = date(2026, 6, 15)
SIZE = seed.Size(events=300, services=12, pcns=3)
IN_PROCESS_FIGURES = {
    "/admin/organisations statements",
    "response page statements",
    "record a staff event statements",
    "plan generation: insight",
    "plan generation: PDF",
    "persisted workflow transition (median)",
}


@pytest.fixture
def bench_app(database, tmp_path):
    url = database()
    app = figures.in_process_app(url, tmp_path)
    with app.app_context():
        seeded = seed.seed(db.engine, SIZE, TODAY)
        seed.make_exact(db.session)
        seed.publish_bulletins(db.session, seeded, TODAY)
        db.session.remove()
    yield app, figures.Run(apps_support.BACKEND, url, tmp_path, seeded, TODAY, figures.Options())
    with app.app_context():
        db.engine.dispose()
    databases.empty_redis()


def test_the_seeder_writes_the_size_asked_for_with_rollups_equal_to_the_raw_counts(bench_app):
    app, run = bench_app
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SafetyEvent)) == SIZE.events
        assert db.session.scalar(select(func.count()).select_from(EventPatient)) > 0
        assert counts.differences(db.session) == []
        db.session.remove()
    assert len(run.seeded.service_ids) == SIZE.services
    assert run.seeded.rows["learning_responses"] > 0


def test_every_in_process_figure_has_its_row_in_the_table(bench_app):
    app, run = bench_app
    with app.app_context():
        subjects = figures.subjects(run)
        db.session.remove()
    figures.statement_counts(run, app, subjects)
    figures.plan_generation(run, app, subjects)
    figures.transition(run, app)

    assert IN_PROCESS_FIGURES <= {row.figure for row in run.rows}
    printed = report.table(run.rows)
    for figure in IN_PROCESS_FIGURES:
        assert figure in printed
    statuses = [row.note for row in run.rows if row.figure.endswith("statements")]
    assert statuses == ["status 200", "status 200", "status 302"]


def test_a_transition_is_timed_even_at_a_tiny_size(bench_app):
    app, run = bench_app
    figures.transition(run, app, repeats=1)

    (row,) = [row for row in run.rows if row.figure == "persisted workflow transition (median)"]
    assert row.unit == "ms"


def test_a_correction_changes_the_theme_and_answers_the_harm_the_form_asks_for():
    shown = [("record_type", "incident"), ("theme", "safeguarding"), ("patients-0-nhs_number", "")]

    answers = figures.correction_answers(shown, 0)

    assert answers["theme"] != "safeguarding"
    assert answers["patients-0-physical_harm"] == "none"
    assert answers["patients-0-psychological_harm"] == "none"
    assert answers["reason"]


def test_the_lfpse_export_figure_sends_every_event_it_queued_beside_its_baseline(bench_app):
    from bench import exporting

    app, run = bench_app
    exporting.lfpse_export(run, app, events=SIZE.events)

    (row,) = [row for row in run.rows if row.figure == exporting.FIGURE]
    assert row.unit == "events/s" and row.baseline is not None
    assert row.met, row.note
    assert exporting.FIGURE in report.table(run.rows)


def test_the_seeder_writes_issue_18s_records_with_readiness_counts_equal_to_their_rows(bench_app):
    app, run = bench_app
    pharmacies = {s for s in run.seeded.service_ids if run.seeded.kinds[s] == "pharmacy"}
    with app.app_context():
        session = db.session
        assert seed.readiness_differences(session) == []
        logging = set(session.scalars(select(NearMiss.organisation_id).distinct()))
        overdue = session.scalar(
            select(func.count(AlertConfirmation.id)).where(overdue_clause(TODAY))
        )
        published = session.scalar(
            select(func.count()).select_from(Bulletin).where(Bulletin.state == "published")
        )
        db.session.remove()
    assert pharmacies and logging == pharmacies
    assert overdue > 0
    assert published == 2 * (len(run.seeded.pcn_ids) + 1)


def test_a_readiness_count_that_differs_from_its_rows_is_found(bench_app):
    app, _ = bench_app
    with app.app_context():
        record = db.session.scalars(
            select(CommitmentRecord).where(CommitmentRecord.commitment == "syllabus_level_1")
        ).first()
        record.count += 1
        changed = record.organisation_id
        db.session.commit()

        found = seed.readiness_differences(db.session)
        db.session.remove()

    assert [(f[0], f[1]) for f in found] == [(changed, "syllabus_level_1")]


def test_a_bulletin_is_drafted_reading_as_many_statements_for_the_icb_as_for_a_pcn(bench_app):
    app, run = bench_app
    strategy.drafting(run, app, repeats=1)

    counts = {r.figure: r.value for r in run.rows if r.unit == "statements"}
    assert counts["bulletin drafting reads: PCN"] == counts["bulletin drafting reads: ICB"]
    pdfs = [r for r in run.rows if r.figure.startswith("bulletin PDF")]
    assert len(pdfs) == 2 and all(r.baseline is not None for r in pdfs)
    with app.app_context():
        drafts = db.session.scalar(
            select(func.count()).select_from(Bulletin).where(Bulletin.state == "draft")
        )
        db.session.remove()
    assert drafts == 0  # each draft rolled back
