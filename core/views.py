"""Error handlers (handler400/403/404/500 in config/urls.py): problem JSON under /api/, the
Russian pages of templates/ elsewhere (Django's own views render them)."""

import sys

from django.http import HttpResponse
from django.template import loader
from django.views import defaults
from django_guid import get_guid

from core import problems


def bad_request(request, exception):
    if problems.is_api(request):
        return problems.response(request, 400)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception):
    if problems.is_api(request):
        return problems.response(request, 403)
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception):
    if problems.is_api(request):
        return problems.response(request, 404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    """500, or 503 when the database does not answer. The page is rendered without a request
    context: no context processor, no user, no session, nothing that may fail again; it shows
    the request id so that a person can quote it."""
    exception = getattr(request, "_docket_exception", None) or sys.exc_info()[1]
    status = problems.status_for_exception(exception)
    if problems.is_api(request):
        return problems.response(request, status)
    try:
        content = loader.get_template(f"{status}.html").render({"request_id": get_guid()})
    except Exception:  # the error page must not fail in turn; Django logs the original error
        content = "<h1>Server error</h1>"
    page = HttpResponse(content, status=status)
    if status == 503:
        page["Retry-After"] = str(problems.RETRY_AFTER_SECONDS)
    return page
