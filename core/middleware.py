import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.middleware.locale import LocaleMiddleware
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

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


SESSION_STARTED_KEY = "_docket_session_started"
SESSION_SEEN_KEY = "_docket_session_seen"
# The last-seen time is written at most this often, so a busy user does not save the session
# on every request; the idle timeout is therefore exact to within this many seconds.
SEEN_GRANULARITY_SECONDS = 60


class SessionTimeoutMiddleware:
    """Signs a person out SESSION_IDLE_TIMEOUT seconds after their last request and
    SESSION_COOKIE_AGE seconds after they signed in, however active (ASVS 3.3.1, 3.3.2).

    Django's SESSION_COOKIE_AGE alone is neither: saving the session moves its expiry on. The
    sign-in moment is set by the user_logged_in signal (core.apps); a session that has none
    (it predates this middleware) starts counting now. API requests with a token never reach
    this: they carry no session.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            self._check(request)
        return self.get_response(request)

    def _check(self, request) -> None:
        session, now = request.session, int(time.time())
        started = session.setdefault(SESSION_STARTED_KEY, now)
        seen = session.get(SESSION_SEEN_KEY, now)
        if (
            now - started >= settings.SESSION_COOKIE_AGE
            or now - seen >= settings.SESSION_IDLE_TIMEOUT
        ):
            logout(request)
            messages.info(request, _("Your session has ended. Please sign in again."))
        elif now - seen >= SEEN_GRANULARITY_SECONDS or SESSION_SEEN_KEY not in session:
            session[SESSION_SEEN_KEY] = now


def session_started(sender, request, user, **kwargs) -> None:
    """user_logged_in: the absolute lifetime counts from here (login() keeps old session data).
    An API token login (accounts.api) sends the signal too, with no signed-in session: skip."""
    session = getattr(request, "session", None)
    if session is not None and session.get("_auth_user_id"):
        now = int(time.time())
        session[SESSION_STARTED_KEY] = now
        session[SESSION_SEEN_KEY] = now


class NoStoreWhenSignedInMiddleware:
    """ASVS 8.2.1: what a signed-in person sees (a school's case, personal data, a token's
    answers) must not stay in a shared or browser cache after they leave. Every response to
    a signed-in request, or to one that carried credentials, is marked no-store unless the view
    set its own Cache-Control; public pages (registry, verification) stay cacheable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = bool(user is not None and user.is_authenticated)
        if (signed_in or "HTTP_AUTHORIZATION" in request.META) and not response.has_header(
            "Cache-Control"
        ):
            add_never_cache_headers(response)
        return response
