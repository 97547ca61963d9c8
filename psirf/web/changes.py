"""Changing a record from a page, and what the person sees when someone else changed it first.

Every change from a page runs in `changing(record, retry, *forms)`: one unit of work. When it
loses a race (psirf.db turns a stale version, a duplicate row or a collided transaction into
ChangedBySomeoneElse), the app's one handler rolls back and answers 409 with `retry(message)`:
the person's page again, the forms as they filled them in, their hidden version moved on to the
record's latest so a second save is theirs to make. A request that named no page gets the
branded 409 page. Views never catch the error themselves.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Iterator

from flask import Flask, g, make_response

from psirf.db import ChangedBySomeoneElse, unit_of_work
from psirf.extensions import db
from psirf.web import errors

RETRY = "psirf_retry"


@dataclass
class Retry:
    record: Any
    page: Callable[[str], Any]
    forms: tuple


def on_conflict(record, page: Callable[[str], Any], *forms) -> None:
    """Name the page that shows `record` again if this request's change loses a race (`record` is
    the versioned record the forms carry the version of, or None for a new record)."""
    setattr(g, RETRY, Retry(record, page, forms))


@contextmanager
def changing(record, retry: Callable[[str], Any], *forms) -> Iterator[None]:
    on_conflict(record, retry, *forms)
    try:
        with unit_of_work(db.session):
            yield
    except ChangedBySomeoneElse:
        raise  # to the handler, which shows `retry`
    except BaseException:
        g.pop(RETRY, None)
        raise
    g.pop(RETRY, None)


def renew_version(form, version: int) -> None:
    """The hidden version a kept form carries, moved on to `version` (the posted one would win
    over `data` when the page draws the form)."""
    field = getattr(form, "version", None)
    if field is not None:
        field.data, field.raw_data = version, [str(version)]


def changed_by_someone_else(error: ChangedBySomeoneElse):
    db.session.rollback()
    retry: Retry | None = g.pop(RETRY, None)
    if retry is None:
        return errors.page(409)
    # After the rollback the record reads its latest row again.
    for form in retry.forms:
        renew_version(form, retry.record.version_id)
    answer = make_response(retry.page(str(error)))
    if answer.status_code // 100 != 3:  # a page may instead send the person to what now exists
        answer.status_code = 409
    return answer


def register_conflict_page(app: Flask) -> None:
    app.register_error_handler(ChangedBySomeoneElse, changed_by_someone_else)
