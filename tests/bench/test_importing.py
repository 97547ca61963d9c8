"""The import's bench figures at a tiny size: each has its row, the rows imported leave every
rollup exact, and the bare baseline's rows are gone after. Timings are the bench's to report."""

from __future__ import annotations

from sqlalchemy import func, select

from bench import importing, report
from psirf.events import counts
from psirf.events.models import SafetyEvent
from psirf.extensions import db
from tests.bench.test_bench_smoke import SIZE, bench_app  # noqa: F401  (the seeded bench)


def test_the_import_rate_is_measured_beside_the_bare_executemany_and_counts_stay_exact(
    bench_app,  # noqa: F811
):
    app, run = bench_app
    importing.rate(run, app, 300)
    (row,) = [r for r in run.rows if r.figure == "import events from CSV"]
    assert row.unit == "rows/s" and row.baseline and "300 of 300 rows imported" in row.note
    assert "import events from CSV" in report.table(run.rows)
    with app.app_context():
        events = db.session.scalar(select(func.count()).select_from(SafetyEvent))
        assert events == SIZE.events + 300  # the baseline's rows deleted
        assert counts.differences(db.session) == []
        db.session.remove()


def test_the_commands_peak_memory_is_measured_at_each_size(bench_app):  # noqa: F811
    app, run = bench_app
    importing.memory(run, app, (200, 400))
    rows = [r for r in run.rows if r.figure.startswith("flask import events peak memory")]
    assert [r.figure.split(", ")[-1] for r in rows] == ["200 rows", "400 rows"]
    assert all(r.unit == "MB" and r.note.endswith("exit 0") for r in rows)


def test_five_bad_rows_are_reported_exactly_and_the_dry_run_writes_nothing(bench_app):  # noqa: F811
    app, run = bench_app
    importing.five_bad_rows(run, app, 5_000)
    (row,) = [r for r in run.rows if r.figure.startswith("import 5,000 rows with 5 bad")]
    assert (row.value, row.met) == (5, True), row.note
