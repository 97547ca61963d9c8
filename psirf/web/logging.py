"""Keeps patient identifiers out of the logs, whatever writes the line."""

from __future__ import annotations

import logging
import re

# NHS numbers are 10 digits, often written 3-3-4 with spaces or hyphens.
NHS_NUMBER_PATTERN = re.compile(r"(?<!\d)\d{3}[ -]?\d{3}[ -]?\d{4}(?!\d)")


def redact(text: str) -> str:
    return NHS_NUMBER_PATTERN.sub("[redacted]", text)


class RedactPatientIdentifiers(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
