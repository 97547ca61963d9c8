"""The API's successful answers: JSON, with the record's version as its ETag when it has one."""

from __future__ import annotations

from flask import json, make_response


def etag(version: int) -> str:
    return f'"v{version}"'


def reply(body, status: int = 200, *, version: int | None = None, headers: dict | None = None):
    answer = make_response(json.dumps(body), status)
    answer.content_type = "application/json"
    if version is not None:
        answer.headers["ETag"] = etag(version)
    answer.headers.update(headers or {})
    return answer
