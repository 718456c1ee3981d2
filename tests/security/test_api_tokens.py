"""Issue 11, finding 6 (tokens): API tokens are stored hashed, expire, are revoked by a password
change and are never shown in the admin."""

import base64
import datetime

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from knox.models import AuthToken

from audit.models import AuditEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-private-passphrase-2026"


@pytest.fixture
def person(db):
    return UserFactory(username="api-user", password=PASSWORD)


def basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def login(client, username="api-user", password=PASSWORD):
    return client.post("/api/auth/login/", HTTP_AUTHORIZATION=basic(username, password))


def get_applications(client, token):
    return client.get("/api/applications/", HTTP_AUTHORIZATION=f"Token {token}")


def test_a_token_is_issued_for_the_password_and_only_its_digest_is_stored(client, person):
    response = login(client)
    assert response.status_code == 201
    token = response.json()["token"]
    assert get_applications(client, token).status_code == 200
    # Nothing in the database holds the token itself: a dump or a backup is no key.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {AuthToken._meta.db_table}")
        rows = cursor.fetchall()
    assert len(rows) == 1
    assert all(token not in str(value) for value in rows[0])
    event = AuditEvent.objects.get(action="user.api_token_issue")
    assert event.object_id == str(person.pk) and token not in str(event.data)


def test_a_wrong_password_gets_no_token(client, person):
    response = login(client, password="wrong-password-wrong")
    assert response.status_code == 401
    assert not AuthToken.objects.exists()


def test_a_token_expires(client, person, settings):
    issued = datetime.datetime(2026, 11, 20, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(issued, tick=False):
        response = login(client)
        token = response.json()["token"]
    expiry = datetime.datetime.fromisoformat(response.json()["expiry"])
    assert expiry == issued + datetime.timedelta(hours=12)  # the default API_TOKEN_TTL_HOURS
    with time_machine.travel(datetime.datetime(2026, 11, 20, 20, 59, tzinfo=datetime.UTC)):
        assert get_applications(client, token).status_code == 200
    with time_machine.travel(datetime.datetime(2026, 11, 20, 21, 1, tzinfo=datetime.UTC)):
        refused = get_applications(client, token)
    assert refused.status_code == 401
    assert refused.json()["code"] == "authentication_failed"


def test_changing_the_password_revokes_every_token(client, person):
    first = login(client).json()["token"]
    second = login(client).json()["token"]
    person.set_password("another-long-passphrase-2027")
    person.save()
    assert get_applications(client, first).status_code == 401
    assert get_applications(client, second).status_code == 401
    event = AuditEvent.objects.get(action="user.api_token_revoke")
    assert event.data["reason"] == "password_change" and len(event.data["token_keys"]) == 2


def test_the_changepassword_command_revokes_them_too(client, person, monkeypatch):
    token = login(client).json()["token"]
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "another-long-passphrase-2027")
    call_command("changepassword", "api-user")
    assert get_applications(client, token).status_code == 401


def test_logout_revokes_the_token_and_logoutall_every_token(client, person):
    first = login(client).json()["token"]
    second = login(client).json()["token"]
    third = login(client).json()["token"]
    response = client.post("/api/auth/logout/", HTTP_AUTHORIZATION=f"Token {first}")
    assert response.status_code == 204
    assert get_applications(client, first).status_code == 401
    assert get_applications(client, second).status_code == 200
    response = client.post("/api/auth/logoutall/", HTTP_AUTHORIZATION=f"Token {second}")
    assert response.status_code == 204
    assert get_applications(client, third).status_code == 401
    assert not AuthToken.objects.exists()


def test_a_user_holds_a_bounded_number_of_tokens(client, person, settings):
    settings.API_TOKENS_PER_USER = 2
    oldest = login(client).json()["token"]
    login(client)
    newest = login(client).json()["token"]
    assert AuthToken.objects.filter(user=person).count() == 2
    assert get_applications(client, oldest).status_code == 401
    assert get_applications(client, newest).status_code == 200


def test_the_admin_lists_tokens_without_them_and_revokes_audited(client, person):
    token = login(client).json()["token"]
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(root)
    page = client.get(reverse("admin:knox_authtoken_changelist"))
    assert page.status_code == 200
    html = page.content.decode()
    row = AuthToken.objects.get()
    assert row.token_key in html
    assert token not in html  # only its first characters and its digest (the row's key)
    assert client.get(reverse("admin:knox_authtoken_add")).status_code == 403
    response = client.post(reverse("admin:knox_authtoken_delete", args=[row.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not AuthToken.objects.exists()
    event = AuditEvent.objects.get(action="user.api_token_revoke")
    assert event.actor == root and event.data["reason"] == "admin"


def test_rehashing_the_password_at_login_is_no_change_and_keeps_the_tokens(client, settings):
    """Django re-hashes a password with the preferred hasher when it checks it: the password
    is the same, so the person's tokens stay."""
    from django.contrib.auth.hashers import MD5PasswordHasher

    person = UserFactory(username="api-user")
    person.password = MD5PasswordHasher().encode(PASSWORD, "fixedsalt")
    person.save()
    _, token = AuthToken.objects.create(user=person)
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    assert person.check_password(PASSWORD)
    person.refresh_from_db()
    assert person.password.startswith("pbkdf2_sha1$")
    assert get_applications(client, token).status_code == 200


def test_an_unusable_password_revokes_the_tokens_too(client, person):
    token = login(client).json()["token"]
    person.set_unusable_password()
    person.save()
    assert get_applications(client, token).status_code == 401
