"""The pages' error answers are Russian pages in the site's look (DEBUG off, as in production),
never Django's English defaults; the server-error page needs nothing that could fail itself."""

import pytest
from django.db import OperationalError
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser():
    """A client that gets the page a person gets when a view fails."""

    def make(user=None, **kwargs) -> Client:
        client = Client(raise_request_exception=False, **kwargs)
        if user is not None:
            client.force_login(user)
        return client

    return make


def page(response, status: int) -> str:
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    assert response["X-Request-ID"]
    text = response.content.decode()
    assert 'class="brand"' in text and "docket/docket.css" in text  # the site's header and look
    assert '<html lang="ru">' in text
    return text


def test_a_missing_page(browser, coordinator):
    text = page(browser(coordinator).get("/no-such-page/"), 404)
    assert "Страница не найдена" in text
    assert "Not Found" not in text
    assert "Выйти" in text


def test_a_forbidden_page_says_why_in_russian(browser, coordinator):
    """Only the department issues orders: the reason the view gives is shown, translated."""
    text = page(browser(coordinator).get("/orders/new/"), 403)
    assert "Доступ запрещён" in text
    assert "Издать распоряжение может только должностное лицо департамента." in text


def test_a_server_error_names_the_request_id_and_nothing_else(browser, coordinator, monkeypatch):
    def broken(user):
        raise RuntimeError("secret internals")

    monkeypatch.setattr("applications.selectors.application_visible_qs", broken)
    response = browser(coordinator).get("/applications/")
    text = page(response, 500)
    assert "Что-то пошло не так" in text
    assert response["X-Request-ID"] in text
    assert "secret internals" not in text and "Traceback" not in text


def test_the_server_error_page_renders_when_the_database_is_down(browser, coordinator, monkeypatch):
    """Nothing on the page asks the database: not the user, not the bell's counter."""

    def down(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("applications.selectors.application_visible_qs", down)
    monkeypatch.setattr("notifications.context_processors.unread", down)
    response = browser(coordinator).get("/applications/")
    text = page(response, 503)
    assert "Повторите" in text and "через минуту" in text
    assert response["Retry-After"] == "60"


def test_a_bad_request(browser):
    """A Host header the site does not answer to is refused by Django with a 400."""
    text = page(browser().get("/", HTTP_HOST="evil.example.org"), 400)
    assert "Неверный запрос" in text


def test_a_form_sent_without_its_csrf_token(browser):
    response = browser(enforce_csrf_checks=True).post(
        "/accounts/login/", {"username": "x", "password": "y"}
    )
    text = page(response, 403)
    assert "Форма устарела" in text
    assert "CSRF verification failed" not in text


def test_a_page_that_only_takes_a_form_says_so_when_opened(browser, coordinator):
    """Django's require_POST answers 405 with an empty body: a blank page."""
    response = browser(coordinator).get("/notifications/read-all/")
    text = page(response, 405)
    assert "Эта страница открывается только из формы" in text
    assert response["Allow"] == "POST"
