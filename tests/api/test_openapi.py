"""The OpenAPI document describes every operation from its schemas, and its page shows it."""

from __future__ import annotations

from psirf.api.registry import OPERATIONS


def test_the_document_is_openapi_3_1_with_its_security_and_problems(app, client):
    answer = client.get("/api/v1/openapi.json")

    document = answer.get_json()
    assert answer.status_code == 200 and document["openapi"] == "3.1.0"
    components = document["components"]
    assert components["securitySchemes"]["bearerToken"] == {
        "type": "http",
        "scheme": "bearer",
        "description": components["securitySchemes"]["bearerToken"]["description"],
    }
    assert {"type", "title", "status", "detail"} <= set(
        components["schemas"]["Problem"]["required"]
    )
    assert "IfMatch" in components["parameters"]
    described = {op["operationId"] for path in document["paths"].values() for op in path.values()}
    assert described == {op.endpoint for op in OPERATIONS}


def test_a_versioned_change_documents_if_match_409_and_428(app, client):
    document = client.get("/api/v1/openapi.json").get_json()

    revise = document["paths"]["/events/{event_id}/revisions"]["post"]

    assert {"$ref": "#/components/parameters/IfMatch"} in revise["parameters"]
    assert {"409", "428", "422"} <= set(revise["responses"])
    problem = revise["responses"]["409"]["content"]["application/problem+json"]["schema"]
    assert problem == {"$ref": "#/components/schemas/Problem"}


def test_the_page_shows_every_operation_from_the_document(app, world, sign_in):
    page = sign_in(world.lead).get("/developers/api").get_data(as_text=True)

    for op in OPERATIONS:
        assert f'id="{op.endpoint}"' in page
    assert "POST /api/v1/events/{event_id}/triage" in page
    assert "<script" not in page.split("</header>", 1)[1].split("<footer", 1)[0]
