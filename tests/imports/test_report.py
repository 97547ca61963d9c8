"""The validation report a person downloads: every fault once, no cell a spreadsheet formula."""

from __future__ import annotations

from psirf.imports.checks import Fault
from psirf.imports.report import ReportWriter, faults_in


def test_a_fault_whose_text_starts_like_a_formula_is_written_as_text(tmp_path):
    path = tmp_path / "report.csv"
    writer = ReportWriter(path)
    writer.write([Fault(2, "theme", "Use one of: a, b"), Fault(3, "", '=HYPERLINK("x")')])
    writer.close()

    assert faults_in(path, 10) == [
        Fault(2, "theme", "Use one of: a, b"),
        Fault(3, "", '\'=HYPERLINK("x")'),
    ]
