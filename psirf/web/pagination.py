"""Keyset pagination on (created_at, id): stable and fast however deep the list goes."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Sequence

from sqlalchemy import Select, and_, or_
from sqlalchemy.orm import Session


@dataclass
class Page:
    items: Sequence[Any]
    next_cursor: str | None
    has_previous: bool


def encode_cursor(created_at: datetime, row_id: int) -> str:
    raw = json.dumps([created_at.isoformat(), row_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> tuple[datetime, int] | None:
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        created_at, row_id = json.loads(base64.urlsafe_b64decode(padded))
        return datetime.fromisoformat(created_at), int(row_id)
    except (ValueError, TypeError):
        return None  # a mangled cursor starts from the top rather than failing


def keyset_page(session: Session, stmt: Select, model, cursor: str | None, size: int) -> Page:
    """Newest first; `cursor` names the last row of the previous page."""
    after = decode_cursor(cursor)
    if after:
        created_at, row_id = after
        stmt = stmt.where(
            or_(model.created_at < created_at, and_(model.created_at == created_at, model.id < row_id))
        )
    rows = session.scalars(stmt.order_by(model.created_at.desc(), model.id.desc()).limit(size + 1)).all()
    items = rows[:size]
    next_cursor = encode_cursor(items[-1].created_at, items[-1].id) if len(rows) > size else None
    return Page(items=items, next_cursor=next_cursor, has_previous=after is not None)
