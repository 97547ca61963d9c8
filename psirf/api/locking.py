"""Optimistic locking over HTTP: a change names the version it was made from.

Every record the API reads out carries its version as its ETag ("v3") and in its `version` field.
A change sends it back, in `If-Match` or as `version` in its body. Missing, it is refused with 428
(a change made blind could overwrite someone else's); stale, psirf.db's check refuses it as
ChangedBySomeoneElse, which the API answers with 409. The service itself checks the version again
when it writes (the row's version_id_col), so two requests at once cannot both win.
"""

from __future__ import annotations

import re

from flask import request

from psirf.api.problems import ApiProblem
from psirf.db import check_version

_TAG = re.compile(r'(?:W/)?"v(\d{1,9})"')


def version_sent(body: dict | None = None) -> int:
    """The version the change was made from: If-Match first, else the body's `version`."""
    header = request.headers.get("If-Match")
    if header:
        match = _TAG.fullmatch(header.strip())
        if match is None:
            raise ApiProblem(
                400, detail='If-Match must be one ETag this API gave, like "v3".', kind="if-match"
            )
        return int(match.group(1))
    if body and body.get("version") is not None:
        return body["version"]
    raise ApiProblem(
        428,
        detail='Say which version you are changing: If-Match: "v<version>", or "version" in the body.',
        kind="version-required",
    )


def require_current(record, body: dict | None = None) -> int:
    """Refuse (409) a change made from a version of `record` older than its own; returns it."""
    version = version_sent(body)
    check_version(record, version)
    return version
