"""The unit of work: one transaction per use case, rolled back unless it commits.

Services take a session and never commit; the caller (a view, a command, a test) wraps a
use case in `unit_of_work()` so that everything it wrote lands together or not at all.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from sqlalchemy.orm import Session


@contextmanager
def unit_of_work(session: Session) -> Iterator[Session]:
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
