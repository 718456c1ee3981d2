from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.template.loader import render_to_string
from django.utils import translation

from core import problems


class DocketLocaleMiddleware(LocaleMiddleware):
    """Pages are Russian unless the person picks English in the switch (a cookie).

    A browser set to English is not a choice: these are Russian offices' documents. API clients
    do choose, by Accept-Language, so the API keeps Django's usual negotiation.
    """

    def process_request(self, request):
        if request.path.startswith("/api/"):
            return super().process_request(request)
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        return None


class ApiProblemMiddleware:
    """No error leaves /api/ as HTML: whatever answered it (Django's debug pages with DEBUG on,
    a non-DRF view, a middleware), an error that is not JSON is replaced by the problem object
    of its status (core.problems). DRF's errors are JSON already and pass untouched; with DEBUG
    off the error handlers (core.views) answer JSON themselves, and this only stays out of the
    way. The traceback is logged by Django as usual and never sent.

    Put it right after the request-id middleware, outside everything else."""

    KEPT_HEADERS = ("Allow", "WWW-Authenticate", "Retry-After")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code < 400 or not problems.is_api(request):
            return response
        content_type = response.get("Content-Type", "")
        if content_type.startswith((problems.CONTENT_TYPE, "application/json")):
            return response
        status = response.status_code
        if status == 500:
            status = problems.status_for_exception(getattr(request, "_docket_exception", None))
        answer = problems.response(request, status)
        for header in self.KEPT_HEADERS:
            if header in response and header not in answer:
                answer[header] = response[header]
        return answer

    def process_exception(self, request, exception):
        """Only remembers the exception (500 or 503); Django goes on to log it and answer."""
        request._docket_exception = exception
        return None


class BlankErrorPageMiddleware:
    """A page's error answered with no body gets the Russian page of its status. Django's
    `require_POST` answers 405 with nothing: a blank page for a person who opened the address
    of a form's button. Error pages with content (the handlers' templates) pass untouched."""

    TEMPLATES = {405: "405.html"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        template = self.TEMPLATES.get(response.status_code)
        if template is None or response.content or problems.is_api(request):
            return response
        response.content = render_to_string(template, request=request)
        response["Content-Type"] = "text/html; charset=utf-8"
        return response
