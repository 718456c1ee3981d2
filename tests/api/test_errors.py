"""The error handler maps every kind of failure to the same JSON shape (problem details, RFC
9457) and the right status."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from rest_framework import exceptions
from viewflow.workflow.exceptions import FlowLockFailed

from applications.models import Application
from core.api.errors import exception_handler, flatten_errors
from core.errors import ConflictError, NotAllowed


def handle(exc):
    response = exception_handler(exc, {})
    return response.status_code, response.data


@pytest.mark.parametrize(
    ("exc", "status", "code"),
    [
        (ConflictError("Taken by someone else."), 409, "conflict"),
        (NotAllowed("Not your role."), 403, "not_allowed"),
        (PermissionDenied(), 403, "permission_denied"),
        (Http404("No Application matches the given query."), 404, "not_found"),
        (Application.DoesNotExist(), 404, "not_found"),
        (FlowLockFailed("lock"), 409, "conflict"),
        (exceptions.NotAuthenticated(), 401, "not_authenticated"),
    ],
)
def test_status_and_code(exc, status, code):
    got_status, body = handle(exc)
    assert (got_status, body["code"]) == (status, code)
    assert isinstance(body["detail"], str) and body["detail"]
    assert body["type"] == "about:blank" and body["status"] == status and body["title"]
    assert "request_id" in body


def test_throttled_is_a_429_that_says_when_to_come_back():
    response = exception_handler(exceptions.Throttled(wait=30), {})
    assert response.status_code == 429
    assert response["Retry-After"] == "30"
    assert response.data["code"] == "throttled"
    assert response.data["title"] == "Слишком много запросов"
    assert response.content_type == "application/problem+json"


def test_domain_messages_are_passed_on():
    assert handle(ConflictError("Taken by someone else."))[1]["detail"] == "Taken by someone else."


def test_not_found_does_not_name_the_model():
    assert (
        "Application" not in handle(Http404("No Application matches the given query."))[1]["detail"]
    )


def test_field_errors():
    status, body = handle(ValidationError({"topic": ["State the topic."], "__all__": ["Both."]}))
    assert status == 400
    assert body["code"] == "invalid"
    assert body["errors"] == {"topic": ["State the topic."], "non_field_errors": ["Both."]}


def test_a_plain_message_becomes_the_detail():
    status, body = handle(ValidationError("The file is empty."))
    assert status == 400
    assert body["detail"] == "The file is empty."
    assert body["errors"] == {"non_field_errors": ["The file is empty."]}


def test_unknown_exceptions_are_left_to_django():
    assert exception_handler(RuntimeError("bug"), {}) is None


def test_nested_errors_are_flattened_with_dotted_names():
    nested = {"planned_events": [{}, {"title": ["Required."]}], "topic": ["Too long."]}
    assert flatten_errors(nested) == {
        "planned_events.1.title": ["Required."],
        "topic": ["Too long."],
    }
