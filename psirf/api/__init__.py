"""The JSON API at /api/v1: the same services and the same policy as the pages, for programs.

How a request goes: `auth.authenticate` (the app's first hook) finds the bearer token's holder and
refuses what it must (401, 403 for a write with a read-only token, 429); the operation's wrapper
loads the query and body through their marshmallow schemas (422 with the fields); the view loads
its object through `psirf.web.loading.fetch` with the policy's check (404 / 403), calls the
feature's service in a unit of work, and answers with the feature's schema in the caller's view.
Every error on the way is an RFC 9457 problem (problems.py).

How to add a resource (say safety actions):

1. Its schemas go in the feature's package, `psirf/actions/schemas.py`: one schema per resource,
   its views per caller as `psirf.web.json_fields.Views` (the fields each leaves out), the view
   chosen by asking the policy (see `psirf/events/schemas.py`: `view_for`, `dump(user, event)`),
   moments as `UtcDateTime`, and input schemas for what it takes.
2. Its routes go in one module here, `psirf/api/actions.py`, each view declared with
   `@operation(rule, method, summary=..., tag="actions", query=..., body=..., response=...,
   status=..., versioned=...)` from `psirf.api.registry`. A list's query subclasses
   `paging.PageQuery` and answers `paging.paged(page, items)` over a service's keyset page; a
   change names its version with `locking.require_current(record, body)` (409 stale, 428 none)
   and answers `replies.reply(..., version=record.version_id)` so the ETag moves on.
3. Add the module's name to `RESOURCES` below. That one line routes it and puts it in the
   OpenAPI document (/api/v1/openapi.json) and its page (/developers/api).
4. Add each route to tests/support/api_routes.py (who may, and the 401, 403 and 404 refusals);
   tests/api/test_contract.py then runs schemathesis over it too.

Never restate a rule here: ask the policy (`policy.require_...`) and let the service refuse.
"""

from __future__ import annotations

import importlib

from flask import Blueprint, Flask, current_app, jsonify

from psirf.api import auth, problems
from psirf.api.registry import OPERATIONS, operation
from psirf.extensions import csrf

PREFIX = "/api/v1"
# One module per resource, in the order the document lists them.
RESOURCES = (
    "events",
    "triage",
    "responses",
    "engagement",
    "actions",
    "plans",
    "dashboards",
    "bulletins",
    "nearmiss",
    "alerts",
    "readiness",
)


@operation(
    "/openapi.json",
    summary="This API's OpenAPI 3.1 document",
    tag="meta",
    public=True,
)
def openapi_document():
    return jsonify(document_of(current_app._get_current_object()))


def document_of(app: Flask) -> dict:
    """The document, made once per app (it is the same for every request)."""
    from psirf.api.openapi import document

    if "psirf.openapi" not in app.extensions:
        app.extensions["psirf.openapi"] = document(PREFIX)
    return app.extensions["psirf.openapi"]


def load_resources() -> None:
    for name in RESOURCES:
        importlib.import_module(f"psirf.api.{name}")


def install(app: Flask) -> None:
    """Route every operation under /api/v1; before any other hook of the app, so no API request
    reads the session cookie (auth.py)."""
    load_resources()
    app.before_request_funcs.setdefault(None, []).insert(0, auth.authenticate)
    bp = Blueprint("api", __name__, url_prefix=PREFIX)
    for op in OPERATIONS:
        bp.add_url_rule(op.rule, endpoint=op.endpoint, view_func=op.view, methods=[op.method])
    problems.register(bp)
    # Token-authenticated only (auth.py refuses any request without one), never by cookie.
    csrf.exempt(bp)
    app.register_blueprint(bp)
