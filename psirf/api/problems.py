"""Every error the API gives is an RFC 9457 problem document (application/problem+json):
`type`, `title`, `status`, `detail` and, for a refused input, `errors` ({field: [messages]}).

The handlers turn the application's own refusals into problems: the policy's NotVisible (404) and
NotPermitted (403), a service's InputError (422 naming its field), marshmallow's ValidationError
(422 with every field), a lost race (409), a database that does not answer (503), any HTTP error
and anything unexpected (500, logged, with nothing of it in the answer).
"""

from __future__ import annotations

from flask import current_app, json, make_response, request
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from psirf import policy
from psirf.db import ChangedBySomeoneElse
from psirf.extensions import db
from psirf.problems import InputError
from psirf.web.errors import OUTAGE

MEDIA_TYPE = "application/problem+json"
# Problems of this API's own kinds have a type naming them; HTTP's plain ones are about:blank.
TYPE_BASE = "https://psirf.invalid/problems/"

TITLES = {
    400: "Bad request",
    401: "Not authenticated",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Changed by someone else",
    412: "Precondition failed",
    413: "Request too large",
    415: "Unsupported media type",
    422: "Unprocessable content",
    428: "Precondition required",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
}


class ApiProblem(Exception):
    """Raised anywhere in an API request: answered as the problem it describes."""

    def __init__(
        self,
        status: int,
        *,
        detail: str | None = None,
        kind: str | None = None,
        errors: dict | None = None,
        headers: dict | None = None,
    ):
        super().__init__(detail or TITLES.get(status, ""))
        self.status = status
        self.detail = detail
        self.kind = kind
        self.errors = errors
        self.headers = headers or {}


def problem(
    status: int,
    detail: str | None = None,
    *,
    kind: str | None = None,
    errors: dict | None = None,
    headers: dict | None = None,
):
    body = {
        "type": TYPE_BASE + kind if kind else "about:blank",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail or TITLES.get(status, "Error"),
        "instance": request.path,
    }
    if errors:
        body["errors"] = errors
    answer = make_response(json.dumps(body), status)
    answer.content_type = MEDIA_TYPE
    answer.headers.update(headers or {})
    return answer


def from_exception(error: ApiProblem):
    return problem(
        error.status, error.detail, kind=error.kind, errors=error.errors, headers=error.headers
    )


def from_http(error: HTTPException):
    headers = {}
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        headers["Allow"] = ", ".join(sorted(error.valid_methods))
    if error.code == 500:
        return unexpected(error)
    detail = None if error.code in (404, 405, 500) else error.description
    return problem(error.code or 500, detail, headers=headers)


def not_visible(_error):
    return problem(404, "There is nothing at this address that you can see.")


def not_permitted(error: policy.NotPermitted):
    return problem(403, str(error), kind="forbidden")


def input_refused(error: InputError):
    errors = {error.field: [error.message]} if error.field else None
    return problem(422, error.message, kind="validation", errors=errors)


def validation_failed(error: ValidationError):
    messages = error.messages if isinstance(error.messages, dict) else {"_body": error.messages}
    return problem(
        422, "Some of what was sent cannot be accepted.", kind="validation", errors=messages
    )


def changed_by_someone_else(error: ChangedBySomeoneElse):
    db.session.rollback()
    return problem(
        409,
        "The record has changed since the version you sent. Read it again, then send your change.",
        kind="stale-version",
    )


def database_unavailable(error):
    current_app.logger.error("The database did not answer: %s", type(error).__name__)
    _rolled_back()
    return problem(503, "Nothing was saved. Try again in a few minutes.")


def unexpected(_error):
    # Flask has logged it already (handle_exception), with its traceback, through the redaction.
    _rolled_back()
    return problem(500, "Something went wrong on our side. Nothing was saved.")


def _rolled_back() -> None:
    try:
        db.session.rollback()
    except Exception:  # the connection itself is gone
        pass


def register(blueprint) -> None:
    """The API blueprint's handlers. HTTP errors by code too: the app's own error pages are
    registered by code, and Flask tries every handler by code before any by class."""
    blueprint.register_error_handler(ApiProblem, from_exception)
    blueprint.register_error_handler(policy.NotVisible, not_visible)
    blueprint.register_error_handler(policy.NotPermitted, not_permitted)
    blueprint.register_error_handler(InputError, input_refused)
    blueprint.register_error_handler(ValidationError, validation_failed)
    blueprint.register_error_handler(ChangedBySomeoneElse, changed_by_someone_else)
    for outage in OUTAGE:
        blueprint.register_error_handler(outage, database_unavailable)
    for code in TITLES:
        blueprint.register_error_handler(code, from_http)
    blueprint.register_error_handler(HTTPException, from_http)
