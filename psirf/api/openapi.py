"""The OpenAPI 3.1 document of /api/v1, made from the registry and the marshmallow schemas by
apispec, once per app; and the page that shows it to people.

Each operation is described from its record (psirf/api/registry.py): path parameters from its
rule, the query and body from its schemas, its answer from its response schema, the problems it
may answer (every one an RFC 9457 document, `Problem`), If-Match when it is versioned, and the
bearer token unless it is public.
"""

from __future__ import annotations

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import Schema, fields

from psirf.api.problems import MEDIA_TYPE, TITLES
from psirf.api.registry import OPERATIONS, Operation
from psirf.web.inputs import DB_INT_MAX

TITLE = "psirf JSON API"
VERSION = "1.0.0"
SECURITY = "bearerToken"
# The problems every operation may answer; an operation adds its own (409 and 428 when versioned).
COMMON_PROBLEMS = (400, 401, 404, 422, 429)


class ProblemSchema(Schema):
    """An RFC 9457 problem document."""

    type = fields.String(
        required=True, metadata={"description": "A URI naming the kind of problem."}
    )
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True, metadata={"description": "What went wrong, in words."})
    instance = fields.String(metadata={"description": "The path the request was made to."})
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.Raw(),
        metadata={"description": "For a refused input: each field's messages."},
    )


def _problem_response(status: int) -> dict:
    return {
        "description": TITLES.get(status, "Problem"),
        "content": {MEDIA_TYPE: {"schema": "Problem"}},
    }


def _parameters(op: Operation) -> list:
    parameters: list = [
        {
            "in": "path",
            "name": name,
            "required": True,
            "schema": {"type": "integer", "minimum": 1, "maximum": DB_INT_MAX},
        }
        for name in op.path_parameters
    ]
    if op.query is not None:
        parameters.append({"in": "query", "schema": op.query})
    if op.versioned:
        parameters.append("IfMatch")
    return parameters


def _responses(op: Operation) -> dict:
    success: dict = {"description": op.summary}
    if op.response is not None:
        success["content"] = {"application/json": {"schema": op.response}}
        if op.versioned or op.status == 201:
            success["headers"] = {"ETag": {"$ref": "#/components/headers/ETag"}}
    problems = set(COMMON_PROBLEMS) | set(op.errors)
    if op.writes:
        problems |= {403, 415}
    if op.versioned:
        problems |= {409, 428}
    if op.public:
        problems -= {401, 403}
    responses = {str(op.status): success}
    responses.update({str(code): _problem_response(code) for code in sorted(problems)})
    responses["default"] = _problem_response(500)
    return responses


def _describe(op: Operation) -> dict:
    described: dict = {
        "operationId": op.endpoint,
        "summary": op.summary,
        "tags": [op.tag],
        "parameters": _parameters(op),
        "responses": _responses(op),
    }
    if op.description:
        described["description"] = op.description
    if op.body is not None:
        described["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": op.body}},
        }
    described["security"] = [] if op.public else [{SECURITY: []}]
    return described


def document(server_url: str) -> dict:
    spec = APISpec(
        title=TITLE,
        version=VERSION,
        openapi_version="3.1.0",
        plugins=[MarshmallowPlugin()],
        info={
            "description": "psirf's records over the same rules as its pages. Every error is an "
            "RFC 9457 problem document. Lists page by cursor: follow `next`."
        },
        servers=[{"url": server_url}],
    )
    spec.components.schema("Problem", schema=ProblemSchema)
    spec.components.security_scheme(
        SECURITY,
        {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token, made at /account/tokens.",
        },
    )
    spec.components.parameter(
        "IfMatch",
        "header",
        {
            "name": "If-Match",
            "required": False,
            "description": 'The ETag of the version changed ("v3"); or send `version` in the body.',
            "schema": {"type": "string"},
        },
    )
    spec.components.header(
        "ETag",
        {"description": 'The version of the record: "v<version>".', "schema": {"type": "string"}},
    )
    paths: dict[str, dict] = {}
    for op in OPERATIONS:
        paths.setdefault(op.path, {})[op.method.lower()] = _describe(op)
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()
