"""The OpenAPI schema: served, valid, and describing every endpoint."""

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db

PATHS = {
    "/api/applications/": {"get", "post"},
    "/api/applications/{id}/": {"get", "patch"},
    "/api/applications/{id}/attachments/": {"post"},
    "/api/applications/{id}/submit/": {"post"},
    "/api/applications/{id}/order/": {"post"},
    "/api/applications/{id}/order/sign/": {"post"},
    "/api/orders/": {"post"},
    "/api/orders/{id}/": {"get"},
    "/api/orders/{id}/sign/": {"post"},
    "/api/documents/{id}/versions/{number}/download/": {"get"},
    "/api/tasks/": {"get"},
    "/api/tasks/{id}/": {"get"},
    "/api/tasks/{id}/claim/": {"post"},
    "/api/tasks/{id}/complete/": {"post"},
    "/api/statuses/": {"get"},
    "/api/councils/": {"get"},
    "/api/councils/{id}/meetings/": {"post"},
    "/api/meetings/": {"get"},
    "/api/meetings/{id}/": {"get"},
    "/api/meetings/{id}/items/": {"post"},
    "/api/meetings/{id}/notify/": {"post"},
    "/api/meetings/{id}/reschedule/": {"post"},
    "/api/meetings/{id}/cancel/": {"post"},
    "/api/meetings/{id}/attendance/": {"post"},
    "/api/meetings/{id}/open/": {"post"},
    "/api/meetings/{id}/close/": {"post"},
    "/api/items/{id}/": {"get", "delete"},
    "/api/items/{id}/voting/": {"post"},
    "/api/items/{id}/vote/": {"post"},
    "/api/items/{id}/tally/": {"post"},
    "/api/items/{id}/recusal/": {"post"},
    "/api/items/{id}/close/": {"post"},
    "/api/protocols/{id}/": {"get"},
    "/api/protocols/{id}/sign/": {"post"},
    "/api/protocols/{id}/correction/": {"post"},
    "/api/extracts/{id}/": {"get"},
}


def test_schema_endpoint_lists_every_path(client_for, coordinator):
    response = client_for(coordinator).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    for path, methods in PATHS.items():
        assert path in schema["paths"], path
        assert methods <= set(schema["paths"][path]), path
    decision = schema["components"]["schemas"]["StepDecision"]
    assert len(decision["oneOf"]) == 3  # check, revise, approve: the council meets instead


def test_schema_generates_without_warnings_and_validates(tmp_path):
    # --fail-on-warn turns drf-spectacular's warnings (unknown types, enum clashes) into failures.
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml")
    )
    assert (tmp_path / "schema.yaml").stat().st_size > 0


def test_swagger_page_is_served(client_for, coordinator):
    assert client_for(coordinator).get("/api/docs/").status_code == 200


def test_every_error_answer_is_documented_as_a_problem(client_for, coordinator):
    """One component, RFC 9457's members, `application/problem+json` for every 4xx/5xx of every
    operation, and the errors any operation can give listed on each (500, 503, 429; 401/403
    where a sign-in is needed; 404 with an id in the path; 400/415 with a body)."""
    schema = client_for(coordinator).get("/api/schema/", {"format": "json"}).json()
    problem = schema["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail", "code", "request_id"} <= set(problem["required"])
    assert "errors" in problem["properties"]
    ref = {"$ref": "#/components/schemas/Problem"}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            where = f"{method.upper()} {path}"
            responses = operation["responses"]
            errors = {code: r for code, r in responses.items() if code >= "400"}
            for code, response in errors.items():
                assert response["content"] == {"application/problem+json": {"schema": ref}}, (
                    where,
                    code,
                )
            expected = {"429", "500", "503"}
            if {} not in operation.get("security", []):  # an open endpoint asks no sign-in
                expected |= {"401", "403"}
            if "{" in path:
                expected.add("404")
            if method in ("post", "put", "patch"):
                expected |= {"400", "415"}
            assert expected <= set(errors), (where, sorted(expected - set(errors)))
