"""Every error /api/ answers is problem JSON (RFC 9457), translated, with the request id.

Whatever produced it: DRF (400/401/403/404/405/415), a view's bug (500), a database that does
not answer (503), or an address no view has (404 before any view runs). Never Django's HTML
page, never a traceback. The id is in the X-Request-ID header, in the body, and in the log.
"""

import io
import json
import logging
import re
import uuid

import pytest
from django.db import OperationalError
from rest_framework.test import APIClient

from core.log import RequestIdFilter

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
HEX_ID = re.compile(r"^[0-9a-f]{32}$")


def problem(response, status: int) -> dict:
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["type"] == "about:blank"
    assert body["status"] == status
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and body["detail"]
    assert isinstance(body["code"], str) and body["code"]
    assert body["request_id"] == response["X-Request-ID"]
    return body


def cyrillic(text: str) -> bool:
    return bool(re.search("[а-яё]", text, re.IGNORECASE))


@pytest.fixture
def api():
    """A client that sees what a real client sees when a view fails (the test client would
    re-raise the view's exception instead)."""

    def make(user=None) -> APIClient:
        client = APIClient(raise_request_exception=False)
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def console_log():
    """What the project's console handler (LOGGING in config/settings/base.py) writes."""
    handler = next(
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, RequestIdFilter) for f in h.filters)
    )
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        yield stream
    finally:
        handler.setStream(previous)


# --- Addresses no view has -------------------------------------------------------------------


def test_an_unknown_api_address_is_a_json_404_in_russian(api):
    body = problem(api().get("/api/no-such-thing/"), 404)
    assert body["code"] == "not_found"
    assert cyrillic(body["detail"]) and "/api/docs/" in body["detail"]


def test_an_address_whose_id_is_not_a_number_is_a_json_404(api, coordinator):
    problem(api(coordinator).get("/api/applications/abc/"), 404)


def test_english_when_the_client_asks_for_it(api):
    body = problem(api().get("/api/no-such-thing/", HTTP_ACCEPT_LANGUAGE="en"), 404)
    assert not cyrillic(body["detail"] + body["title"])
    assert "/api/docs/" in body["detail"]


def test_json_also_with_debug_on(api, settings):
    """`make run` runs with DEBUG: Django's yellow debug page would answer otherwise."""
    settings.DEBUG = True
    problem(api().get("/api/no-such-thing/"), 404)


# --- DRF's own errors ---------------------------------------------------------------------------


def test_not_signed_in_is_a_401_with_the_challenge(api):
    response = api().get("/api/applications/")
    body = problem(response, 401)
    assert body["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == "Token"
    assert cyrillic(body["detail"])


def test_a_missing_case_is_a_404_and_a_browser_still_gets_json(api, coordinator):
    """The browsable API would render an error page in HTML for Accept: text/html."""
    response = api(coordinator).get("/api/applications/999999/", HTTP_ACCEPT="text/html")
    assert problem(response, 404)["code"] == "not_found"


def test_a_method_the_address_does_not_take_is_a_405_with_allow(api, coordinator):
    response = api(coordinator).put("/api/statuses/", {}, format="json")
    assert problem(response, 405)["code"] == "method_not_allowed"
    assert "GET" in response["Allow"]


def test_a_body_in_an_unknown_format_is_a_415(api, coordinator):
    response = api(coordinator).post(
        "/api/applications/", data="topic=x", content_type="text/plain"
    )
    assert problem(response, 415)["code"] == "unsupported_media_type"


def test_invalid_input_keeps_the_field_errors(api, coordinator):
    response = api(coordinator).post("/api/applications/", {}, format="json")
    body = problem(response, 400)
    assert body["code"] == "invalid"
    assert isinstance(body["errors"], dict) and body["errors"]
    assert all(isinstance(m, list) and m for m in body["errors"].values())


# --- Failures of our own ------------------------------------------------------------------------


def test_a_bug_is_a_500_that_names_the_request_id_and_leaks_nothing(
    api, coordinator, monkeypatch, console_log
):
    def broken(user):
        raise RuntimeError("secret internals: password=hunter2")

    monkeypatch.setattr("applications.selectors.application_visible_qs", broken)
    response = api(coordinator).get("/api/applications/1/")
    body = problem(response, 500)
    assert body["code"] == "server_error"
    text = response.content.decode()
    assert "hunter2" not in text and "Traceback" not in text and "RuntimeError" not in text
    assert body["request_id"] in body["detail"] and cyrillic(body["detail"])
    log = console_log.getvalue()
    assert f"[{body['request_id']}]" in log
    assert "Traceback" in log and "RuntimeError: secret internals" in log


def test_a_bug_is_a_500_in_json_with_debug_on_too(api, coordinator, monkeypatch, settings):
    settings.DEBUG = True

    def broken(user):
        raise RuntimeError("secret internals")

    monkeypatch.setattr("applications.selectors.application_visible_qs", broken)
    response = api(coordinator).get("/api/applications/1/")
    problem(response, 500)
    assert "secret internals" not in response.content.decode()


def test_a_database_that_does_not_answer_is_a_503_try_again(
    api, coordinator, monkeypatch, console_log
):
    def down(user):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("applications.selectors.application_visible_qs", down)
    response = api(coordinator).get("/api/applications/1/", HTTP_X_REQUEST_ID=uuid.uuid4().hex)
    body = problem(response, 503)
    assert body["code"] == "unavailable"
    assert "минут" in body["detail"]
    assert response["Retry-After"] == "60"
    assert "server closed" not in response.content.decode()
    log = console_log.getvalue()
    assert f"[{body['request_id']}]" in log and "OperationalError" in log


def test_the_503_speaks_english_when_asked(api, coordinator, monkeypatch):
    def down(user):
        raise OperationalError("gone")

    monkeypatch.setattr("applications.selectors.application_visible_qs", down)
    response = api(coordinator).get("/api/applications/1/", HTTP_ACCEPT_LANGUAGE="en")
    body = problem(response, 503)
    assert "try again" in body["detail"].lower()


# --- The request id -----------------------------------------------------------------------------


def test_a_sane_incoming_request_id_is_kept(api):
    given = uuid.uuid4().hex
    response = api().get("/api/no-such-thing/", HTTP_X_REQUEST_ID=given)
    assert response["X-Request-ID"] == given
    assert response.json()["request_id"] == given


@pytest.mark.parametrize("given", ["<script>alert(1)</script>", "x" * 300, "42", "a b\tc"])
def test_an_insane_incoming_request_id_is_replaced(api, given):
    response = api().get("/api/no-such-thing/", HTTP_X_REQUEST_ID=given)
    assert HEX_ID.match(response["X-Request-ID"])
    assert response.json()["request_id"] == response["X-Request-ID"]


def test_every_answer_has_a_request_id_even_a_success(api, coordinator):
    response = api(coordinator).get("/api/statuses/")
    assert response.status_code == 200
    assert HEX_ID.match(response["X-Request-ID"])
    assert api().get("/api/statuses/")["X-Request-ID"] != response["X-Request-ID"]


def test_log_records_carry_the_request_id_and_a_dash_outside_requests():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello", None, None)
    RequestIdFilter().filter(record)
    assert record.request_id == "-"


def test_a_host_the_site_does_not_answer_to_is_a_json_400(api):
    body = problem(api().get("/api/statuses/", HTTP_HOST="evil.example.org"), 400)
    assert body["code"] == "bad_request" and cyrillic(body["detail"])


def test_the_error_handlers_answer_json_under_api_and_pages_elsewhere(rf):
    """handler403 and handler404 as Django calls them for a view outside DRF."""
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    from core import views

    forbidden = views.permission_denied(rf.get("/api/anything/"), PermissionDenied())
    assert forbidden.status_code == 403 and forbidden["Content-Type"] == PROBLEM
    assert json.loads(forbidden.content)["code"] == "permission_denied"
    missing = views.page_not_found(rf.get("/api"), Http404())
    assert missing.status_code == 404 and missing["Content-Type"] == PROBLEM
    page = views.page_not_found(rf.get("/apis/"), Http404())
    assert page["Content-Type"].startswith("text/html")
