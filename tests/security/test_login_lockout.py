"""Finding 3 (login): guessing a password is stopped by a lockout, per person and address and
per address; administrators lift it; every lockout and every unlock is in the audit log."""

import datetime
import json

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import audit_verify_chain
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ATTACKER = "203.0.113.7"  # TEST-NET-3: documentation addresses, never routed
OFFICE = "198.51.100.20"
LOCKED_MESSAGE = "Слишком много неудачных попыток входа"


@pytest.fixture(autouse=True)
def _lockout_rules(settings):
    """The documented defaults, whatever the test settings say."""
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    settings.DOCKET_LOGIN_IP_FAILURE_LIMIT = 20
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)


@pytest.fixture
def victim(db):
    return UserFactory(username="coord1", password="right-password-1")


def _login(username, password, ip=ATTACKER, path="login"):
    client = Client(REMOTE_ADDR=ip)
    response = client.post(reverse(path), {"username": username, "password": password})
    return client, response


def _signed_in(client) -> bool:
    return SESSION_KEY in client.session


def test_fifty_wrong_passwords_then_the_right_one_does_not_sign_in(victim):
    for _ in range(50):
        _login("coord1", "wrong")
    client, response = _login("coord1", "right-password-1")
    assert response.status_code == 429
    assert not _signed_in(client)


def test_the_fifth_failure_locks_and_the_login_page_says_so_in_russian(victim):
    for _ in range(4):
        client, response = _login("coord1", "wrong")
        assert response.status_code == 200  # the form again, with "wrong name or password"
    client, response = _login("coord1", "wrong")
    assert response.status_code == 429
    page = response.content.decode()
    assert LOCKED_MESSAGE in page
    assert "15 минут" in page
    assert 'name="username"' in page  # still the login page, not a bare error
    client, response = _login("coord1", "right-password-1")
    assert response.status_code == 429
    assert not _signed_in(client)


def test_the_lockout_is_for_that_person_at_that_address(victim):
    for _ in range(5):
        _login("coord1", "wrong")
    client, _ = _login("coord1", "right-password-1", ip=OFFICE)
    assert _signed_in(client), "the real coordinator, at the office, still signs in"
    UserFactory(username="coord2", password="another-password-2")
    client, _ = _login("coord2", "another-password-2")
    assert _signed_in(client), "below the address's own limit, others at that address sign in"


def test_an_address_trying_many_people_is_locked_for_everyone(victim):
    for n in range(20):
        _login(f"guess{n}", "wrong")
    client, response = _login("coord1", "right-password-1")
    assert response.status_code == 429
    assert not _signed_in(client)
    client, _ = _login("coord1", "right-password-1", ip=OFFICE)
    assert _signed_in(client)


def test_the_lockout_ends_after_the_cool_off(victim):
    for _ in range(5):
        _login("coord1", "wrong")
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=16)):
        client, _ = _login("coord1", "right-password-1")
        assert _signed_in(client)


def test_the_admin_login_is_covered_too(victim):
    UserFactory(username="root", password="root-password-1", is_staff=True, is_superuser=True)
    for _ in range(5):
        _login("root", "wrong", path="admin:login")
    client, response = _login("root", "root-password-1", path="admin:login")
    assert response.status_code == 429
    assert not _signed_in(client)


def test_a_lockout_is_audited_once_with_who_and_where(victim):
    for _ in range(8):
        _login("coord1", "wrong")
    events = AuditEvent.objects.filter(action="login.lockout")
    assert events.count() == 1, "one event when the lock starts, not one per refused attempt"
    event = events.get()
    assert event.data["username"] == "coord1"
    assert event.data["ip_address"] == ATTACKER
    assert event.actor is None
    assert audit_verify_chain()[0]


def test_an_administrator_unlocks_in_the_admin_and_that_is_audited(victim, client):
    from axes.models import AccessAttempt

    for _ in range(5):
        _login("coord1", "wrong")
    attempt = AccessAttempt.objects.get(username="coord1")
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(root)
    url = reverse("admin:axes_accessattempt_delete", args=[attempt.pk])
    response = client.post(url, {"post": "yes"})
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="login.unlock")
    assert event.actor == root
    assert event.data["username"] == "coord1"
    assert event.data["channel"] == "admin"
    client, _ = _login("coord1", "right-password-1")
    assert _signed_in(client)


def test_axes_reset_from_the_command_line_is_audited(victim):
    for _ in range(5):
        _login("coord1", "wrong")
    call_command("axes_reset_username", "coord1")
    event = AuditEvent.objects.get(action="login.unlock")
    assert event.actor is None
    assert event.data["username"] == "coord1"
    client, _ = _login("coord1", "right-password-1")
    assert _signed_in(client)


def test_expired_attempts_cleaned_up_are_not_unlocks(victim):
    for _ in range(5):
        _login("coord1", "wrong")
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=16)):
        _login("coord1", "right-password-1")  # axes cleans expired attempts on every login
    assert not AuditEvent.objects.filter(action="login.unlock").exists()


def test_behind_the_proxy_each_client_is_locked_alone_and_cannot_forge_its_address(
    victim, settings
):
    settings.DOCKET_PROXY_COUNT = 1

    def via_proxy(forwarded, password):
        client = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
        response = client.post(reverse("login"), {"username": "coord1", "password": password})
        return client, response

    for n in range(5):
        # The attacker writes a new address of its own each time; the proxy appends the real one.
        via_proxy(f"192.0.2.{n}, {ATTACKER}", "wrong")
    _, response = via_proxy(f"192.0.2.99, {ATTACKER}", "right-password-1")
    assert response.status_code == 429
    client, _ = via_proxy(OFFICE, "right-password-1")
    assert _signed_in(client), "the proxy's own address is not locked for everyone"


def test_a_password_sent_to_the_api_is_locked_out_the_same_way(victim, rf):
    """No API view takes a password today; if one does (DRF's Basic authentication), axes'
    backend sees the request and the answer is the API's problem JSON."""
    from accounts.lockout import lockout_response

    request = rf.post("/api/applications/", REMOTE_ADDR=ATTACKER)
    response = lockout_response(request, None, {"username": "coord1"})
    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json"
    assert int(response["Retry-After"]) == 15 * 60
    assert LOCKED_MESSAGE in json.loads(response.content)["detail"]
