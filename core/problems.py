"""Problem details (RFC 9457): the one shape of every error the API answers.

    {"type": "about:blank", "title": "Конфликт", "status": 409,
     "detail": "<what happened and what to do, translated>", "code": "conflict",
     "request_id": "9f1c…", "errors": {"field": ["…"]}}

`type` is always "about:blank" (the status says what kind of problem it is); `code` is the
finer, stable machine word clients branch on (invalid, conflict, not_allowed, not_found, …);
`errors` appears on validation errors only, field → messages, as before this shape. The request
id is the one in the X-Request-ID header and in every log line of the request.

DRF's errors get this body in core.api.errors; everything that happens outside a DRF view
(an address no view has, a view's bug, the database gone) gets it here, from the error handlers
(core.views) and, when DEBUG renders Django's own pages, from core.middleware.
"""

from http import HTTPStatus

from django.db import InterfaceError, OperationalError
from django.http import JsonResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _
from django_guid import get_guid

CONTENT_TYPE = "application/problem+json"
API_PREFIX = "/api/"
# Seconds a client should wait before retrying a 503; the message says "in a minute".
RETRY_AFTER_SECONDS = 60

TITLES = {
    400: _("Bad request"),
    401: _("Sign-in required"),
    403: _("Forbidden"),
    404: _("Not found"),
    405: _("Method not allowed"),
    406: _("Not acceptable"),
    409: _("Conflict"),
    413: _("Request too large"),
    415: _("Unsupported media type"),
    429: _("Too many requests"),
    500: _("Server error"),
    503: _("Service unavailable"),
}

# What a client gets when nothing more precise is known (DRF's errors bring their own).
_DEFAULTS = {
    400: (
        "bad_request",
        _("The request could not be read. Check its format and headers and try again."),
    ),
    401: ("not_authenticated", _("Sign in first: send your token in the Authorization header.")),
    403: ("permission_denied", _("You may not do this.")),
    404: (
        "not_found",
        _("There is no such address in the API. The list of addresses is at /api/docs/."),
    ),
    405: (
        "method_not_allowed",
        _("This address does not take this method; the Allow header lists the ones it takes."),
    ),
    413: ("too_large", _("The request is too large. Send less at once.")),
    500: (
        "server_error",
        _(
            "Something went wrong on our side; it has been logged. Try again later, and if it "
            "happens again, tell the administrator the request id %(request_id)s."
        ),
    ),
    503: (
        "unavailable",
        _("The database is not answering right now. Try again in a minute."),
    ),
}

# A database that does not answer or a connection that broke: the same request may work in a
# minute. Other database errors (IntegrityError, ProgrammingError, DataError) are bugs: 500.
UNAVAILABLE = (OperationalError, InterfaceError)


def is_api(request) -> bool:
    path = request.path_info
    return path.startswith(API_PREFIX) or path == API_PREFIX.rstrip("/")


def status_for_exception(exc: BaseException | None) -> int:
    """500 for a bug, 503 when the database is unreachable (a retry may succeed)."""
    return 503 if isinstance(exc, UNAVAILABLE) else 500


def title(status: int) -> str:
    if status in TITLES:
        return str(TITLES[status])
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return str(TITLES[500] if status >= 500 else TITLES[400])


def body(*, status: int, detail, code: str, errors: dict | None = None) -> dict:
    """The problem object, in the active language."""
    data = {
        "type": "about:blank",
        "title": title(status),
        "status": status,
        "detail": str(detail),
        "code": code,
        "request_id": get_guid(),
    }
    if errors is not None:
        data["errors"] = errors
    return data


def default_body(status: int) -> dict:
    """The problem of a status when nothing more precise is known (no DRF exception)."""
    if status not in _DEFAULTS:
        code = "server_error" if status >= 500 else "error"
        return body(status=status, detail=title(status), code=code)
    code, detail = _DEFAULTS[status]
    if status == 500:  # the one message that names the request id
        detail = str(detail) % {"request_id": get_guid() or "-"}
    return body(status=status, detail=detail, code=code)


def response(request, status: int) -> JsonResponse:
    """The problem answer for `status`, in the language the client asked for (Accept-Language,
    else Russian), as LocaleMiddleware chooses for /api/. Needs no database."""
    language = translation.get_language_from_request(request)
    with translation.override(language):
        data = default_body(status)
    answer = JsonResponse(
        data, status=status, content_type=CONTENT_TYPE, json_dumps_params={"ensure_ascii": False}
    )
    answer["Content-Language"] = language
    patch_vary_headers(answer, ["Accept-Language"])
    if status == 503:
        answer["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return answer
