"""DRF's errors as problem details (core/problems.py), with a translated sentence to act on.

    {"type": "about:blank", "title": "Конфликт", "status": 409, "detail": "<what happened and
     what to do>", "code": "conflict", "request_id": "…"}
    {..., "status": 400, "code": "invalid", "errors": {"field": ["..."], "planned_events.0.title": [...]}}

Domain errors (core.errors), Django's ValidationError/PermissionDenied/Http404 and the
`DoesNotExist` that services raise for cases the user may not see are mapped here, so views never
catch them one by one and bad input never ends in an HTTP 500. What is left (a bug, the database
gone) goes on to Django and comes back as a 500/503 problem from core.views.server_error.
Errors are always rendered as JSON, also for a browser that asked the browsable API for HTML.
"""

from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler
from viewflow.workflow.exceptions import FlowLockFailed

from core import problems
from core.errors import ConflictError, DocketError, NotAllowed

NON_FIELD = api_settings.NON_FIELD_ERRORS_KEY


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("The case has changed in the meantime; reload it and try again.")
    default_code = "conflict"


class DomainError(exceptions.APIException):
    """Any other DocketError: keeps the status code the error class declares."""

    default_code = "error"

    def __init__(self, exc: DocketError):
        super().__init__(detail=str(exc.message))
        self.status_code = exc.status_code


class InputInvalid(exceptions.ValidationError):
    """A field → messages mapping from a Django ValidationError (service or form)."""


def _not_found() -> exceptions.NotFound:
    # The same words for "missing" and "not yours": others' cases are not confirmed to exist.
    return exceptions.NotFound(
        _("Not found: it does not exist or you may not see it. Check the address or the id.")
    )


def _to_api_exception(exc):
    """Domain and Django errors → DRF exceptions; anything unknown stays as it is (a real bug)."""
    if isinstance(exc, exceptions.APIException):
        return exc
    if isinstance(exc, ConflictError):
        return Conflict(detail=str(exc.message))
    if isinstance(exc, NotAllowed):
        return exceptions.PermissionDenied(detail=str(exc.message), code="not_allowed")
    if isinstance(exc, DocketError):
        return DomainError(exc)
    if isinstance(exc, FlowLockFailed):
        return Conflict(
            detail=_("Someone else is working on this case right now. Try again in a minute.")
        )
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            errors = {
                (NON_FIELD if field == NON_FIELD_ERRORS else field): messages
                for field, messages in exc.message_dict.items()
            }
        else:
            errors = {NON_FIELD: exc.messages}
        return InputInvalid(errors)
    if isinstance(exc, Http404 | ObjectDoesNotExist):
        return _not_found()
    if isinstance(exc, PermissionDenied):
        message = str(exc.args[0]) if exc.args and exc.args[0] else ""
        return exceptions.PermissionDenied(detail=message or None)
    return exc


def flatten_errors(data, prefix: str = "") -> dict[str, list[str]]:
    """Nested DRF error details → {"field": [...], "planned_events.1.title": [...]}."""
    out: dict[str, list[str]] = {}
    if isinstance(data, dict):
        for key, value in data.items():
            name = NON_FIELD if key == NON_FIELD_ERRORS else str(key)
            for k, v in flatten_errors(value, f"{prefix}.{name}" if prefix else name).items():
                out.setdefault(k, []).extend(v)
    elif isinstance(data, list | tuple):
        for index, item in enumerate(data):
            if isinstance(item, dict | list | tuple):
                sub = f"{prefix}.{index}" if prefix else str(index)
                for k, v in flatten_errors(item, sub).items():
                    out.setdefault(k, []).extend(v)
            else:
                out.setdefault(prefix or NON_FIELD, []).append(str(item))
    else:
        out.setdefault(prefix or NON_FIELD, []).append(str(data))
    return out


def _validation_body(detail) -> dict:
    errors = flatten_errors(detail)
    messages = [m for ms in errors.values() for m in ms]
    if len(messages) == 1:
        summary = messages[0]
    else:
        summary = _("Some fields need correcting: see the message under each field and try again.")
    return {"detail": summary, "code": "invalid", "errors": errors}


class ProblemRenderer(JSONRenderer):
    media_type = problems.CONTENT_TYPE


def exception_handler(exc, context):
    """DRF's EXCEPTION_HANDLER (see REST_FRAMEWORK in config/settings/base.py)."""
    exc = _to_api_exception(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        parts = _validation_body(exc.detail)
    else:
        detail = exc.detail
        if isinstance(detail, dict | list):  # some third-party APIException with a structure
            parts = {
                "detail": _("The request could not be processed."),
                "code": "error",
                "errors": flatten_errors(detail),
            }
        else:
            parts = {"detail": str(detail), "code": getattr(detail, "code", "error")}
    response.data = problems.body(status=response.status_code, **parts)
    response.content_type = problems.CONTENT_TYPE
    request = context.get("request")
    if request is not None:
        # finalize_response renders with the request's negotiated renderer: the browsable
        # API's HTML for a browser. An error is JSON whatever was asked for (RFC 9457).
        request.accepted_renderer = ProblemRenderer()
        request.accepted_media_type = problems.CONTENT_TYPE
    return response
