"""The OpenAPI schema documents the error answers: one Problem component (RFC 9457,
`application/problem+json`, core/problems.py) for every 4xx and 5xx an operation can give.

Views name the errors their own logic gives (`problem_responses(400, 409)`); DocketAutoSchema
adds those any operation can give: 401/403 when it needs a signed-in user, 404 when its path
has an id or it is a paginated list (`?page=` past the end), 400/415 when it takes a body, 429 (throttling), 500 and 503. Schema-driven clients
and fuzzers then know the shape of every answer, not only of the successes.
"""

from http import HTTPStatus

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import AllowAny

from core import problems


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details, `application/problem+json`: every error the API answers."""

    type = serializers.CharField(help_text='Always "about:blank": `status` and `code` say more.')
    title = serializers.CharField(help_text="The kind of error, translated (Конфликт, …).")
    status = serializers.IntegerField(help_text="The HTTP status, repeated.")
    detail = serializers.CharField(help_text="What went wrong and what to do, translated.")
    code = serializers.CharField(
        help_text="invalid, conflict, not_allowed, not_found, not_authenticated, "
        "permission_denied, method_not_allowed, unsupported_media_type, throttled, "
        "server_error, unavailable, …"
    )
    request_id = serializers.CharField(
        allow_null=True,
        help_text="The X-Request-ID of this answer, also in the server's log: quote it.",
    )
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Validation errors only: field → messages; nested fields are dotted: "
        "planned_events.0.title.",
    )


BODY_METHODS = {"POST", "PUT", "PATCH"}


def problem_responses(*codes: int) -> dict:
    """`extend_schema(responses={200: ..., **problem_responses(400, 409)})`."""
    return {
        (code, problems.CONTENT_TYPE): OpenApiResponse(
            ProblemSerializer, description=HTTPStatus(code).phrase
        )
        for code in codes
    }


class DocketAutoSchema(AutoSchema):
    def _common_error_codes(self) -> list[int]:
        codes = []
        if not all(isinstance(p, AllowAny) for p in self.view.get_permissions()):
            codes += [401, 403]
        # A path id that is not there, or a `page` past the last one of a paginated list.
        if "{" in self.path or (
            self.method == "GET" and self._is_list_view() and self._get_paginator()
        ):
            codes.append(404)
        if self.method in BODY_METHODS:
            codes += [400, 415]
        return [*codes, 429, 500, 503]

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        missing = [c for c in self._common_error_codes() if str(c) not in responses]
        for code, spec in problem_responses(*missing).items():
            status = str(code[0])
            responses[status] = self._get_response_for_code(
                spec, status, [problems.CONTENT_TYPE], direction
            )
        return dict(sorted(responses.items()))
