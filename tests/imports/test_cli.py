"""`flask import events FILE`: as a named administrator, with progress, a summary and an exit code
that says whether anything was refused."""

from __future__ import annotations

import csv

from sqlalchemy import func, select

from psirf.accounts.models import Role
from psirf.audit import AuditRecord
from psirf.events.models import SafetyEvent
from psirf.imports.models import EventImport
from tests.support.factories import UserFactory
from tests.support.imports import csv_text, good_row, place


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def _file(tmp_path, rows) -> str:
    path = tmp_path / "events.csv"
    path.write_text(csv_text(rows), encoding="utf-8")
    return str(path)


def _run(app, *args):
    return app.test_cli_runner().invoke(args=["import", "events", *args])


def test_the_command_imports_as_the_administrator_and_prints_progress_and_a_summary(
    app, session, tmp_path
):
    p = place()
    path = _file(tmp_path, [good_row(n, (p.practice.ods_code,)) for n in range(25)])
    result = _run(app, path, "--as", p.admin.email, "--batch-size", "10")
    assert result.exit_code == 0, result.output + result.stderr
    assert "10 rows read: 10 imported" in result.output
    assert "Done: 25 rows, 25 imported, 0 already imported, 0 refused" in result.output
    assert _count(session, SafetyEvent) == 25
    audits = session.scalars(select(AuditRecord).where(AuditRecord.action == "events:import"))
    assert {a.actor_id for a in audits} == {p.admin.id}
    assert session.scalar(select(EventImport.state)) == "finished"


def test_a_refused_row_exits_non_zero_and_the_report_holds_it(app, session, tmp_path):
    p = place()
    rows = [good_row(n, (p.practice.ods_code,)) for n in range(20)]
    rows[15]["record_type"] = "mishap"
    report = tmp_path / "report.csv"
    result = _run(
        app, _file(tmp_path, rows), "--as", p.admin.email, "--batch-size", "10",
        "--report", str(report),
    )  # fmt: skip
    assert result.exit_code == 1
    assert "row 17  record_type: Select what kind of event this is" in result.stderr
    assert "10 imported, 0 already imported, 10 refused" in result.output
    assert [r[:2] for r in csv.reader(report.open())] == [["row", "field"], ["17", "record_type"]]


def test_a_dry_run_prints_what_would_be_imported_and_writes_nothing(app, session, tmp_path):
    p = place()
    path = _file(tmp_path, [good_row(n, (p.practice.ods_code,)) for n in range(5)])
    result = _run(app, path, "--as", p.admin.email, "--dry-run")
    assert result.exit_code == 0
    assert "5 would be imported (dry run: nothing was written)" in result.output
    assert (_count(session, SafetyEvent), _count(session, EventImport)) == (0, 0)


def test_the_command_refuses_to_act_as_anyone_but_an_administrator(app, session, tmp_path):
    p = place()
    path = _file(tmp_path, [good_row(1, (p.practice.ods_code,))])
    lead = UserFactory(role=(Role.PATIENT_SAFETY_LEAD, p.practice))
    for email in (lead.email, "nobody@example.org"):
        result = _run(app, path, "--as", email)
        assert result.exit_code == 1 and "Error:" in result.stderr
    assert _count(session, SafetyEvent) == 0


def test_rows_of_a_service_the_administrator_does_not_administer_are_refused(
    app, session, tmp_path
):
    p = place()
    path = _file(tmp_path, [good_row(1, (p.far_practice.ods_code,))])
    result = _run(app, path, "--as", p.admin.email)
    assert result.exit_code == 1
    assert "organisation_ods_code: No service of an ICB you administer" in result.stderr


def test_a_header_that_is_not_the_templates_stops_the_command(app, session, tmp_path):
    p = place()
    path = tmp_path / "events.csv"
    path.write_text("when,what\n", encoding="utf-8")
    result = _run(app, str(path), "--as", p.admin.email)
    assert result.exit_code == 1 and "'when'" in result.stderr
