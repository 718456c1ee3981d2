"""Issue 11, finding 6 (sessions): an idle timeout and an absolute lifetime (ASVS 3.3.1, 3.3.2),
and a password change ends the person's other sessions but not the one they changed it in."""

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 11, 20, 9, 0, tzinfo=datetime.UTC)
PASSWORD = "a-long-private-passphrase-2026"


@pytest.fixture
def person(db):
    return UserFactory(username="person", password=PASSWORD)


def signed_in(client, username="person") -> Client:
    """Through the login page, as a person signs in (django-axes sees the request)."""
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]
    return client


def at(minutes: float):
    return time_machine.travel(START + datetime.timedelta(minutes=minutes), tick=False)


def is_signed_in(client) -> bool:
    return client.get("/notifications/").status_code == 200


def test_defaults_are_asvs_level_2(settings):
    assert settings.SESSION_IDLE_TIMEOUT == 30 * 60
    assert settings.SESSION_COOKIE_AGE == 12 * 60 * 60


def test_thirty_idle_minutes_sign_the_person_out(client, person):
    with at(0):
        signed_in(client)
    with at(29):
        assert is_signed_in(client)
    with at(58):  # 29 minutes after the last request: still in
        assert is_signed_in(client)
    with at(88.5):
        response = client.get("/notifications/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    with at(89):
        page = client.get(response["Location"])
        assert "Сеанс завершён" in page.content.decode()


def test_twelve_hours_end_the_session_however_active(client, person):
    with at(0):
        signed_in(client)
    for minute in range(20, 12 * 60, 20):
        with at(minute):
            assert is_signed_in(client), minute
    with at(12 * 60 + 1):
        assert not is_signed_in(client)
    with at(12 * 60 + 2):
        signed_in(client)  # a new sign-in starts a new lifetime
    with at(12 * 60 + 10):
        assert is_signed_in(client)


def test_the_timeouts_come_from_the_environment_settings(client, person, settings):
    settings.SESSION_IDLE_TIMEOUT = 5 * 60
    with at(0):
        signed_in(client)
    with at(6):
        assert not is_signed_in(client)


def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(person):
    laptop, phone = Client(), Client()
    signed_in(laptop)
    signed_in(phone)
    response = laptop.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "another-long-passphrase-2027",
            "new_password2": "another-long-passphrase-2027",
        },
    )
    assert response.status_code == 302
    assert is_signed_in(laptop)
    assert not is_signed_in(phone)
