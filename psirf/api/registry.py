"""The API's operations, each declared once: its route, its schemas and its answers.

`@operation(...)` records a view with what it reads (a query schema, a body schema, a version) and
what it answers (a schema, a status). `install` (psirf/api/__init__.py) routes every recorded
operation and the OpenAPI document (psirf/api/openapi.py) describes the same records, so a route
cannot exist without its description, nor a description without its route.

The wrapper reads the query string and the JSON body through their schemas before the view runs,
so a view receives checked values (`query=`, `body=`) and a malformed request never reaches a
service: marshmallow's refusals become a 422 problem with the fields (psirf/api/problems.py).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Callable

from flask import request
from marshmallow import Schema

from psirf.api.problems import ApiProblem
from psirf.web.inputs import TooDeep, without_controls_in

# Every operation, in the order the modules declared them (the document lists them so).
OPERATIONS: list[Operation] = []

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Operation:
    endpoint: str
    rule: str  # Flask's, under /api/v1: "/events/<int:event_id>"
    method: str
    view: Callable
    summary: str
    tag: str
    description: str = ""
    query: type[Schema] | None = None
    body: type[Schema] | None = None
    response: type[Schema] | None = None
    status: int = 200
    # Takes the version it changes (If-Match or the body's `version`): 409 stale, 428 missing.
    versioned: bool = False
    # No token needed (the OpenAPI document itself).
    public: bool = False
    errors: tuple[int, ...] = field(default=())

    @property
    def writes(self) -> bool:
        return self.method not in SAFE_METHODS

    @property
    def path(self) -> str:
        """The rule as OpenAPI writes it: /events/{event_id}."""
        return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", self.rule)

    @property
    def path_parameters(self) -> list[str]:
        return re.findall(r"<(?:[a-z]+:)?([a-z_]+)>", self.rule)


def operation(
    rule: str,
    method: str = "GET",
    *,
    summary: str,
    tag: str,
    description: str = "",
    query: type[Schema] | None = None,
    body: type[Schema] | None = None,
    response: type[Schema] | None = None,
    status: int = 200,
    versioned: bool = False,
    public: bool = False,
    errors: tuple[int, ...] = (),
):
    """Record the decorated view as an API operation (see the module's docstring)."""

    def decorate(view):
        @functools.wraps(view)
        def checked(**kwargs):
            # A ValidationError goes to the API's handler: 422 with each field's messages.
            if query is not None:
                kwargs["query"] = query().load(request.args.to_dict())
            if body is not None:
                kwargs["body"] = body().load(_json_object())
            return view(**kwargs)

        OPERATIONS.append(
            Operation(
                endpoint=f"{tag}_{view.__name__}",
                rule=rule,
                method=method,
                view=checked,
                summary=summary,
                tag=tag,
                description=description or (view.__doc__ or "").strip(),
                query=query,
                body=body,
                response=response,
                status=status,
                versioned=versioned,
                public=public,
                errors=errors,
            )
        )
        return view

    return decorate


def _json_object() -> dict:
    if not request.is_json:
        raise ApiProblem(415, detail="Send the body as JSON, with Content-Type: application/json.")
    try:
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            raise ApiProblem(400, detail="The body must be one JSON object.")
        return without_controls_in(data)
    except (RecursionError, TooDeep):  # nested past what the parser (or we) will follow
        raise ApiProblem(
            400, detail="The body must be one JSON object, not nested so deeply."
        ) from None


def find(endpoint: str) -> Operation | None:
    """The operation a request's endpoint ("api.events_show") names, if any."""
    name = endpoint.removeprefix("api.")
    return next((op for op in OPERATIONS if op.endpoint == name), None)
