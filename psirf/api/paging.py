"""Cursor pagination for lists: the keyset pages of psirf/web/pagination.py, as JSON.

A list takes `cursor` (opaque: the keyset of the last row of the page before, as the pages' `after`
is) and `limit` (at most MAX_LIMIT), and answers `{"items": [...], "next": <url or null>}` with the
same next page in a `Link: <...>; rel="next"` header. Never OFFSET: a page deep in a million
events costs what the first does.
"""

from __future__ import annotations

from flask import current_app, request, url_for
from marshmallow import Schema, fields, post_load, validate

from psirf.api.problems import ApiProblem
from psirf.api.replies import reply
from psirf.web.pagination import CURSOR_MAX, Page, read_cursor

MAX_LIMIT = 100


class PageQuery(Schema):
    """The query of every list; a list's own filters subclass it."""

    cursor = fields.String(
        validate=validate.Length(max=CURSOR_MAX),
        metadata={"description": "The `next` link's cursor, for the page after the one read."},
    )
    limit = fields.Integer(
        validate=validate.Range(min=1, max=MAX_LIMIT),
        metadata={"description": f"Items per page, at most {MAX_LIMIT}."},
    )

    @post_load
    def _readable_cursor(self, data: dict, **_) -> dict:
        """A cursor this API did not make is a bad request, not the first page: a client that
        mangled its `next` link would otherwise read page 1 again as if it were the next."""
        if "cursor" in data and read_cursor(data["cursor"]) is None:
            raise ApiProblem(
                400,
                detail="The cursor is not one this API gave: follow a list's `next` link.",
                errors={"cursor": ["Not a cursor from a `next` link."]},
            )
        return data


def page_size(query: dict) -> int:
    return query.get("limit") or min(current_app.config["PAGE_SIZE"], MAX_LIMIT)


def page_schema(item: type[Schema], name: str) -> type[Schema]:
    """The envelope of a list of `item`: its items and the next page's address."""
    return Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item), required=True),
            "next": fields.String(
                required=True,
                allow_none=True,
                metadata={"description": "The next page's address; null on the last page."},
            ),
        },
        name=name,
    )


def paged(page: Page, items: list):
    """The answer for a page already dumped as `items`."""
    next_url = None
    if page.next_cursor:
        args = {**request.args.to_dict(), "cursor": page.next_cursor}
        next_url = url_for(request.endpoint, **request.view_args, **args, _external=False)
    headers = {"Link": f'<{next_url}>; rel="next"'} if next_url else {}
    return reply({"items": items, "next": next_url}, headers=headers)
