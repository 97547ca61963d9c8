"""Keyset pagination on (created_at, id): stable and fast however deep the list goes."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Sequence

from sqlalchemy import Select, and_, or_
from sqlalchemy.orm import Session

from psirf.web.inputs import has_controls, record_id


@dataclass
class Page:
    items: Sequence[Any]
    next_cursor: str | None
    has_previous: bool


def encode_cursor(created_at: datetime, row_id: int) -> str:
    raw = json.dumps([created_at.isoformat(), row_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


# A cursor we made is about 60 characters; a longer one is not ours, and is not decoded.
CURSOR_MAX = 200


def read_cursor(cursor: str | None) -> list | None:
    """The JSON list a cursor carries, or None for a mangled one (its list then starts from the top)."""
    if not cursor or len(cursor) > CURSOR_MAX:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, TypeError, RecursionError):
        return None
    if not isinstance(key, list):
        return None
    # Decoded, a cursor's text never passed the input layer: a NUL in it would reach the query.
    return None if any(isinstance(k, str) and has_controls(k) for k in key) else key


def decode_cursor(cursor: str | None) -> tuple[datetime, int] | None:
    key = read_cursor(cursor)
    try:
        created_at, row_id = key
        when, after = datetime.fromisoformat(created_at).replace(tzinfo=None), record_id(row_id)
    except (ValueError, TypeError):
        return None
    return (when, after) if after is not None else None


def older_than(when, row_id, last_when, last_id):
    """The rows after (last_when, last_id) in newest-first order: a page's keyset condition. The
    values may be bound parameters, for a statement built once (the triage queue's)."""
    return or_(when < last_when, and_(when == last_when, row_id < last_id))


def page_of(rows: Sequence, size: int, after, when_key: str = "created_at") -> Page:
    """A page of `rows` (read with LIMIT size + 1: one more tells whether a next page exists)."""
    items = rows[:size]
    last = items[-1] if len(rows) > size else None
    next_cursor = encode_cursor(getattr(last, when_key), last.id) if last is not None else None
    return Page(items=items, next_cursor=next_cursor, has_previous=after is not None)


def keyset_page(
    session: Session, stmt: Select, model, cursor: str | None, size: int, newest_by=None
) -> Page:
    """Newest first, by `newest_by` (the model's created_at unless given) then id; `cursor` names
    the last row of the previous page."""
    when = model.created_at if newest_by is None else newest_by
    after = decode_cursor(cursor)
    if after:
        stmt = stmt.where(older_than(when, model.id, *after))
    rows = session.scalars(stmt.order_by(when.desc(), model.id.desc()).limit(size + 1)).all()
    return page_of(rows, size, after, when.key)
