import logging

from psirf.web.logging import redact


def test_nhs_numbers_are_redacted_however_they_are_written():
    assert redact("patient 943 476 5919 and 9434765919 and 943-476-5919") == (
        "patient [redacted] and [redacted] and [redacted]"
    )


def test_references_and_dates_are_left_alone():
    assert redact("PSE-2026-000123 on 2026-11-25") == "PSE-2026-000123 on 2026-11-25"


def test_the_apps_log_lines_carry_no_nhs_number(app, caplog):
    with caplog.at_level(logging.INFO):
        app.logger.warning("looked up %s", "943 476 5919")
        logging.getLogger("werkzeug").info("GET /report/service?q=9434765919 200")
    assert "943" not in caplog.text
    assert caplog.text.count("[redacted]") == 2
