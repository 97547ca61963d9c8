"""Keeps patient identifiers out of the logs, whatever writes the line.

Redaction happens at the formatter, on the finished line: the message, its arguments, a
traceback and the request line of an access log are all in it by then. A filter on a logger
would see only the message, and only for records made on that very logger.
"""

from __future__ import annotations

import logging
import re
import sys

# Between the groups of an NHS number, as people type it and as a URL carries it: a space,
# hyphen or dot, or the URL encodings of a space ("+", "%20") and of a hyphen or plus.
_SEPARATOR = r"(?:[ .\-+\u00a0]|%20|%2[bBdD])?"
# Not part of a longer number; a percent-encoded separator may stand just before it ("%20943...").
_START = r"(?:(?<!\d)|(?<=%20)|(?<=%2[bBdD]))"
NHS_NUMBER_PATTERN = re.compile(rf"{_START}\d{{3}}{_SEPARATOR}\d{{3}}{_SEPARATOR}\d{{4}}(?!\d)")

# Loggers whose handlers are not the root's: gunicorn configures its own, and does not propagate.
OWN_HANDLERS = ("gunicorn.error", "gunicorn.access", "huey")


def redact(text: str) -> str:
    return NHS_NUMBER_PATTERN.sub("[redacted]", text)


class RedactingFormatter(logging.Formatter):
    """Formats with the formatter it wraps, then redacts the whole line, traceback included."""

    def __init__(self, inner: logging.Formatter | None = None):
        super().__init__()
        self.inner = inner or logging.Formatter("[%(asctime)s] %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = redact(self.inner.format(record))
        # The wrapped formatter caches the traceback on the record; another handler would reuse it.
        record.exc_text = redact(record.exc_text) if record.exc_text else record.exc_text
        return line


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time (a test's capture, a worker's redirect)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value):
        pass


def _redact_handlers(logger: logging.Logger) -> None:
    for handler in logger.handlers:
        if not isinstance(handler.formatter, RedactingFormatter):
            handler.setFormatter(RedactingFormatter(handler.formatter))


def install_redaction(*logger_names: str) -> None:
    """Every handler of the root logger and of the named loggers formats through redaction.

    The root gets a stderr handler if it has none, so that werkzeug, Flask and SQLAlchemy, which
    add their own handler only when nothing above them has one, all write through it.
    """
    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(_StderrHandler())
    for logger in (root, *(logging.getLogger(name) for name in (*OWN_HANDLERS, *logger_names))):
        _redact_handlers(logger)
