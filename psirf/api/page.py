"""The page that shows the API's OpenAPI document to people, in the NHS.UK layout: drawn on the
server from the document itself (no script, nothing from a CDN), so it always says what the API
does. A page like the others: it reads the sign-in, not a token."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template
from flask_login import login_required

from psirf.api import PREFIX, document_of

bp = Blueprint("api_docs", __name__)


def _type(schema: dict) -> str:
    """A property's type in words: "string", "array of Patient", "string or null", one of the enum."""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    kind = schema.get("type", "object")
    kinds = kind if isinstance(kind, list) else [kind]
    words = " or ".join(kinds)
    if "array" in kinds:
        words = words.replace("array", "array of " + _type(schema.get("items", {})))
    if schema.get("format"):
        words += f" ({schema['format']})"
    return words


def _parameter_rows(parameters: list, components: dict) -> list[dict]:
    rows = []
    for parameter in parameters:
        if "$ref" in parameter:
            parameter = components["parameters"][parameter["$ref"].rsplit("/", 1)[-1]]
        rows.append(
            {
                "name": parameter["name"],
                "where": parameter["in"],
                "type": _type(parameter.get("schema", {})),
                "required": parameter.get("required", False),
                "description": parameter.get("description", ""),
            }
        )
    return rows


def _operations(document: dict) -> list[dict]:
    components = document.get("components", {})
    found = []
    for path, methods in document["paths"].items():
        for method, op in methods.items():
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            found.append(
                {
                    "id": op["operationId"],
                    "method": method.upper(),
                    "path": PREFIX + path,
                    "summary": op["summary"],
                    "description": op.get("description", ""),
                    "parameters": _parameter_rows(op.get("parameters", []), components),
                    "body": _type(body["schema"]) if body else None,
                    "responses": [
                        (code, answer.get("description", ""))
                        for code, answer in op["responses"].items()
                    ],
                    "token": bool(op.get("security")),
                }
            )
    return found


def _schemas(document: dict) -> list[dict]:
    schemas = []
    for name, schema in sorted(document.get("components", {}).get("schemas", {}).items()):
        required = set(schema.get("required", ()))
        schemas.append(
            {
                "name": name,
                "properties": [
                    {
                        "name": prop,
                        "type": _type(detail),
                        "required": prop in required,
                        "choices": detail.get("enum") or detail.get("items", {}).get("enum"),
                        "description": detail.get("description", ""),
                    }
                    for prop, detail in schema.get("properties", {}).items()
                ],
            }
        )
    return schemas


@bp.get("/developers/api")
@login_required
def docs():
    document = document_of(current_app._get_current_object())
    return render_template(
        "api/docs.html",
        info=document["info"],
        version=document["openapi"],
        operations=_operations(document),
        schemas=_schemas(document),
        document_url=PREFIX + "/openapi.json",
    )
